import { describe, expect, it } from "vitest";
import type { Stage, Task } from "../api/types";
import * as build from "../test/builders";
import {
  changedFieldLabel,
  coreToServer,
  formatDuration,
  groupTasks,
  isOverdue,
  nextSort,
  placeServerErrors,
  sortDirection,
  validateCore,
  type CoreValues,
} from "./logic";

/** A stage called after its uid: "stage-new" is "New". */
function stage(uid: string, overrides: Partial<Stage> = {}): Stage {
  const name = uid.replace("stage-", "").replace(/^./, (letter) => letter.toUpperCase());
  return build.stage(uid, { name, ...overrides });
}

function task(uid: string, overrides: Partial<Task> = {}): Task {
  return build.task(uid, { stage: "stage-new", ...overrides });
}

const industry = build.fieldDefinition({ field_key: "industry", label: "Industry" });
const stages = [
  stage("stage-new", { order: 0 }),
  stage("stage-contacted", { order: 1 }),
  stage("stage-qualified", { order: 2 }),
];

describe("placeServerErrors", () => {
  it("puts data.<key>, core fields and indexed paths on their form fields", () => {
    const placed = placeServerErrors(
      {
        "data.industry": ["must be one of: saas, retail"],
        email: ["must be an email address (The part after the @-sign is not valid.)"],
        "tags.2": ["String should have at most 40 characters"],
        body: ["is not valid JSON"],
      },
      [industry],
    );
    expect(placed.fields).toEqual({
      "data.industry": "Industry must be one of: saas, retail.",
      email: "Email must be an email address (The part after the @-sign is not valid.).",
      tags: "Tags: String should have at most 40 characters.",
    });
    expect(placed.unplaced).toEqual(["body is not valid JSON."]);
  });

  it("keeps errors about fields the form does not show", () => {
    expect(placeServerErrors({ "data.colour": ["is not a field of this workflow"] }, [industry]).unplaced).toEqual([
      "data.colour is not a field of this workflow.",
    ]);
  });
});

describe("core fields", () => {
  const blank: CoreValues = { name: "", email: "", phone: "", company: "", source: "", tags: [] };

  it("needs a name and checks email, phone and lengths like the server", () => {
    expect(validateCore(blank)).toEqual({ name: "Name is required." });
    expect(
      validateCore({
        ...blank,
        name: "Ada",
        email: "ada@",
        phone: "call me",
        source: "x".repeat(101),
        tags: ["y".repeat(41)],
      }),
    ).toEqual({
      email: "Email must be an email address.",
      phone: "Phone must be a phone number (digits, spaces, + ( ) . / -).",
      source: "Source must have at most 100 characters.",
      tags: "Each tag must have at most 40 characters.",
    });
    expect(validateCore({ ...blank, name: "Ada", email: "ada@example.com", phone: "+1 415 555 0100" })).toEqual({});
  });

  it("sends blank optional fields as null and each tag once", () => {
    expect(coreToServer({ ...blank, name: " Ada ", company: "  ", tags: ["a", " a ", "b", ""] })).toEqual({
      name: "Ada",
      email: null,
      phone: null,
      company: null,
      source: null,
      tags: ["a", "b"],
    });
  });
});

describe("tasks", () => {
  it("groups by stage with the current stage first, open tasks by due date first", () => {
    const tasks = [
      task("old", { stage: "stage-new", done: true }),
      task("done", { stage: "stage-contacted", done: true, due_at: "2026-01-01T00:00:00Z" }),
      task("later", { stage: "stage-contacted", due_at: "2026-03-01T00:00:00Z" }),
      task("undated", { stage: "stage-contacted" }),
      task("soon", { stage: "stage-contacted", due_at: "2026-02-01T00:00:00Z" }),
    ];
    const groups = groupTasks(tasks, "stage-contacted", stages);
    expect(groups.map((group) => [group.stageUid, group.current])).toEqual([
      ["stage-contacted", true],
      ["stage-new", false],
    ]);
    expect(groups[0]?.tasks.map((item) => item.uid)).toEqual(["soon", "later", "undated", "done"]);
  });

  it("calls an open task past its due time overdue, never a finished one", () => {
    const now = new Date("2026-11-26T12:00:00Z");
    expect(isOverdue(task("a", { due_at: "2026-11-25T12:00:00Z" }), now)).toBe(true);
    expect(isOverdue(task("b", { due_at: "2026-11-27T12:00:00Z" }), now)).toBe(false);
    expect(isOverdue(task("c", { due_at: "2026-11-25T12:00:00Z", done: true }), now)).toBe(false);
    expect(isOverdue(task("d"), now)).toBe(false);
  });
});

describe("small formatting rules", () => {
  it("formats stage durations", () => {
    expect(formatDuration(30)).toBe("under a minute");
    expect(formatDuration(12 * 60)).toBe("12m");
    expect(formatDuration(2 * 3600 + 5 * 60)).toBe("2h 5m");
    expect(formatDuration(3 * 86400 + 4 * 3600)).toBe("3d 4h");
    expect(formatDuration(null)).toBe("—");
  });

  it("names changed fields as people call them", () => {
    expect(changedFieldLabel("data.industry", [industry])).toBe("Industry");
    expect(changedFieldLabel("email", [])).toBe("Email");
    expect(changedFieldLabel("assigned_to", [])).toBe("Assignees");
    expect(changedFieldLabel("data.gone", [])).toBe("gone");
    expect(changedFieldLabel("merged_from", [])).toBe("Merged from");
  });

  it("flips a sorted column and starts new ones in their natural order", () => {
    expect(nextSort("-created_at", "name")).toBe("name");
    expect(nextSort("name", "name")).toBe("-name");
    expect(nextSort("-name", "name")).toBe("name");
    expect(nextSort("name", "updated_at")).toBe("-updated_at");
    expect(sortDirection("-created_at", "created_at")).toBe("descending");
    expect(sortDirection("-created_at", "name")).toBe("none");
  });
});
