// The rules the lead screens apply before asking the server, kept free of React so they can be
// tested on their own: which moves are open, why the others are not, where a server error goes.
import { ApiError, errorText } from "../api/client";
import type { FieldDefinition, Lead, Stage, Task } from "../api/types";
import { describeProblem, isBlank, isEmailAddress, isPhoneNumber } from "../fields";

// ---- core fields -------------------------------------------------------------------------

export interface CoreValues {
  name: string;
  email: string;
  phone: string;
  company: string;
  source: string;
  tags: string[];
}

export type CoreKey = keyof CoreValues;

/** The core fields in the order the lead forms show them. */
export const CORE_KEYS: CoreKey[] = ["name", "company", "email", "phone", "source", "tags"];

export const CORE_LABELS: Record<CoreKey, string> = {
  name: "Name",
  email: "Email",
  phone: "Phone",
  company: "Company",
  source: "Source",
  tags: "Tags",
};

export const MAX_TAGS = 30;
export const MAX_TAG_LENGTH = 40;

export function coreValuesOf(lead: Lead | undefined): CoreValues {
  return {
    name: lead?.name ?? "",
    email: lead?.email ?? "",
    phone: lead?.phone ?? "",
    company: lead?.company ?? "",
    source: lead?.source ?? "",
    tags: [...(lead?.tags ?? [])],
  };
}

/** Messages keyed by core field, with the limits of the server's LeadCreate / LeadUpdate. */
export function validateCore(values: CoreValues): Partial<Record<CoreKey, string>> {
  const errors: Partial<Record<CoreKey, string>> = {};
  const name = values.name.trim();
  if (!name) errors.name = "Name is required.";
  else if ([...name].length > 200) errors.name = "Name must have at most 200 characters.";
  const email = values.email.trim();
  if (email && (email.length > 254 || !isEmailAddress(email))) {
    errors.email = "Email must be an email address.";
  }
  const phone = values.phone.trim();
  if (phone && (phone.length > 40 || !isPhoneNumber(phone))) {
    errors.phone = "Phone must be a phone number (digits, spaces, + ( ) . / -).";
  }
  if ([...values.company.trim()].length > 200) {
    errors.company = "Company must have at most 200 characters.";
  }
  if ([...values.source.trim()].length > 100) {
    errors.source = "Source must have at most 100 characters.";
  }
  if (values.tags.length > MAX_TAGS) errors.tags = `A lead can have at most ${MAX_TAGS} tags.`;
  else if (values.tags.some((tag) => [...tag.trim()].length > MAX_TAG_LENGTH)) {
    errors.tags = `Each tag must have at most ${MAX_TAG_LENGTH} characters.`;
  }
  return errors;
}

/** Blank strings become null: that is how the API clears (and omits) a core field. */
export function coreToServer(values: CoreValues) {
  const orNull = (text: string) => (text.trim() ? text.trim() : null);
  return {
    name: values.name.trim(),
    email: orNull(values.email),
    phone: orNull(values.phone),
    company: orNull(values.company),
    source: orNull(values.source),
    tags: [...new Set(values.tags.map((tag) => tag.trim()).filter(Boolean))],
  };
}

// ---- server errors -----------------------------------------------------------------------

export interface PlacedErrors {
  /** Keyed like the form: a core field name or `data.<field_key>`. */
  fields: Record<string, string>;
  /** Errors about something the form does not show (kept for a banner). */
  unplaced: string[];
}

/**
 * Puts the server's `fields` (`email`, `tags.2`, `data.budget`, `body` ...) on the form fields
 * they belong to, as sentences that name the field.
 */
export function placeServerErrors(
  serverFields: Record<string, string[]>,
  definitions: FieldDefinition[],
): PlacedErrors {
  const labels = new Map(definitions.map((definition) => [definition.field_key, definition.label]));
  const placed: PlacedErrors = { fields: {}, unplaced: [] };
  for (const [path, messages] of Object.entries(serverFields)) {
    const message = messages.join(" ");
    const [head, second] = path.split(".");
    if (head === "data" && second && labels.has(second)) {
      placed.fields[`data.${second}`] = describeProblem(labels.get(second) ?? second, message);
    } else if (head && head in CORE_LABELS) {
      const key = head as CoreKey;
      placed.fields[key] ??= describeProblem(CORE_LABELS[key], message);
    } else {
      placed.unplaced.push(describeProblem(path, message));
    }
  }
  return placed;
}

/**
 * What a lead form shows when the server refuses a save: its field errors on the fields, with
 * the rest (or, without any, its message) in the banner; `fallback` when it gave no answer.
 */
export function describeSaveError(
  error: unknown,
  definitions: FieldDefinition[],
  fallback: string,
): { fields: Record<string, string>; banner: string } {
  if (error instanceof ApiError && Object.keys(error.fields).length > 0) {
    const placed = placeServerErrors(error.fields, definitions);
    const banner = placed.unplaced.length ? placed.unplaced.join(" ") : error.message;
    return { fields: placed.fields, banner };
  }
  return { fields: {}, banner: errorText(error, fallback) };
}

// ---- stages and transitions --------------------------------------------------------------

export function isOpenTask(task: Task): boolean {
  return task.status === "pending" || task.status === "in_progress";
}

/** Required tasks of the lead's current stage that are still open: they block leaving it. */
export function blockingTasks(lead: Lead): Task[] {
  return (lead.tasks ?? []).filter(
    (task) => task.stage === lead.current_stage && task.required && isOpenTask(task),
  );
}

/** The target's required fields that hold no value in `data`. */
export function missingFields(
  target: Stage,
  data: Record<string, unknown>,
  definitions: FieldDefinition[],
): FieldDefinition[] {
  const byKey = new Map(definitions.map((definition) => [definition.field_key, definition]));
  return (target.required_fields ?? [])
    .filter((key) => isBlank(data[key]))
    .map((key) => byKey.get(key) ?? placeholderDefinition(key));
}

// A required field the config no longer defines still has to be named somehow.
function placeholderDefinition(key: string): FieldDefinition {
  return {
    field_key: key,
    label: key,
    field_type: "text",
    input_type: null,
    required: true,
    options: [],
    default: null,
    min: null,
    max: null,
    min_length: null,
    max_length: null,
    pattern: null,
    help_text: "",
    placeholder: "",
    order: 0,
  };
}

export interface TransitionOption {
  stage: Stage;
  /** Open required tasks of the current stage (the move is refused until they are done). */
  blockingTasks: Task[];
  /** Fields the target needs that the lead lacks: asked for in the move itself. */
  missingFields: FieldDefinition[];
  /** Moving a won/lost lead back into an open stage (admins only). */
  reopen: boolean;
  /** Why the button is disabled, or null when it can be clicked. */
  disabledReason: string | null;
}

function listNames(names: string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1) ?? ""}`;
}

/**
 * The moves the detail page offers, in pipeline order, each with what stands in its way.
 *
 * Mirrors leads/domain/transitions.py: the target must be an allowed next stage, the current
 * stage's required tasks must be done, and the target's required fields must hold values —
 * those are asked for with the move rather than disabling it. Closed leads can only be reopened
 * into an open stage, and only by an admin.
 */
export function transitionOptions({
  lead,
  stages,
  definitions,
  isAdmin,
}: {
  lead: Lead;
  stages: Stage[];
  definitions: FieldDefinition[];
  isAdmin: boolean;
}): TransitionOption[] {
  const ordered = [...stages].sort((a, b) => a.order - b.order);
  const current = ordered.find((stage) => stage.uid === lead.current_stage);
  const data = lead.data ?? {};
  if (current && current.kind !== "open") {
    if (!isAdmin) return [];
    return ordered
      .filter((stage) => stage.kind === "open")
      .map((stage) => ({
        stage,
        blockingTasks: [],
        missingFields: missingFields(stage, data, definitions),
        reopen: true,
        disabledReason: null,
      }));
  }
  const allowed = new Set(current?.allowed_next_stages ?? []);
  const blocking = blockingTasks(lead);
  return ordered
    .filter((stage) => allowed.has(stage.uid) && stage.uid !== lead.current_stage)
    .map((stage) => {
      const missing = missingFields(stage, data, definitions);
      let disabledReason: string | null = null;
      if (blocking.length > 0) {
        const titles = listNames(blocking.map((task) => `“${task.title}”`));
        disabledReason = `Complete ${blocking.length > 1 ? "the required tasks" : "the required task"} ${titles} first.`;
      }
      return { stage, blockingTasks: blocking, missingFields: missing, reopen: false, disabledReason };
    });
}

/** A one-line summary of what a move needs, shown under its button. */
export function transitionHint(option: TransitionOption): string | null {
  if (option.disabledReason) {
    if (option.missingFields.length === 0) return option.disabledReason;
    const names = listNames(option.missingFields.map((field) => field.label));
    return `${option.disabledReason} ${option.stage.name} also needs ${names}.`;
  }
  if (option.missingFields.length > 0) {
    return `Needs ${listNames(option.missingFields.map((field) => field.label))}.`;
  }
  return null;
}

// ---- tasks -------------------------------------------------------------------------------

export interface TaskGroup {
  stageUid: string | null;
  stage: Stage | undefined;
  current: boolean;
  tasks: Task[];
}

/** Tasks by the stage they came from: the current stage first, then the rest in pipeline order. */
export function groupTasks(tasks: Task[], currentStage: string, stages: Stage[]): TaskGroup[] {
  const byUid = new Map(stages.map((stage) => [stage.uid, stage]));
  const groups = new Map<string | null, Task[]>();
  for (const task of tasks) {
    const key = task.stage ?? null;
    groups.set(key, [...(groups.get(key) ?? []), task]);
  }
  const rank = (uid: string | null) =>
    uid === currentStage ? -1 : (byUid.get(uid ?? "")?.order ?? Number.MAX_SAFE_INTEGER);
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([stageUid, groupTasks]) => ({
      stageUid,
      stage: byUid.get(stageUid ?? ""),
      current: stageUid === currentStage,
      // Open tasks first, each part by due date (undated last), so the next thing to do leads.
      tasks: [...groupTasks].sort(
        (a, b) =>
          Number(!isOpenTask(a)) - Number(!isOpenTask(b)) ||
          (a.due_at ? Date.parse(a.due_at) : Infinity) - (b.due_at ? Date.parse(b.due_at) : Infinity),
      ),
    }));
}

export function isOverdue(task: Task, now: Date = new Date()): boolean {
  return isOpenTask(task) && task.due_at !== null && Date.parse(task.due_at) < now.getTime();
}

// ---- history -----------------------------------------------------------------------------

/** "3d 4h", "2h 5m", "12m", "under a minute". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  const minutes = Math.floor(seconds / 60);
  if (minutes < 1) return "under a minute";
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return hours > 0 ? `${days}d ${hours}h` : `${days}d`;
  if (hours > 0) return rest > 0 ? `${hours}h ${rest}m` : `${hours}h`;
  return `${rest}m`;
}

/** A field of a change entry ("data.budget", "email", "assigned_to") as people call it. */
export function changedFieldLabel(field: string, definitions: FieldDefinition[]): string {
  if (field.startsWith("data.")) {
    const key = field.slice(5);
    return definitions.find((definition) => definition.field_key === key)?.label ?? key;
  }
  if (field in CORE_LABELS) return CORE_LABELS[field as CoreKey];
  if (field === "assigned_to") return "Assignees";
  return field;
}

// ---- list page ---------------------------------------------------------------------------

export type SortKey = "name" | "created_at" | "updated_at";

/** The sort after clicking a column: the same column flips, a new one starts at its natural order. */
export function nextSort(current: string, column: SortKey): string {
  if (current === column) return `-${column}`;
  if (current === `-${column}`) return column;
  return column === "name" ? "name" : `-${column}`;
}

export function sortDirection(current: string, column: SortKey): "ascending" | "descending" | "none" {
  if (current === column) return "ascending";
  if (current === `-${column}`) return "descending";
  return "none";
}
