import { describe, expect, it } from "vitest";
import type { Board, BoardColumn, Card, Lead } from "../api/types";
import {
  allowedTargets,
  appendPage,
  cardFromLead,
  findCard,
  insertCard,
  loadedDepth,
  moveCard,
  neighbours,
  refusal,
  replaceCard,
  revertMove,
} from "./boardModel";

function card(uid: string, value: number | null = null, version = 1): Card {
  return {
    uid,
    name: `Lead ${uid}`,
    email: null,
    company: null,
    assigned_to: [],
    status: "open",
    rank: uid,
    version,
    value,
    tasks: { completed: 0, total: 1 },
    updated_at: "2026-11-01T00:00:00Z",
    entered_stage_at: "2026-11-01T00:00:00Z",
  };
}

function column(uid: string, leads: Card[], extra: Partial<BoardColumn> = {}): BoardColumn {
  const value = leads.reduce((sum, c) => sum + (c.value ?? 0), 0);
  const probability = extra.probability ?? 50;
  return {
    uid,
    name: uid.toUpperCase(),
    slug: uid,
    color: "#64748b",
    order: 0,
    kind: "open",
    probability,
    allowed_next_stages: [],
    required_fields: [],
    count: leads.length,
    value_total: value,
    weighted_total: (value * probability) / 100,
    oldest_entered_at: null,
    leads,
    next_cursor: null,
    ...extra,
  };
}

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
  it("names the card above as after and the card below as before", () => {
    expect(neighbours([card("a"), card("x"), card("b")], "x")).toEqual({ after: "a", before: "b" });
  });

  it("is null above the first card", () => {
    expect(neighbours([card("x"), card("a")], "x")).toEqual({ after: null, before: "a" });
  });

  it("is null below the last card", () => {
    expect(neighbours([card("a"), card("x")], "x")).toEqual({ after: "a", before: null });
  });

  it("is null on both sides in an otherwise empty column", () => {
    expect(neighbours([card("x")], "x")).toEqual({ after: null, before: null });
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
    expect(neighbours(moved.columns[1]?.leads ?? [], "c")).toEqual({ after: "d", before: null });
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

describe("allowed targets", () => {
  const columns = [
    { uid: "new", name: "New", kind: "open" as const, allowed_next_stages: ["contacted", "lost"] },
    { uid: "contacted", name: "Contacted", kind: "open" as const, allowed_next_stages: ["lost"] },
    { uid: "won", name: "Won", kind: "won" as const, allowed_next_stages: [] },
    { uid: "lost", name: "Lost", kind: "lost" as const, allowed_next_stages: [] },
  ];

  it("is the own column and the allowed next stages", () => {
    expect([...allowedTargets(columns, "new", false)].sort()).toEqual(["contacted", "lost", "new"]);
    expect([...allowedTargets(columns, "new", true)].sort()).toEqual(["contacted", "lost", "new"]);
  });

  it("keeps a closed lead in its column for members", () => {
    expect([...allowedTargets(columns, "won", false)]).toEqual(["won"]);
  });

  it("lets an admin reopen a closed lead into any open stage, not another closed one", () => {
    expect([...allowedTargets(columns, "won", true)].sort()).toEqual(["contacted", "new", "won"]);
  });

  it("is empty for an unknown column", () => {
    expect(allowedTargets(columns, "gone", true).size).toBe(0);
  });

  it("says why a move is refused, naming the allowed stages", () => {
    const names = new Map(columns.map((c) => [c.uid, c.name]));
    const [fresh, contacted, won] = columns;
    if (!fresh || !contacted || !won) throw new Error("columns");
    expect(refusal(fresh, won, false, names)).toBe("New cannot move to Won (allowed: Contacted, Lost).");
    expect(refusal(won, fresh, false, names)).toBe("Only an admin can reopen a won lead.");
    expect(refusal(won, fresh, true, names)).toBeNull();
    expect(refusal(fresh, contacted, false, names)).toBeNull();
    expect(refusal(won, won, false, names)).toBeNull();
  });
});

describe("cardFromLead", () => {
  it("reads the value field and the current stage's task progress", () => {
    const lead = {
      uid: "L1",
      name: "Ada",
      email: "ada@example.com",
      company: "Engines",
      current_stage: "s2",
      rank: "r",
      status: "open",
      version: 4,
      assigned_to: ["u1"],
      data: { budget: 1200 },
      stage_entered_at: "2026-11-02T00:00:00Z",
      updated_at: "2026-11-02T00:00:00Z",
      tasks: [
        { uid: "t1", stage: "s1", status: "completed" },
        { uid: "t2", stage: "s2", status: "completed" },
        { uid: "t3", stage: "s2", status: "skipped" },
        { uid: "t4", stage: "s2", status: "pending" },
      ],
    } as unknown as Lead; // only the fields a card reads
    expect(cardFromLead(lead, "budget")).toMatchObject({
      uid: "L1",
      version: 4,
      value: 1200,
      tasks: { completed: 2, total: 3 },
      entered_stage_at: "2026-11-02T00:00:00Z",
      assigned_to: ["u1"],
    });
    expect(cardFromLead(lead, null).value).toBeNull();
  });
});
