// The import wizard's state, kept out of the components so it can be tested on its own: which
// step an import is at (from the server's status, so a reload resumes it), the plan the user
// builds on the mapping table, and whether the preview on screen still describes that plan.
// What a row may hold, and whether a mapping is acceptable, the server decides in its preview.
import { ApiError, errorText } from "../api/client";
import type { Config } from "../api/types";
import type {
  ImportMapping,
  ImportOptions,
  ImportState,
  ImportTarget,
  ImportUpload,
  MatchOn,
  OnMatch,
} from "./types";

/* ---------------------------------------------------------------- steps */

export type Step = "mapping" | "progress" | "summary";

/** The step an uploaded import is at: the run's status decides, and anything before a run (the
 * file waits for its mapping) is the mapping step. */
export function stepOf(state: Pick<ImportState, "status">): Step {
  switch (state.status) {
    case "queued":
    case "running":
      return "progress";
    case "done":
    case "failed":
      return "summary";
    default:
      return "mapping";
  }
}

/** While the run is queued or running, the page asks for its status every second. */
export function isRunning(state: Pick<ImportState, "status"> | undefined): boolean {
  return state !== undefined && stepOf(state) === "progress";
}

export const POLL_MS = 1000;

/** Whole percent done, never past 100, 0 while the total is not known yet. */
export function percentDone({ processed, total }: Pick<ImportState, "processed" | "total">): number {
  if (total <= 0) return 0;
  return Math.min(100, Math.floor((processed / total) * 100));
}

/** The upload the mapping step shows: the upload's own answer when this tab still has it
 * (`kept`), else what the status says of the file after a reload elsewhere — its columns and
 * samples, and the mapping of an earlier run when there was one, else the upload's suggestion. */
export function uploadOf(state: ImportState, kept: ImportUpload | null | undefined): ImportUpload {
  if (kept?.uid === state.uid) return kept;
  return {
    uid: state.uid,
    file_name: state.file_name,
    columns: state.columns,
    sample_rows: state.sample_rows,
    suggested_mapping: state.mapping ?? state.suggested_mapping,
    total: state.total,
  };
}

/* ---------------------------------------------------------------- uploading */

export const MAX_UPLOAD_MB = 50;
export const ACCEPTED_FILES = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** What to say when an upload is refused: what the server found wrong with the file (its
 * `file` field: "is empty", "row 3 has 600 cells; ..."), made a sentence; else its message;
 * for a 413 that a proxy answered without the error shape, the limit. */
export function uploadErrorText(error: unknown): string {
  if (error instanceof ApiError && error.status === 413 && error.code === "error") {
    return `The file is too large: an import takes files up to ${MAX_UPLOAD_MB} MB.`;
  }
  const problems = error instanceof ApiError ? (error.fields.file ?? []) : [];
  if (problems.length) return problems.map(fileSentence).join(" ");
  return errorText(error, "The file could not be uploaded. Try again in a moment.");
}

function fileSentence(problem: string): string {
  const text = /^(is|has)\b/.test(problem)
    ? `The file ${problem}`
    : `${problem.charAt(0).toUpperCase()}${problem.slice(1)}`;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** "2.4 MB", "812 KB": the size of the file being uploaded. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/* ---------------------------------------------------------------- targets */

export interface TargetOption {
  value: string;
  label: string;
}

export interface TargetGroup {
  label: string;
  options: TargetOption[];
}

const LEAD_TARGETS: TargetOption[] = [
  { value: "uid", label: "Lead ID" },
  { value: "name", label: "Name" },
  { value: "email", label: "Email" },
  { value: "phone", label: "Phone" },
  { value: "company", label: "Company" },
  { value: "source", label: "Source" },
];

const PIPELINE_TARGETS: TargetOption[] = [
  { value: "stage", label: "Stage (by name)" },
  { value: "assigned_to", label: "Assignees (username or email)" },
  { value: "tags", label: "Tags" },
];

export const CUSTOM_PREFIX = "data.";

/** The places a column can go, grouped for the select: the lead's own fields, the config's
 * custom fields, and the pipeline. */
export function targetGroups(config: Pick<Config, "variables">): TargetGroup[] {
  const custom = [...config.variables]
    .sort((a, b) => (a.order ?? 0) - (b.order ?? 0))
    .map((field) => ({ value: `${CUSTOM_PREFIX}${field.field_key}`, label: field.label }));
  const groups = [{ label: "Lead", options: LEAD_TARGETS }];
  if (custom.length) groups.push({ label: "Custom fields", options: custom });
  groups.push({ label: "Pipeline", options: PIPELINE_TARGETS });
  return groups;
}

/* ---------------------------------------------------------------- the plan */

/** The assignee choice that assigns created leads to nobody. */
export const NOBODY = "-";

/** What the user chooses on the mapping step: `stage` "" is the workflow's initial stage;
 * `assignee` "" is the importer (the server's default), NOBODY no one, else a user's uid. */
export interface Plan {
  mapping: ImportMapping;
  matchOn: MatchOn;
  onMatch: OnMatch;
  stage: string;
  assignee: string;
}

export type PlanAction =
  | { type: "target"; column: string; target: ImportTarget }
  | { type: "matchOn"; value: MatchOn }
  | { type: "onMatch"; value: OnMatch }
  | { type: "stage"; value: string }
  | { type: "assignee"; value: string }
  | { type: "reset"; upload: ImportUpload };

/** Every column, set to its suggestion or to "don't import". */
export function suggestedMapping(upload: ImportUpload): ImportMapping {
  return Object.fromEntries(upload.columns.map((column) => [column, upload.suggested_mapping[column] ?? null]));
}

/** Match on the first identifying field a column holds: a lead id, else an email, else a phone. */
export function defaultMatchOn(mapping: ImportMapping): MatchOn {
  const targets = new Set(Object.values(mapping));
  for (const key of ["uid", "email", "phone"] as const) if (targets.has(key)) return key;
  return "none";
}

export function initialPlan(upload: ImportUpload): Plan {
  const mapping = suggestedMapping(upload);
  return { mapping, matchOn: defaultMatchOn(mapping), onMatch: "skip", stage: "", assignee: "" };
}

export function planReducer(plan: Plan, action: PlanAction): Plan {
  switch (action.type) {
    case "target":
      if (!(action.column in plan.mapping)) return plan;
      return { ...plan, mapping: { ...plan.mapping, [action.column]: action.target } };
    case "matchOn":
      return { ...plan, matchOn: action.value };
    case "onMatch":
      return { ...plan, onMatch: action.value };
    case "stage":
      return { ...plan, stage: action.value };
    case "assignee":
      return { ...plan, assignee: action.value };
    case "reset":
      return initialPlan(action.upload);
  }
}

export function importedColumns(plan: Plan): number {
  return Object.values(plan.mapping).filter((target) => target !== null).length;
}

/** The body of the preview and of the run. With nothing to match on, on_match has no say and
 * is sent as "create". */
export function optionsOf(plan: Plan): ImportOptions {
  return {
    mapping: plan.mapping,
    match_on: plan.matchOn,
    on_match: plan.matchOn === "none" ? "create" : plan.onMatch,
    stage: plan.stage || null,
    assigned_to: plan.assignee === NOBODY ? [] : plan.assignee ? [plan.assignee] : null,
  };
}

/** A preview describes the plan it was asked for; once the plan changes it must be asked again
 * before the run. */
export function sameOptions(a: ImportOptions | null, b: ImportOptions): boolean {
  if (a === null) return false;
  const mappingA = Object.entries(a.mapping);
  const same =
    a.match_on === b.match_on &&
    a.on_match === b.on_match &&
    (a.stage ?? null) === (b.stage ?? null) &&
    (a.assigned_to ?? []).join(",") === (b.assigned_to ?? []).join(",") &&
    mappingA.length === Object.keys(b.mapping).length;
  return same && mappingA.every(([column, target]) => b.mapping[column] === target);
}

/** The first non-empty sample values of a column, to show beside it. */
export function samplesOf(upload: ImportUpload, column: string, count = 3): string[] {
  const index = upload.columns.indexOf(column);
  const values: string[] = [];
  for (const row of upload.sample_rows) {
    const value = row[index];
    if (value !== null && value !== undefined && String(value).trim() !== "") values.push(String(value));
    if (values.length === count) break;
  }
  return values;
}
