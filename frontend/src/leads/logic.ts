// The form and display logic of the lead screens, kept free of React so it can be tested on its
// own: core field checks (the server's limits, to answer before a round trip), where a server
// error goes, how tasks and history read. Which moves a lead may make and when a task counts as
// done are the server's to say (`moves`, `task.done`): nothing here decides them.
import { ApiError, errorText } from "../api/client";
import type { FieldDefinition, Lead, Stage, Task } from "../api/types";
import { describeProblem, isEmailAddress, isPhoneNumber } from "../fields";

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

/** A field name that is one of the core fields (not "toString", nor a custom field). */
export function isCoreKey(name: string): name is CoreKey {
  return Object.hasOwn(CORE_LABELS, name);
}

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

/** Messages keyed by core field name, with the limits of the server's LeadCreate / LeadUpdate. */
export function validateCore(values: CoreValues): Record<string, string> {
  const errors: Record<string, string> = {};
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
    } else if (head && isCoreKey(head)) {
      placed.fields[head] ??= describeProblem(CORE_LABELS[head], message);
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
          Number(a.done) - Number(b.done) ||
          (a.due_at ? Date.parse(a.due_at) : Infinity) - (b.due_at ? Date.parse(b.due_at) : Infinity),
      ),
    }));
}

export function isOverdue(task: Task, now: Date = new Date()): boolean {
  return !task.done && task.due_at !== null && Date.parse(task.due_at) < now.getTime();
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
  if (isCoreKey(field)) return CORE_LABELS[field];
  if (field === "assigned_to") return "Assignees";
  return (Object.hasOwn(OTHER_LABELS, field) && OTHER_LABELS[field]) || field;
}

/** History keys that are no lead field: what a merge records. */
const OTHER_LABELS: Record<string, string> = { merged_from: "Merged from" };

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
