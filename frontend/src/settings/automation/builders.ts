// Rules, runs and users as the server sends them, for this folder's tests. Test files only.
import type { User } from "../../api/types";
import type { Rule, Run } from "./api";

const AT = "2026-11-30T12:00:00Z";

export function rule(uid: string, overrides: Partial<Rule> = {}): Rule {
  return {
    uid,
    name: "Call back",
    active: true,
    trigger: { kind: "stage_entered", stage: "contacted" },
    actions: [{ kind: "add_task", title: "Call back", due_in_days: null, required: false }],
    version: 1,
    created_at: AT,
    updated_at: AT,
    created_by: { uid: "usr-ada", name: "Ada" },
    sentence: "When a lead enters Contacted, add the task “Call back”.",
    stats: { runs: 0, failures: 0, last_run_at: null, last_error: null },
    ...overrides,
  };
}

export function run(id: string, overrides: Partial<Run> = {}): Run {
  return {
    id,
    at: AT,
    rule: "rule-1",
    lead: "LEAD-202611-00001",
    event_seq: 4,
    status: "ok",
    actions: [{ kind: "add_task", status: "ok", message: null }],
    error: null,
    ...overrides,
  };
}

export function user(uid: string, name: string): User {
  return {
    uid,
    username: name.toLowerCase(),
    display_name: name,
    email: null,
    role: "member",
    is_active: true,
    created_at: AT,
  };
}
