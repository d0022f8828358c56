import { describe, expect, it } from "vitest";
import type { Lead, Stage, Task } from "../api/types";
import * as build from "../test/builders";
import {
  blockingTasks,
  changedFieldLabel,
  coreToServer,
  formatDuration,
  groupTasks,
  isOverdue,
  nextSort,
  placeServerErrors,
  sortDirection,
  transitionHint,
  transitionOptions,
  validateCore,
  type CoreValues,
} from "./logic";

/** A stage called after its uid: "stage-new" is "New". */
function stage(uid: string, overrides: Partial<Stage> = {}): Stage {
  const name = uid.replace("stage-", "").replace(/^./, (letter) => letter.toUpperCase());
  return build.stage(uid, { name, ...overrides });
}

function task(uid: string, overrides: Partial<Task> = {}): Task {
  return {
    uid,
    template_uid: null,
    stage: "stage-new",
    title: `Task ${uid}`,
    description: "",
    required: false,
    skippable: true,
    status: "pending",
    priority: "normal",
    due_at: null,
    assigned_to: null,
    created_by: null,
    completed_at: null,
    completed_by: null,
    ...overrides,
  };
}

function lead(overrides: Partial<Lead> = {}): Lead {
  return {
    uid: "LEAD-202611-00001",
    name: "Ada",
    email: null,
    phone: null,
    company: null,
    source: null,
    status: "open",
    current_stage: "stage-new",
    rank: "m",
    version: 3,
    created_by: null,
    closed_at: null,
    activity_count: 0,
    data: {},
    tasks: [],
    ...overrides,
  };
}

const industry = build.fieldDefinition({ field_key: "industry", label: "Industry" });
const lostReason = build.fieldDefinition({ field_key: "lost_reason", label: "Lost reason" });
const stages = [
  stage("stage-new", { order: 0, allowed_next_stages: ["stage-contacted", "stage-lost"] }),
  stage("stage-contacted", { order: 1, allowed_next_stages: ["stage-qualified", "stage-lost"] }),
  stage("stage-qualified", { order: 2, required_fields: ["industry"] }),
  stage("stage-won", { order: 5, kind: "won" }),
  stage("stage-lost", { order: 6, kind: "lost", required_fields: ["lost_reason"] }),
];

describe("transitionOptions", () => {
  it("offers the allowed next stages in pipeline order", () => {
    const options = transitionOptions({ lead: lead(), stages, definitions: [industry, lostReason], isAdmin: false });
    expect(options.map((option) => option.stage.uid)).toEqual(["stage-contacted", "stage-lost"]);
    expect(options[0]?.disabledReason).toBeNull();
  });

  it("disables every move while a required task of the current stage is open, naming it", () => {
    const open = task("t1", { required: true, title: "Research the company" });
    const options = transitionOptions({
      lead: lead({ tasks: [open, task("t2", { required: false })] }),
      stages,
      definitions: [],
      isAdmin: false,
    });
    for (const option of options) {
      expect(option.disabledReason).toBe("Complete the required task “Research the company” first.");
      expect(option.blockingTasks.map((blocking) => blocking.uid)).toEqual(["t1"]);
    }
  });

  it("ignores completed or skipped required tasks and those of other stages", () => {
    const tasks = [
      task("done", { required: true, status: "completed" }),
      task("skipped", { required: true, status: "skipped" }),
      task("elsewhere", { required: true, stage: "stage-contacted" }),
    ];
    expect(blockingTasks(lead({ tasks }))).toEqual([]);
  });

  it("keeps a move that only lacks the target's required fields enabled, naming the fields", () => {
    const options = transitionOptions({
      lead: lead({ current_stage: "stage-contacted" }),
      stages,
      definitions: [industry, lostReason],
      isAdmin: false,
    });
    const qualified = options.find((option) => option.stage.uid === "stage-qualified");
    expect(qualified?.disabledReason).toBeNull();
    expect(qualified?.missingFields.map((field) => field.label)).toEqual(["Industry"]);
    expect(qualified && transitionHint(qualified)).toBe("Needs Industry.");
  });

  it("counts a filled required field as present, and blank text as missing", () => {
    const filled = transitionOptions({
      lead: lead({ current_stage: "stage-contacted", data: { industry: "saas", lost_reason: "  " } }),
      stages,
      definitions: [industry, lostReason],
      isAdmin: false,
    });
    expect(filled.find((option) => option.stage.uid === "stage-qualified")?.missingFields).toEqual([]);
    expect(filled.find((option) => option.stage.uid === "stage-lost")?.missingFields.map((field) => field.field_key)).toEqual([
      "lost_reason",
    ]);
  });

  it("mentions missing fields after the blocking tasks in the hint", () => {
    const options = transitionOptions({
      lead: lead({ tasks: [task("t1", { required: true, title: "Call" }), task("t2", { required: true, title: "Mail" })] }),
      stages,
      definitions: [lostReason],
      isAdmin: false,
    });
    const lost = options.find((option) => option.stage.uid === "stage-lost");
    expect(lost && transitionHint(lost)).toBe(
      "Complete the required tasks “Call” and “Mail” first. Lost also needs Lost reason.",
    );
  });

  it("lets only admins reopen a closed lead, into any open stage", () => {
    const closed = lead({ current_stage: "stage-won", status: "won", tasks: [task("t", { stage: "stage-won", required: true })] });
    expect(transitionOptions({ lead: closed, stages, definitions: [industry], isAdmin: false })).toEqual([]);
    const options = transitionOptions({ lead: closed, stages, definitions: [industry], isAdmin: true });
    expect(options.map((option) => option.stage.uid)).toEqual(["stage-new", "stage-contacted", "stage-qualified"]);
    // Reopening is not held back by the closed stage's tasks, only by the target's fields.
    expect(options.every((option) => option.reopen && option.disabledReason === null)).toBe(true);
    expect(options[2]?.missingFields.map((field) => field.field_key)).toEqual(["industry"]);
  });

  it("offers nothing from a stage with no next stages", () => {
    expect(transitionOptions({ lead: lead({ current_stage: "stage-qualified" }), stages, definitions: [], isAdmin: true })).toEqual(
      [],
    );
  });
});

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
      task("old", { stage: "stage-new", status: "completed" }),
      task("done", { stage: "stage-contacted", status: "completed", due_at: "2026-01-01T00:00:00Z" }),
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
    expect(isOverdue(task("c", { due_at: "2026-11-25T12:00:00Z", status: "completed" }), now)).toBe(false);
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
