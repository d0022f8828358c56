import { describe, expect, it } from "vitest";
import type { Stage } from "../api/types";
import * as build from "../test/builders";
import { applyOrder, incomingCounts, inOrderOf, moveItem, reorderUids } from "./ordering";

function stage(overrides: Partial<Stage> & Pick<Stage, "uid">): Stage {
  return build.stage(overrides.uid, overrides);
}

describe("reordering", () => {
  it("moves an item forwards and backwards without touching the input", () => {
    const list = ["a", "b", "c", "d"];
    expect(moveItem(list, 0, 2)).toEqual(["b", "c", "a", "d"]);
    expect(moveItem(list, 3, 1)).toEqual(["a", "d", "b", "c"]);
    expect(list).toEqual(["a", "b", "c", "d"]);
  });

  it("leaves the list alone for out-of-range moves", () => {
    expect(moveItem(["a", "b"], 0, 5)).toEqual(["a", "b"]);
    expect(moveItem(["a", "b"], -1, 0)).toEqual(["a", "b"]);
  });

  it("gives every uid in the new order after a drop, or null when nothing moved", () => {
    const uids = ["new", "contacted", "won", "lost"];
    expect(reorderUids(uids, "lost", "contacted")).toEqual(["new", "lost", "contacted", "won"]);
    expect(reorderUids(uids, "new", "new")).toBeNull();
    expect(reorderUids(uids, "new", null)).toBeNull();
    expect(reorderUids(uids, "new", "gone")).toBeNull();
  });

  it("applies an order to the stage list and renumbers it", () => {
    const stages = [stage({ uid: "a", order: 0 }), stage({ uid: "b", order: 1 }), stage({ uid: "c", order: 2 })];
    const ordered = applyOrder(stages, ["c", "a", "b"]);
    expect(ordered.map((s) => [s.uid, s.order])).toEqual([
      ["c", 0],
      ["a", 1],
      ["b", 2],
    ]);
  });

  it("counts how many stages lead into each stage", () => {
    const counts = incomingCounts([
      stage({ uid: "a", allowed_next_stages: ["b", "c"] }),
      stage({ uid: "b", allowed_next_stages: ["c", "b"] }),
      stage({ uid: "c" }),
    ]);
    expect(Object.fromEntries(counts)).toEqual({ a: 0, b: 1, c: 2 });
  });

  it("puts a selection in the order of the full list", () => {
    expect(inOrderOf(["won", "new", "gone"], ["new", "contacted", "won"])).toEqual(["new", "won"]);
  });
});
