import { describe, expect, it } from "vitest";
import {
  BULK_LIMIT,
  NO_SELECTION,
  bulkRequest,
  clickRow,
  summarize,
  summaryLine,
  togglePage,
  type BulkAnswer,
} from "./selection";

const ROWS = ["a", "b", "c", "d", "e"];

describe("clickRow", () => {
  it("toggles the clicked row and makes it the anchor", () => {
    const once = clickRow(NO_SELECTION, ROWS, "b", false);
    expect(once).toEqual({ uids: ["b"], anchor: "b" });
    expect(clickRow(once, ROWS, "b", false)).toEqual({ uids: [], anchor: "b" });
  });

  it("selects every row from the anchor to a shift-clicked one, either way", () => {
    const anchored = clickRow(NO_SELECTION, ROWS, "d", false);
    expect(clickRow(anchored, ROWS, "b", true).uids.sort()).toEqual(["b", "c", "d"]);
  });

  it("clears the range when the shift-clicked row was selected", () => {
    let selection = clickRow(NO_SELECTION, ROWS, "a", false);
    selection = clickRow(selection, ROWS, "e", true);
    selection = clickRow({ ...selection, anchor: "b" }, ROWS, "d", true);
    expect(selection.uids).toEqual(["a", "e"]);
  });

  it("treats a shift-click with no anchor on the page as a plain click", () => {
    expect(clickRow({ uids: ["x"], anchor: "x" }, ROWS, "c", true)).toEqual({ uids: ["x", "c"], anchor: "c" });
  });

  it("never selects more than the bulk limit", () => {
    const many = Array.from({ length: BULK_LIMIT + 10 }, (_, index) => `lead-${index}`);
    const anchored = clickRow(NO_SELECTION, many, "lead-0", false);
    expect(clickRow(anchored, many, `lead-${BULK_LIMIT + 9}`, true).uids).toHaveLength(BULK_LIMIT);
  });
});

describe("togglePage", () => {
  it("selects the rows shown, keeping other pages' picks, then clears them", () => {
    const all = togglePage({ uids: ["z"], anchor: null }, ROWS);
    expect(all.uids).toEqual(["z", ...ROWS]);
    expect(togglePage(all, ROWS).uids).toEqual(["z"]);
  });
});

describe("summarize", () => {
  const answer: BulkAnswer = {
    results: [
      { uid: "a", ok: true, version: 2, changed: true, error: null },
      { uid: "b", ok: true, version: 5, changed: false, error: null },
      {
        uid: "c",
        ok: false,
        version: 3,
        changed: false,
        error: { code: "blocking_tasks", message: "Complete the required tasks first: Call.", fields: {}, details: null },
      },
    ],
    succeeded: 2,
    failed: 1,
  };

  it("counts what changed and names each refused lead with the server's reason", () => {
    const summary = summarize(answer, new Map([["c", "Ada Lovelace"]]));
    expect(summary).toEqual({
      done: 1,
      unchanged: 1,
      failed: [{ uid: "c", name: "Ada Lovelace", message: "Complete the required tasks first: Call." }],
    });
    expect(summaryLine("move", summary)).toBe("1 lead moved, 1 already so, 1 refused.");
  });

  it("names a lead it does not know by its uid", () => {
    expect(summarize(answer, new Map()).failed[0]?.name).toBe("c");
  });
});

describe("bulkRequest", () => {
  it("sends the action's fields and null for the others", () => {
    expect(bulkRequest(["a"], "tag", { tags: ["hot"] })).toEqual({
      uids: ["a"],
      action: "tag",
      tags: ["hot"],
      to_stage: null,
      note: null,
      lost_reason: null,
      lost_note: null,
      above: null,
      below: null,
      user_ids: null,
      mode: null,
    });
  });
});
