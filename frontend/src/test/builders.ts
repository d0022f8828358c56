// Builders for the API objects the tests feed the screens and the logic: every property filled
// with a plain default, so a test spells out only what it is about. Test files only; nothing in
// the app imports this.
import type {
  Board,
  BoardColumn,
  Card,
  Config,
  FieldDefinition,
  Lead,
  Move,
  MoveReason,
  Stage,
  Task,
} from "../api/types";
import { plainTextDefinition } from "../fields/definitions";

const AT = "2026-11-01T00:00:00Z";

/** A custom field definition: optional, untyped input, no rules, no options. */
export function fieldDefinition(overrides: Partial<FieldDefinition> = {}): FieldDefinition {
  return { ...plainTextDefinition("f", "Field"), ...overrides };
}

/** An open stage named after its uid, with no moves, required fields or task templates. */
export function stage(uid: string, overrides: Partial<Stage> = {}): Stage {
  return {
    uid,
    name: uid,
    slug: uid,
    color: "#64748b",
    order: 0,
    kind: "open",
    probability: 10,
    description: "",
    allowed_next_stages: [],
    required_fields: [],
    task_templates: [],
    rot_after_days: null,
    version: 1,
    created_at: AT,
    updated_at: AT,
    ...overrides,
  };
}

/** The workflow config: unlocked, no custom fields, no value field. */
export function config(overrides: Partial<Config> = {}): Config {
  return {
    uid: "default",
    workflow_name: "Sales",
    variables: [],
    initial_stage: "new",
    value_field: null,
    forecast_date_field: null,
    lost_reasons: [],
    locked: false,
    version: 1,
    created_at: AT,
    updated_at: AT,
    ...overrides,
  };
}

/** A reason the server gives against a move: `reason("not_allowed")`, or with tasks / fields. */
export function reason(code: MoveReason["code"], overrides: Partial<MoveReason> = {}): MoveReason {
  return { code, message: `Refused: ${code}.`, tasks: null, fields: null, ...overrides };
}

/** A move to `to_stage`: allowed without reasons, refused with them. */
export function move(to_stage: string, reasons: MoveReason[] = []): Move {
  return { to_stage, allowed: reasons.length === 0, reasons };
}

/** A move that only lacks `fields` ([key, label] pairs) of the target. */
export function fieldsMove(to_stage: string, fields: [string, string][]): Move {
  return move(to_stage, [
    reason("missing_required_fields", {
      message: `Needs: ${fields.map(([, label]) => label).join(", ")}.`,
      fields: fields.map(([key, label]) => ({ key, label })),
    }),
  ]);
}

/** An open, optional task of stage "new". */
export function task(uid: string, overrides: Partial<Task> = {}): Task {
  return {
    uid,
    template_uid: null,
    stage: "new",
    title: `Task ${uid}`,
    description: "",
    required: false,
    skippable: true,
    status: "pending",
    done: false,
    priority: "normal",
    due_at: null,
    assigned_to: null,
    created_at: AT,
    created_by: null,
    completed_at: null,
    completed_by: null,
    ...overrides,
  };
}

/** An open lead in stage "new", without tasks, activities or moves. */
export function lead(overrides: Partial<Lead> = {}): Lead {
  return {
    uid: "LEAD-202611-00001",
    name: "Ada",
    email: null,
    phone: null,
    company: null,
    source: null,
    status: "open",
    current_stage: "new",
    rank: "m",
    stage_entered_at: AT,
    assigned_to: [],
    data: {},
    tags: [],
    version: 1,
    created_at: AT,
    updated_at: AT,
    created_by: null,
    closed_at: null,
    tasks: [],
    task_counts: { done: 0, total: 0, required_open: 0 },
    activities: [],
    activity_count: 0,
    history: [],
    moves: [],
    lost_reason: null,
    lost_note: null,
    next_due_at: null,
    last_activity_at: null,
    overdue: false,
    stale_days: null,
    can_undo: false,
    ...overrides,
  };
}

/** A board card named after its uid, open, without tasks or moves. */
export function card(uid: string, overrides: Partial<Card> = {}): Card {
  return {
    uid,
    name: `Lead ${uid}`,
    email: null,
    company: null,
    assigned_to: [],
    status: "open",
    rank: uid,
    version: 1,
    value: null,
    tasks: { done: 0, total: 0, required_open: 0 },
    updated_at: AT,
    entered_stage_at: AT,
    next_due_at: null,
    overdue: false,
    stale_days: null,
    moves: [],
    ...overrides,
  };
}

/** A Kanban column named after its uid (upper case) holding `leads`, its totals counted. */
export function column(uid: string, leads: Card[] = [], overrides: Partial<BoardColumn> = {}): BoardColumn {
  const value = leads.reduce((sum, c) => sum + (c.value ?? 0), 0);
  const probability = overrides.probability ?? 50;
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
    ...overrides,
  };
}

export function board(columns: BoardColumn[], valueField: string | null = "budget"): Board {
  return { columns, value_field: valueField };
}

/** What openapi-fetch resolves to for a status and a JSON body: give it to a spy on `api`. */
export function reply(status: number, body: unknown) {
  const ok = status < 400;
  // The client's result type is a union per operation; a test only needs its runtime shape.
  return { data: ok ? body : undefined, error: ok ? undefined : body, response: new Response(null, { status }) } as never;
}
