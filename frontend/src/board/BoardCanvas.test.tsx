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

// Ada's moves: Contacted is open, Qualified asks for Industry, Won is refused.
const ada = build.card("L1", {
  name: "Ada",
  moves: [
    build.move("contacted"),
    build.fieldsMove("qualified", [["industry", "Industry"]]),
    build.move("won", [build.reason("not_allowed", { message: "New cannot move to Won (allowed: Contacted)." })]),
  ],
});
const board: Board = build.board([
  build.column("new", [ada]),
  build.column("contacted"),
  build.column("qualified"),
  build.column("won", [], { kind: "won" }),
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

describe("the board while a card is dragged", () => {
  it("dims the columns the card's moves refuse, with the server's reason, and not the others", async () => {
    const Providers = providers(cache());
    render(
      <Providers>
        <BoardCanvas board={board} filters={filters} filtered={false} canDrag canWrite users={new Map()} variables={[industry]} />
      </Providers>,
    );
    expect(column("won").getAttribute("data-dimmed")).toBe("false");
    // Space picks the card up (the keyboard sensor).
    fireEvent.keyDown(screen.getByTestId("card-L1"), { code: "Space", key: " " });
    await waitFor(() => expect(column("won").getAttribute("data-dimmed")).toBe("true"));
    expect(screen.getByTestId("column-note-won").textContent).toBe("New cannot move to Won (allowed: Contacted).");
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
    const { result } = renderHook(() => useMoveFlow(board, filters, [industry]), { wrapper: providers(cache()) });
    return { result, post };
  }

  it("opens the form for the fields before sending anything", () => {
    const { result, post } = flow();
    act(() =>
      result.current.onDrop(
        {
          kind: "ask",
          request: { uid: "L1", toStage: "qualified", index: 0 },
          fields: [{ key: "industry", label: "Industry" }],
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

describe("RequiredFieldsModal", () => {
  it("shows the asked fields", () => {
    render(
      <RequiredFieldsModal
        request={{ leadName: "Ada", stageName: "Qualified", definitions: [{ ...industry, required: true }] }}
        onSubmit={async () => undefined}
        onClose={() => undefined}
      />,
    );
    expect(screen.getByTestId("required-fields-form").textContent).toContain("Qualified needs this field");
    expect(screen.getByLabelText(/Industry/)).toBeTruthy();
  });
});
