import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, fireEvent, render, renderHook, screen, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import type { Board } from "../api/types";
import * as build from "../test/builders";
import { ToastProvider } from "../ui/toast";
import { boardKey } from "./api";
import { filtersFromParams } from "./filters";
import { BoardCanvas } from "./BoardCanvas";
import { RequiredFieldsModal } from "./RequiredFields";
import { useMoveFlow } from "./useMoveFlow";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const filters = filtersFromParams(new URLSearchParams());
const industry = build.fieldDefinition({
  field_key: "industry",
  label: "Industry",
  field_type: "select",
  options: [{ value: "saas", label: "SaaS" }],
});

const lostReasons = [{ value: "no_budget", label: "No budget" }];

// Ada's moves: Contacted is open, Qualified asks for Industry, Won is refused, Lost asks why.
const ada = build.card("L1", {
  name: "Ada",
  moves: [
    build.move("contacted"),
    build.fieldsMove("qualified", [["industry", "Industry"]]),
    build.move("won", [build.reason("not_allowed", { message: "New cannot move to Won (allowed: Contacted)." })]),
    build.move("lost", [build.reason("lost_reason_required", { message: "Say why the lead was lost." })]),
  ],
});
const board: Board = build.board([
  build.column("new", [ada]),
  build.column("contacted"),
  build.column("qualified"),
  build.column("won", [], { kind: "won" }),
  build.column("lost", [], { kind: "lost" }),
]);

function providers(client: QueryClient) {
  return function Providers({ children }: { children: ReactNode }) {
    return (
      <QueryClientProvider client={client}>
        <MemoryRouter>
          <ToastProvider>{children}</ToastProvider>
        </MemoryRouter>
      </QueryClientProvider>
    );
  };
}

function cache(): QueryClient {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  client.setQueryData(boardKey(filters), board);
  return client;
}

const column = (uid: string) => screen.getByTestId(`column-${uid}`);

function renderBoard() {
  const Providers = providers(cache());
  return render(
    <Providers>
      <BoardCanvas
        board={board}
        filters={filters}
        filtered={false}
        canDrag
        canWrite
        users={new Map()}
        variables={[industry]}
        lostReasons={lostReasons}
        userUid="u1"
      />
    </Providers>,
  );
}

describe("the board's columns", () => {
  afterEach(() => window.localStorage.clear());

  it("collapses the closed stages until someone opens them", () => {
    renderBoard();
    expect(column("won").getAttribute("data-collapsed")).toBe("true");
    expect(column("lost").getAttribute("data-collapsed")).toBe("true");
    expect(column("new").getAttribute("data-collapsed")).toBeNull();
  });

  it("keeps a collapsed column collapsed for the same user after a reload", () => {
    const first = renderBoard();
    fireEvent.click(screen.getByTestId("column-toggle-contacted"));
    fireEvent.click(screen.getByTestId("column-toggle-won"));
    expect(column("contacted").getAttribute("data-collapsed")).toBe("true");
    first.unmount();
    renderBoard();
    expect(column("contacted").getAttribute("data-collapsed")).toBe("true");
    expect(column("won").getAttribute("data-collapsed")).toBeNull();
    expect(JSON.parse(window.localStorage.getItem("leadcrm.board.collapsed.u1") ?? "{}")).toEqual({
      contacted: true,
      won: false,
    });
  });
});

describe("the board while a card is dragged", () => {
  it("shows a drop bar of the closed stages, with what each says about the card", async () => {
    renderBoard();
    expect(screen.queryByTestId("drop-bar")).toBeNull();
    fireEvent.keyDown(screen.getByTestId("card-L1"), { code: "Space", key: " " });
    await screen.findByTestId("drop-bar");
    expect(screen.getByTestId("drop-zone-won").getAttribute("data-drop")).toBe("refused");
    expect(screen.getByTestId("drop-zone-lost").getAttribute("data-drop")).toBe("fields");
    expect(screen.getByTestId("drop-zone-lost").textContent).toContain("Asks for a lost reason");
    expect(screen.queryByTestId("drop-zone-new")).toBeNull();
    fireEvent.keyDown(screen.getByTestId("card-L1"), { code: "Escape", key: "Escape" });
    await waitFor(() => expect(screen.queryByTestId("drop-bar")).toBeNull());
  });

  it("dims the columns the card's moves refuse, with the server's reason, and not the others", async () => {
    const Providers = providers(cache());
    render(
      <Providers>
        <BoardCanvas
          board={board}
          filters={filters}
          filtered={false}
          canDrag
          canWrite
          users={new Map()}
          variables={[industry]}
          lostReasons={lostReasons}
          userUid="u1"
        />
      </Providers>,
    );
    expect(column("won").getAttribute("data-dimmed")).toBe("false");
    // Space picks the card up (the keyboard sensor).
    fireEvent.keyDown(screen.getByTestId("card-L1"), { code: "Space", key: " " });
    await waitFor(() => expect(column("won").getAttribute("data-dimmed")).toBe("true"));
    // Won is collapsed (a closed stage): the reason is its title, shown on hover.
    expect(column("won").getAttribute("title")).toBe("New cannot move to Won (allowed: Contacted).");
    expect(column("contacted").getAttribute("data-drop")).toBe("open");
    expect(column("qualified").getAttribute("data-dimmed")).toBe("false");
    expect(screen.getByTestId("column-note-qualified").textContent).toBe("Asks for Industry");
    expect(column("new").getAttribute("data-drop")).toBe("source");
    fireEvent.keyDown(screen.getByTestId("card-L1"), { code: "Escape", key: "Escape" });
    await waitFor(() => expect(column("won").getAttribute("data-dimmed")).toBe("false"));
  });
});

describe("a drop on a stage that only lacks fields", () => {
  function flow() {
    const post = vi.spyOn(api, "POST");
    const { result } = renderHook(() => useMoveFlow(board, filters, [industry], lostReasons), { wrapper: providers(cache()) });
    return { result, post };
  }

  it("opens the form for the fields before sending anything", () => {
    const { result, post } = flow();
    act(() =>
      result.current.onDrop(
        {
          kind: "ask",
          request: { uid: "L1", toStage: "qualified", index: 0 },
          reasons: [build.reason("missing_required_fields", { fields: [{ key: "industry", label: "Industry" }] })],
        },
        ada,
        false,
      ),
    );
    expect(result.current.ask).toMatchObject({ stageName: "QUALIFIED", leadName: "Ada" });
    expect(result.current.ask?.definitions.map((d) => [d.field_key, d.required])).toEqual([["industry", true]]);
    expect(post).not.toHaveBeenCalled();
  });

  it("opens the form when the server asks for fields the card's moves did not", async () => {
    const { result, post } = flow();
    const refusal = {
      error: {
        code: "missing_required_fields",
        message: "Contacted needs: Industry.",
        fields: { "data.industry": ["is required to enter Contacted"] },
        details: {
          reason: "missing_required_fields",
          reasons: [build.reason("missing_required_fields", { fields: [{ key: "industry", label: "Industry" }] })],
        },
      },
    };
    post.mockResolvedValue(build.reply(409, refusal));
    act(() =>
      result.current.onDrop({ kind: "move", request: { uid: "L1", toStage: "contacted", index: 0 } }, ada, false),
    );
    await waitFor(() => expect(result.current.ask?.stageName).toBe("CONTACTED"));
    expect(post).toHaveBeenCalledTimes(1);
  });
});

describe("a drop on Lost", () => {
  it("asks for the reason, then sends it with the move in one request", async () => {
    const post = vi.spyOn(api, "POST").mockResolvedValue(
      build.reply(200, build.lead({ uid: "L1", name: "Ada", current_stage: "lost", version: 2, can_undo: true })),
    );
    const { result } = renderHook(() => useMoveFlow(board, filters, [industry], lostReasons), {
      wrapper: providers(cache()),
    });
    const reasons = [build.reason("lost_reason_required")];
    act(() =>
      result.current.onDrop({ kind: "ask", request: { uid: "L1", toStage: "lost", index: 0 }, reasons }, ada, false),
    );
    expect(result.current.ask).toMatchObject({ stageName: "LOST", lostReasons, definitions: [] });
    expect(post).not.toHaveBeenCalled();
    await act(() => result.current.submitAsk({ data: null, lost: { reason: "no_budget", note: " " } }));
    expect(post).toHaveBeenCalledTimes(1);
    expect(post.mock.calls[0]?.[1]).toMatchObject({
      body: { lead_uid: "L1", to_stage: "lost", lost_reason: "no_budget", lost_note: null, data: null },
    });
    expect(result.current.ask).toBeNull();
  });
});

describe("RequiredFieldsModal", () => {
  it("asks for a lost reason and will not send without one", async () => {
    const onSubmit = vi.fn(async () => undefined);
    render(
      <RequiredFieldsModal
        request={{ leadName: "Ada", stageName: "Lost", definitions: [], lostReasons }}
        onSubmit={onSubmit}
        onClose={() => undefined}
      />,
    );
    expect(screen.getByTestId("move-ask-intro").textContent).toBe("To move Ada to Lost, say why it was lost:");
    fireEvent.click(screen.getByTestId("required-fields-submit"));
    expect(await screen.findByText("Choose why the lead was lost")).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
    fireEvent.change(screen.getByTestId("lost-reason-select"), { target: { value: "no_budget" } });
    expect(screen.queryByText("Choose why the lead was lost")).toBeNull();
    fireEvent.click(screen.getByTestId("required-fields-submit"));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledWith({ data: null, lost: { reason: "no_budget", note: "" } }));
  });

  it("shows the asked fields", () => {
    render(
      <RequiredFieldsModal
        request={{
          leadName: "Ada",
          stageName: "Qualified",
          definitions: [{ ...industry, required: true }],
          lostReasons: null,
        }}
        onSubmit={async () => undefined}
        onClose={() => undefined}
      />,
    );
    expect(screen.getByTestId("move-ask-intro").textContent).toBe("To move Ada to Qualified, fill in:");
    expect(screen.getByLabelText(/Industry/)).toBeTruthy();
  });
});
