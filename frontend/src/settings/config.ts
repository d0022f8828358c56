// The workflow config: its field list in order, and the PATCH bodies that save the fields and
// the workflow settings (name, initial stage, value field).
import { lostReasonDrafts, lostReasonOptions, sameOptions, type LostReasonDraft } from "./lostReasons";
import type { Schemas } from "../api/client";
import type { Config, FieldDefinition } from "../api/types";

/** A config PATCH: only the keys sent change; only `value_field` may be null ("no value field"). */
export type ConfigPatch = Schemas["PatchedConfigUpdateRequest"];

export function sortedFields(variables: readonly FieldDefinition[] | undefined): FieldDefinition[] {
  return [...(variables ?? [])].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
}

/** The list with `order` renumbered 0..n-1 in list order, so the stored order is the shown one. */
export function renumberFields(variables: readonly FieldDefinition[]): FieldDefinition[] {
  return variables.map((definition, index) => ({ ...definition, order: index }));
}

/** The fields with `definition` put in place of `key` (or appended when `key` is null). */
export function upsertField(
  variables: readonly FieldDefinition[],
  key: string | null,
  definition: FieldDefinition,
): FieldDefinition[] {
  const list = sortedFields(variables);
  const index = key === null ? -1 : list.findIndex((item) => item.field_key === key);
  if (index < 0) return renumberFields([...list, definition]);
  list[index] = definition;
  return renumberFields(list);
}

export function removeField(variables: readonly FieldDefinition[], key: string): FieldDefinition[] {
  return renumberFields(sortedFields(variables).filter((item) => item.field_key !== key));
}

/**
 * The PATCH body that saves a new field list: the whole list (the server replaces it) with the
 * version the screen read, and the value field cleared when its field is gone.
 */
export function buildVariablesPatch(config: Config, variables: readonly FieldDefinition[]): ConfigPatch {
  const patch: ConfigPatch = { variables: renumberFields(variables), version: config.version };
  if (config.value_field !== null && !variables.some((item) => item.field_key === config.value_field)) {
    patch.value_field = null;
  }
  const dateField = config.forecast_date_field ?? null;
  if (dateField !== null && !variables.some((item) => item.field_key === dateField)) {
    patch.forecast_date_field = null;
  }
  return patch;
}

/** The PATCH body that locks the workflow for good. */
export function buildLockPatch(config: Config): ConfigPatch {
  return { locked: true, version: config.version };
}

export interface WorkflowDraft {
  workflow_name: string;
  initial_stage: string;
  /** "" = no value field. */
  value_field: string;
  /** "" = the forecast report has no close dates. */
  forecast_date_field: string;
  lost_reasons: LostReasonDraft[];
}

export function workflowDraftFrom(config: Config): WorkflowDraft {
  return {
    workflow_name: config.workflow_name,
    initial_stage: config.initial_stage ?? "",
    value_field: config.value_field ?? "",
    forecast_date_field: config.forecast_date_field ?? "",
    lost_reasons: lostReasonDrafts(config.lost_reasons),
  };
}

/** Only what changed, with the version; null when nothing did. */
export function buildWorkflowPatch(config: Config, draft: WorkflowDraft): ConfigPatch | null {
  const patch: ConfigPatch = {};
  const name = draft.workflow_name.trim();
  if (name !== config.workflow_name) patch.workflow_name = name;
  // An initial stage can be changed, never cleared: a blank choice sends nothing.
  if (draft.initial_stage && draft.initial_stage !== (config.initial_stage ?? "")) {
    patch.initial_stage = draft.initial_stage;
  }
  if (draft.value_field !== (config.value_field ?? "")) {
    patch.value_field = draft.value_field || null;
  }
  if (draft.forecast_date_field !== (config.forecast_date_field ?? "")) {
    patch.forecast_date_field = draft.forecast_date_field || null;
  }
  const reasons = lostReasonOptions(draft.lost_reasons);
  if (!reasons.error && !sameOptions(reasons.options, config.lost_reasons)) patch.lost_reasons = reasons.options;
  if (Object.keys(patch).length === 0) return null;
  return { ...patch, version: config.version };
}
