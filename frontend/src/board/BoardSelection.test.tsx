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
import { BoardCanvas } from "./BoardCanvas";
import { filtersFromParams } from "./filters";
import { moveCard } from "./boardModel";
import { groupOf, planGroupDrop } from "./groupDrag";
import { keepOnBoard } from "./useBoardSelection";
import { useGroupMove } from "./useGroupMove";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const filters = filtersFromParams(new URLSearchParams());
const blocked = build.reason("blocking_tasks", { message: "Complete the required task Call first." });
const go = [build.move("contacted"), build.move("lost", [build.reason("lost_reason_required")])];
const ada = build.card("a", { name: "Ada", moves: go });
const bo = build.card("b", { name: "Bo", moves: go });
const cy = build.card("c", { name: "Cy", moves: [build.move("contacted", [blocked])] });
const board: Board = build.board([
  build.column("new", [ada, bo, cy]),
  build.column("contacted", [build.card("x", { name: "Xu" })]),
  build.column("lost", [], { kind: "lost" }),
]);
const lostReasons = [{ value: "no_budget", label: "No budget" }];

function setup() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  client.setQueryData(boardKey(filters), board);
  const Providers = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>
      <MemoryRouter>
        <ToastProvider>{children}</ToastProvider>
      </MemoryRouter>
    </QueryClientProvider>
  );
  return { client, Providers };
}

function renderBoard() {
  const { Providers } = setup();
  return render(
    <Providers>
      <BoardCanvas
        board={board}
        filters={filters}
        filtered={false}
        canDrag
        canWrite
        users={new Map()}
        variables={[]}
        lostReasons={lostReasons}
        userUid="u1"
      />
    </Providers>,
  );
}

const card = (uid: string) => screen.getByTestId(`card-${uid}`);

describe("selecting cards on the board", () => {
  it("toggles a card with Shift- or Cmd/Ctrl-click, counts them in a bar, and Escape clears them", () => {
    renderBoard();
    expect(screen.queryByTestId("board-selection-bar")).toBeNull();
    fireEvent.click(card("a"), { shiftKey: true });
    fireEvent.click(card("b"), { metaKey: true });
    fireEvent.click(card("c"), { ctrlKey: true });
    expect(["a", "b", "c"].map((uid) => card(uid).getAttribute("data-selected"))).toEqual(["true", "true", "true"]);
    expect(card("a").textContent).toContain("Selected.");
    expect(screen.getByTestId("board-selection-count").textContent).toBe("3 selected");
    fireEvent.click(card("b"), { shiftKey: true });
    expect(card("b").getAttribute("data-selected")).toBe("false");
    expect(screen.getByTestId("board-selection-count").textContent).toBe("2 selected");
    fireEvent.keyDown(document, { key: "Escape" });
    expect(screen.queryByTestId("board-selection-bar")).toBeNull();
    expect(card("a").getAttribute("data-selected")).toBe("false");
  });

  it("selects a card from the keyboard with Shift+Enter, Enter alone still opening it", () => {
    renderBoard();
    fireEvent.keyDown(card("b"), { key: "Enter", shiftKey: true });
    expect(card("b").getAttribute("data-selected")).toBe("true");
    expect(screen.getByTestId("board-selection-count").textContent).toBe("1 selected");
  });

  it("offers the list's bulk actions for the selected cards", () => {
    renderBoard();
    fireEvent.click(card("a"), { shiftKey: true });
    fireEvent.click(card("b"), { shiftKey: true });
    fireEvent.click(screen.getByTestId("board-bulk-tag"));
    expect(screen.getByTestId("bulk-dialog").textContent).toContain("Tags to add to 2 leads");
    // Escape closes the dialog, not the selection.
    fireEvent.keyDown(document, { key: "Escape" });
    expect(screen.getByTestId("board-selection-count").textContent).toBe("2 selected");
  });

  it("drops the cards that left the board from the selection", () => {
    const selection = { uids: ["a", "gone"], anchor: "gone" };
    expect(keepOnBoard(selection, board)).toEqual({ uids: ["a"], anchor: null });
    const kept = { uids: ["a"], anchor: "a" };
    expect(keepOnBoard(kept, board)).toBe(kept);
  });
});

describe("a drop of several cards", () => {
  function dropPlan(stage: string) {
    const group = groupOf(board, new Set(["a", "b", "c"]), "a");
    if (!group) throw new Error("a group");
    return planGroupDrop(group, moveCard(board, "a", stage, 0), "a", stage);
  }

  function flow() {
    const { client, Providers } = setup();
    const onMoved = vi.fn();
    const hook = renderHook(() => useGroupMove(board, filters, lostReasons, onMoved), { wrapper: Providers });
    const shown = () => client.getQueryData<Board>(boardKey(filters));
    return { ...hook, onMoved, shown };
  }

  it("sends one bulk move placed above the card it landed on, keeps the moved cards and puts the refused back", async () => {
    let release: (value: unknown) => void = () => undefined;
    const post = vi.spyOn(api, "POST").mockReturnValue(
      new Promise((resolve) => {
        release = resolve;
      }) as ReturnType<typeof api.POST>,
    );
    const { result, onMoved, shown } = flow();
    const plan = dropPlan("contacted");

    act(() => result.current.onGroupDrop(plan));

    await waitFor(() => expect(post).toHaveBeenCalledTimes(1));
    expect(post.mock.calls[0]?.[0]).toBe("/api/leads/bulk/");
    expect(post.mock.calls[0]?.[1]).toMatchObject({
      body: {
        action: "move",
        uids: ["a", "b", "c"],
        to_stage: "contacted",
        above: null,
        below: "x",
        versions: { a: 1, b: 1, c: 1 },
        tags: null,
      },
    });
    // At once: the cards the moves let go; Cy stays.
    expect(shown()?.columns[1]?.leads.map((c) => c.uid)).toEqual(["a", "b", "x"]);
    const refused = { code: "version_conflict", message: "Someone changed Bo meanwhile.", fields: {}, details: {} };
    await act(async () => {
      release(
        build.reply(200, {
          results: [
            { uid: "a", ok: true, version: 2, changed: true, error: null },
            { uid: "b", ok: false, version: null, changed: false, error: refused },
            { uid: "c", ok: false, version: null, changed: false, error: { ...refused, code: "blocking_tasks", message: "Complete the required task Call first." } },
          ],
          succeeded: 1,
          failed: 2,
        }),
      );
    });
    expect(shown()?.columns[1]?.leads.map((c) => c.uid)).toEqual(["a", "x"]);
    expect(shown()?.columns[0]?.leads.map((c) => c.uid)).toEqual(["b", "c"]);
    expect(onMoved).toHaveBeenCalled();
    const summary = await screen.findByTestId("bulk-result");
    expect(summary.textContent).toContain("1 lead moved, 2 refused.");
    expect(summary.textContent).toContain("Bo: Someone changed Bo meanwhile.");
    expect(summary.textContent).toContain("Cy: Complete the required task Call first.");
  });

  it("asks once for the lost reason of the whole group, then sends it with the move", async () => {
    const post = vi.spyOn(api, "POST").mockResolvedValue(
      build.reply(200, { results: [{ uid: "a", ok: true, version: 2, changed: true, error: null }], succeeded: 1, failed: 0 }),
    );
    const { result } = flow();

    act(() => result.current.onGroupDrop(dropPlan("lost")));

    expect(result.current.ask).toMatchObject({ leadName: "3 leads", stageName: "LOST", lostReasons });
    expect(post).not.toHaveBeenCalled();
    await act(() => result.current.submitAsk({ data: null, lost: { reason: "no_budget", note: "" } }));
    expect(post).toHaveBeenCalledTimes(1);
    expect(post.mock.calls[0]?.[1]).toMatchObject({ body: { to_stage: "lost", lost_reason: "no_budget" } });
    expect(result.current.ask).toBeNull();
  });

  it("sends nothing when every card's moves refuse the column, naming each with its reason", async () => {
    const post = vi.spyOn(api, "POST");
    const { result } = flow();
    // Xu is in Contacted already; Cy has a required task open.
    const group = groupOf(board, new Set(["c", "x"]), "c");
    if (!group) throw new Error("a group");

    act(() => result.current.onGroupDrop(planGroupDrop(group, board, "c", "contacted")));

    expect(post).not.toHaveBeenCalled();
    const summary = await screen.findByTestId("bulk-result");
    expect(summary.textContent).toContain("0 leads moved, 1 already so, 1 refused.");
    expect(summary.textContent).toContain("Cy: Complete the required task Call first.");
  });
});
