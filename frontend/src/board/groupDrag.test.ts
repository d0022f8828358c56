import { describe, expect, it } from "vitest";
import * as build from "../test/builders";
import { moveCard } from "./boardModel";
import { dropOutcome, dropState, startDrag } from "./dragState";
import { groupDropNote, groupDropState, groupOf, moveCards, planGroupDrop, putBack } from "./groupDrag";

// Three cards in New: Ada and Bo may go to Contacted, Cy has a required task open; Lost asks
// each for a reason; Won refuses them all.
const blocked = build.reason("blocking_tasks", { message: "Complete the required task Call first." });
const refusedWon = build.reason("not_allowed", { message: "New cannot move to Won (allowed: Contacted)." });
const lostWhy = build.reason("lost_reason_required");
const moves = (contacted: ReturnType<typeof build.move>) => [
  contacted,
  build.move("won", [refusedWon]),
  build.move("lost", [lostWhy]),
  build.fieldsMove("qualified", [["industry", "Industry"]]),
];
const ada = build.card("a", { name: "Ada", value: 100, moves: moves(build.move("contacted")) });
const bo = build.card("b", { name: "Bo", value: 50, moves: moves(build.move("contacted")) });
const cy = build.card("c", { name: "Cy", moves: moves(build.move("contacted", [blocked])) });
const dee = build.card("d", { name: "Dee" });
const board = build.board([
  build.column("new", [ada, dee, bo, cy]),
  build.column("contacted", [build.card("x"), build.card("y")]),
  build.column("qualified"),
  build.column("won", [], { kind: "won" }),
  build.column("lost", [], { kind: "lost" }),
]);
const all = new Set(["c", "a", "b"]);

function group(selected: ReadonlySet<string> = all, grabbed = "a") {
  const found = groupOf(board, selected, grabbed);
  if (!found) throw new Error("a group");
  return found;
}

const order = (b: typeof board, stage: string) => b.columns.find((c) => c.uid === stage)?.leads.map((c) => c.uid);

describe("which cards a drag carries", () => {
  it("carries every selected card, in the board's order, when the grabbed one is selected", () => {
    expect(group().map((member) => member.card.uid)).toEqual(["a", "b", "c"]);
  });

  it("drags a card alone when it is not selected, or is the only one", () => {
    expect(groupOf(board, all, "d")).toBeNull();
    expect(groupOf(board, new Set(["a"]), "a")).toBeNull();
    expect(startDrag(board, "d", false, all)?.group).toBeNull();
    expect(startDrag(board, "a", false, all)?.group).toHaveLength(3);
  });
});

describe("what each column does with a group", () => {
  it("takes the group where at least one card may go, and dims the others", () => {
    const drag = startDrag(board, "a", false, all);
    if (!drag) throw new Error("on the board");
    expect(board.columns.map((column) => dropState(drag, column.uid))).toEqual([
      "source",
      "open",
      // Required fields are not asked lead by lead in a group drop: refused.
      "refused",
      "refused",
      "fields",
    ]);
  });

  it("says how many may go, what it asks, or why none may", () => {
    expect(groupDropNote(group(), "contacted")).toBe("2 of 3 cards can move here");
    expect(groupDropNote(group(new Set(["a", "b"])), "contacted")).toBeNull();
    expect(groupDropNote(group(), "lost")).toBe("Asks for a lost reason");
    expect(groupDropNote(group(), "won")).toBe(
      "None of the 3 cards can move here. Ada: New cannot move to Won (allowed: Contacted).",
    );
    expect(groupDropState(group(), "new")).toBe("source");
  });
});

describe("a group's drop", () => {
  it("lands between the column's cards around the grabbed one, sending all but those already there", () => {
    const final = moveCard(board, "a", "contacted", 1);
    const plan = planGroupDrop(group(), final, "a", "contacted");
    expect(plan).toMatchObject({
      stage: "contacted",
      uids: ["a", "b", "c"],
      going: ["a", "b"],
      here: [],
      above: "x",
      below: "y",
      asksLostReason: false,
      versions: { a: 1, b: 1, c: 1 },
    });
    expect(plan.refusals).toEqual([{ uid: "c", name: "Cy", message: "Complete the required task Call first." }]);
  });

  it("is no move at all when every card is already in that column", () => {
    const drag = startDrag(board, "a", false, all);
    if (!drag) throw new Error("on the board");
    expect(dropOutcome(drag, board, board, "new")).toEqual({ kind: "none" });
    expect(dropOutcome(drag, board, moveCard(board, "a", "lost", 0), "lost")).toMatchObject({
      kind: "group",
      plan: { asksLostReason: true, going: ["a", "b", "c"], above: null, below: null },
    });
  });

  it("moves the cards in order below the one above, their totals following them", () => {
    const moved = moveCards(board, ["a", "b"], "contacted", "x", "y");
    expect(order(moved, "contacted")).toEqual(["x", "a", "b", "y"]);
    expect(order(moved, "new")).toEqual(["d", "c"]);
    const contacted = moved.columns[1];
    expect([contacted?.count, contacted?.value_total, moved.columns[0]?.count]).toEqual([4, 150, 2]);
    expect(order(moveCards(board, ["a", "b"], "contacted", null, "x"), "contacted")).toEqual(["a", "b", "x", "y"]);
    expect(order(moveCards(board, ["a", "b"], "qualified", null, null), "qualified")).toEqual(["a", "b"]);
  });

  it("puts back only the refused cards, where they were, keeping the ones that moved", () => {
    const moved = moveCards(board, ["a", "b"], "contacted", "x", "y");
    const settled = putBack(moved, board, ["a"]);
    expect(order(settled, "new")).toEqual(["a", "d", "c"]);
    expect(order(settled, "contacted")).toEqual(["x", "b", "y"]);
    expect(settled.columns[0]?.value_total).toBe(100);
  });
});
