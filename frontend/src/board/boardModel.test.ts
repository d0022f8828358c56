import { describe, expect, it } from "vitest";
import type { Board, Card } from "../api/types";
import * as build from "../test/builders";
import {
  appendPage,
  cardFromLead,
  findCard,
  insertCard,
  loadedDepth,
  moveCard,
  neighbours,
  replaceCard,
  revertMove,
} from "./boardModel";

function card(uid: string, value: number | null = null, version = 1): Card {
  return build.card(uid, { value, version, tasks: { done: 0, total: 1, required_open: 0 } });
}

const column = build.column;

function sampleBoard(): Board {
  return {
    value_field: "budget",
    columns: [
      column("new", [card("a", 100), card("b", 200), card("c")], {
        allowed_next_stages: ["won"],
        probability: 10,
      }),
      column("won", [card("d", 1000)], { kind: "won", probability: 100 }),
      column("empty", []),
    ],
  };
}

const uids = (board: Board, stage: string) =>
  board.columns.find((c) => c.uid === stage)?.leads.map((c) => c.uid);

describe("neighbours", () => {
  it("names the card directly above and the card directly below", () => {
    expect(neighbours([card("a"), card("x"), card("b")], "x")).toEqual({ above: "a", below: "b" });
  });

  it("is null above the first card", () => {
    expect(neighbours([card("x"), card("a")], "x")).toEqual({ above: null, below: "a" });
  });

  it("is null below the last card", () => {
    expect(neighbours([card("a"), card("x")], "x")).toEqual({ above: "a", below: null });
  });

  it("is null on both sides in an otherwise empty column", () => {
    expect(neighbours([card("x")], "x")).toEqual({ above: null, below: null });
  });

  it("refuses a card that is not in the column", () => {
    expect(() => neighbours([card("a")], "x")).toThrow(/not in the target column/);
  });
});

describe("moveCard", () => {
  it("moves a card to another column at the index, with counts and totals", () => {
    const board = sampleBoard();
    const moved = moveCard(board, "b", "won", 0);
    expect(uids(moved, "new")).toEqual(["a", "c"]);
    expect(uids(moved, "won")).toEqual(["b", "d"]);
    const [from, to] = moved.columns;
    expect(from?.count).toBe(2);
    expect(from?.value_total).toBe(100);
    expect(from?.weighted_total).toBe(10);
    expect(to?.count).toBe(2);
    expect(to?.value_total).toBe(1200);
    expect(to?.weighted_total).toBe(1200);
  });

  it("appends at the end when the index is past the last card", () => {
    const moved = moveCard(sampleBoard(), "a", "won", 99);
    expect(uids(moved, "won")).toEqual(["d", "a"]);
  });

  it("moves into an empty column", () => {
    const moved = moveCard(sampleBoard(), "c", "empty", 0);
    expect(uids(moved, "empty")).toEqual(["c"]);
    expect(moved.columns[2]?.count).toBe(1);
  });

  it("reorders inside a column without touching the totals", () => {
    const board = sampleBoard();
    const moved = moveCard(board, "a", "new", 2);
    expect(uids(moved, "new")).toEqual(["b", "c", "a"]);
    expect(moved.columns[0]?.count).toBe(3);
    expect(moved.columns[0]?.value_total).toBe(300);
    const up = moveCard(board, "c", "new", 0);
    expect(uids(up, "new")).toEqual(["c", "a", "b"]);
  });

  it("returns the same board when the card stays where it is", () => {
    const board = sampleBoard();
    expect(moveCard(board, "b", "new", 1)).toBe(board);
  });

  it("returns the same board for an unknown card or column", () => {
    const board = sampleBoard();
    expect(moveCard(board, "zzz", "won", 0)).toBe(board);
    expect(moveCard(board, "a", "nowhere", 0)).toBe(board);
  });

  it("does not change the board it was given, and shares untouched columns", () => {
    const board = sampleBoard();
    const before = JSON.stringify(board);
    const moved = moveCard(board, "a", "won", 0);
    expect(JSON.stringify(board)).toBe(before);
    expect(moved.columns[2]).toBe(board.columns[2]);
    expect(moved.columns[1]?.leads[1]).toBe(board.columns[1]?.leads[0]);
  });

  it("lets neighbours read the moved card's place", () => {
    const moved = moveCard(sampleBoard(), "c", "won", 1);
    expect(neighbours(moved.columns[1]?.leads ?? [], "c")).toEqual({ above: "d", below: null });
  });
});

describe("revertMove", () => {
  it("restores the snapshot when nothing else changed the board", () => {
    const snapshot = sampleBoard();
    const optimistic = moveCard(snapshot, "a", "won", 0);
    expect(revertMove(optimistic, snapshot, optimistic, "a")).toBe(snapshot);
  });

  it("puts only this card back when another change landed meanwhile", () => {
    const snapshot = sampleBoard();
    const optimistic = moveCard(snapshot, "a", "won", 0);
    // Another move (of c into the empty column) succeeded while this one was in flight.
    const current = moveCard(optimistic, "c", "empty", 0);
    const reverted = revertMove(current, snapshot, optimistic, "a");
    expect(uids(reverted, "new")).toEqual(["a", "b"]);
    expect(uids(reverted, "won")).toEqual(["d"]);
    expect(uids(reverted, "empty")).toEqual(["c"]);
    expect(reverted.columns[0]?.count).toBe(2);
    expect(reverted.columns[1]?.count).toBe(1);
    expect(reverted.columns[1]?.value_total).toBe(1000);
  });

  it("restores the card as it was (its version) after a server copy replaced it", () => {
    const snapshot = sampleBoard();
    const optimistic = moveCard(snapshot, "b", "new", 0);
    const current = replaceCard(optimistic, card("b", 200, 7));
    const reverted = revertMove(current, snapshot, optimistic, "b");
    expect(uids(reverted, "new")).toEqual(["a", "b", "c"]);
    expect(findCard(reverted, "b")?.card.version).toBe(1);
  });

  it("round-trips a move and its revert to the same columns", () => {
    const snapshot = sampleBoard();
    const optimistic = moveCard(snapshot, "b", "won", 1);
    const copy = { ...optimistic, columns: [...optimistic.columns] };
    expect(revertMove(copy, snapshot, optimistic, "b")).toEqual(snapshot);
  });
});

describe("replaceCard, insertCard, appendPage", () => {
  it("replaces a card in place", () => {
    const board = sampleBoard();
    const replaced = replaceCard(board, card("b", 999, 2));
    expect(findCard(replaced, "b")).toMatchObject({ stage: "new", index: 1 });
    expect(findCard(replaced, "b")?.card.version).toBe(2);
    expect(replaceCard(board, card("nope"))).toBe(board);
  });

  it("inserts a new card at the top of its column and counts it", () => {
    const inserted = insertCard(sampleBoard(), "new", card("n", 50));
    expect(uids(inserted, "new")).toEqual(["n", "a", "b", "c"]);
    expect(inserted.columns[0]?.count).toBe(4);
    expect(inserted.columns[0]?.value_total).toBe(350);
    // Twice is once.
    expect(insertCard(inserted, "new", card("n", 50))).toBe(inserted);
  });

  it("appends the next page of a column, skipping cards already on the board", () => {
    const board = sampleBoard();
    const page = column("new", [card("c"), card("e"), card("f")], {
      count: 5,
      value_total: 300,
      weighted_total: 30,
      next_cursor: "next",
    });
    const more = appendPage(board, page);
    expect(uids(more, "new")).toEqual(["a", "b", "c", "e", "f"]);
    expect(more.columns[0]?.next_cursor).toBe("next");
    expect(more.columns[0]?.count).toBe(5);
    expect(more.columns[0]?.allowed_next_stages).toEqual(["won"]);
    expect(loadedDepth(more)).toBe(5);
  });
});

describe("cardFromLead", () => {
  it("shows the server's task counts and moves, and reads the value field", () => {
    const moves = [build.move("s3"), build.move("s1", [build.reason("not_allowed")])];
    const lead = build.lead({
      uid: "L1",
      current_stage: "s2",
      version: 4,
      assigned_to: ["u1"],
      data: { budget: 1200 },
      stage_entered_at: "2026-11-02T00:00:00Z",
      // The tasks' own states are not read: the counts are the server's.
      tasks: [build.task("t1", { stage: "s2", status: "skipped", done: true })],
      task_counts: { done: 2, total: 3, required_open: 1 },
      moves,
    });
    expect(cardFromLead(lead, "budget")).toMatchObject({
      uid: "L1",
      version: 4,
      value: 1200,
      tasks: { done: 2, total: 3, required_open: 1 },
      entered_stage_at: "2026-11-02T00:00:00Z",
      assigned_to: ["u1"],
      moves,
    });
    expect(cardFromLead(lead, null).value).toBeNull();
  });
});
