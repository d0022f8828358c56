import { describe, expect, it } from "vitest";
import * as build from "../test/builders";
import { moveCard } from "./boardModel";
import { accepts, dropNote, dropOutcome, dropState, startDrag } from "./dragState";

// The card's moves say: Contacted is open, Qualified asks for Industry, Won is refused.
const refusedWon = build.reason("not_allowed", { message: "New cannot move to Won (allowed: Contacted)." });
const card = build.card("a", {
  moves: [
    build.move("contacted"),
    build.fieldsMove("qualified", [["industry", "Industry"]]),
    build.move("won", [refusedWon]),
  ],
});
const board = build.board([
  build.column("new", [card, build.card("b")]),
  build.column("contacted"),
  build.column("qualified"),
  build.column("won", [], { kind: "won" }),
  build.column("added-later"),
]);

function dragging() {
  const drag = startDrag(board, "a", false);
  if (!drag) throw new Error("the card is on the board");
  return drag;
}

describe("what each column does with a dragged card", () => {
  it("follows the card's moves, its own column taking it back", () => {
    const drag = dragging();
    expect(board.columns.map((column) => dropState(drag, column.uid))).toEqual([
      "source",
      "open",
      "fields",
      "refused",
      "refused",
    ]);
    expect(accepts(drag, "qualified")).toBe(true);
    expect(accepts(drag, "won")).toBe(false);
  });

  it("shows the server's sentence on a refused column and the asked fields on the others", () => {
    const drag = dragging();
    expect(dropNote(drag, "won")).toBe("New cannot move to Won (allowed: Contacted).");
    expect(dropNote(drag, "qualified")).toBe("Asks for Industry");
    expect(dropNote(drag, "contacted")).toBeNull();
    expect(dropNote(drag, "new")).toBeNull();
    // A stage the card has no move to was added after the board loaded.
    expect(dropNote(drag, "added-later")).toMatch(/reload/);
  });

  it("reads a move refused for fields and tasks together as refused", () => {
    const blocked = build.card("x", {
      moves: [
        build.move("contacted", [
          build.reason("blocking_tasks", { tasks: [{ uid: "t1", title: "Call" }] }),
          build.reason("missing_required_fields", { fields: [{ key: "industry", label: "Industry" }] }),
        ]),
      ],
    });
    const drag = startDrag(build.board([build.column("new", [blocked]), build.column("contacted")]), "x", false);
    expect(drag && dropState(drag, "contacted")).toBe("refused");
  });
});

describe("what a drop does", () => {
  it("refuses a drop on a refused column with the server's reasons, sending nothing", () => {
    const drag = dragging();
    expect(dropOutcome(drag, board, board, "won")).toEqual({ kind: "refuse", stage: "won", reasons: [refusedWon] });
  });

  it("asks for the fields when they are all the target lacks", () => {
    const drag = dragging();
    const final = moveCard(board, "a", "qualified", 0);
    expect(dropOutcome(drag, board, final, "qualified")).toEqual({
      kind: "ask",
      request: { uid: "a", toStage: "qualified", index: 0 },
      reasons: [build.reason("missing_required_fields", { message: "Needs: Industry.", fields: [{ key: "industry", label: "Industry" }] })],
    });
  });

  it("moves the card to an open stage, or within its own column", () => {
    const drag = dragging();
    expect(dropOutcome(drag, board, moveCard(board, "a", "contacted", 0), "contacted")).toEqual({
      kind: "move",
      request: { uid: "a", toStage: "contacted", index: 0 },
    });
    expect(dropOutcome(drag, board, moveCard(board, "a", "new", 1), "new")).toEqual({
      kind: "move",
      request: { uid: "a", toStage: "new", index: 1 },
    });
  });

  it("does nothing when the card is back in its place", () => {
    expect(dropOutcome(dragging(), board, board, "new")).toEqual({ kind: "none" });
  });
});
