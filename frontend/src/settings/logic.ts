// The pure rules of the settings screens: reordering, the field-definition and stage drafts the
// forms edit, the PATCH bodies built from them, and where the server's error paths belong.
import type { Schemas } from "../api/client";
import type { Config, FieldDefinition, Stage } from "../api/types";

export type FieldType = Schemas["FieldType"];
export type InputType = Schemas["InputType"];
export type StageKind = Schemas["StageKind"];
export type TaskPriority = Schemas["TaskPriority"];
export type FieldOption = Schemas["FieldOption"];
export type TaskTemplateInput = Schemas["TaskTemplateInput"];

// The generated request types mark every property that has a default as present (openapi-
// typescript's defaultNonNullable), but a PATCH must leave out what it does not change: the
// server refuses explicit nulls for most keys. These are the bodies the screens really send.
export type StagePatch = Partial<Schemas["PatchedStageUpdateRequest"]>;
export type ConfigPatch = Partial<Schemas["PatchedConfigUpdateRequest"]>;
export type UserPatch = Partial<Schemas["PatchedUserUpdateRequest"]>;

/* ---------------------------------------------------------------- ordering */

/** `list` with the item at `from` moved to `to` (a new array; the input is left alone). */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const result = [...list];
  if (from < 0 || from >= result.length || to < 0 || to >= result.length || from === to) {
    return result;
  }
  const [item] = result.splice(from, 1);
  result.splice(to, 0, item as T);
  return result;
}

/** The uids after dropping `activeId` onto `overId`, or null when nothing moves. */
export function reorderUids(
  uids: readonly string[],
  activeId: string,
  overId: string | null,
): string[] | null {
  if (overId === null || activeId === overId) return null;
  const from = uids.indexOf(activeId);
  const to = uids.indexOf(overId);
  if (from < 0 || to < 0) return null;
  return moveItem(uids, from, to);
}

/** `stages` put in the order of `uids` (stages the list does not name keep their place last). */
export function applyOrder(stages: readonly Stage[], uids: readonly string[]): Stage[] {
  const position = new Map(uids.map((uid, index) => [uid, index]));
  return [...stages]
    .sort(
      (a, b) =>
        (position.get(a.uid) ?? Number.MAX_SAFE_INTEGER) -
        (position.get(b.uid) ?? Number.MAX_SAFE_INTEGER),
    )
    .map((stage, index) => ({ ...stage, order: index }));
}

/** How many stages list each stage as an allowed next stage. */
export function incomingCounts(stages: readonly Stage[]): Map<string, number> {
  const counts = new Map<string, number>(stages.map((stage) => [stage.uid, 0]));
  for (const stage of stages) {
    for (const next of stage.allowed_next_stages ?? []) {
      if (next !== stage.uid && counts.has(next)) counts.set(next, (counts.get(next) ?? 0) + 1);
    }
  }
  return counts;
}

/* ---------------------------------------------------------------- field types */

// Mirrors INPUT_TYPES_BY_FIELD_TYPE in leads/domain/enums.py (the server refuses any other
// pairing); the first input type is the one a field gets when none is chosen.
export const INPUT_TYPES_BY_FIELD_TYPE: Record<FieldType, readonly InputType[]> = {
  text: ["text", "textarea"],
  long_text: ["textarea", "text"],
  integer: ["number"],
  decimal: ["number"],
  currency: ["number"],
  boolean: ["checkbox", "radio"],
  date: ["date"],
  datetime: ["datetime"],
  email: ["email", "text"],
  phone: ["tel", "text"],
  url: ["url", "text"],
  select: ["select", "radio"],
  multi_select: ["multiselect", "checkbox"],
};

// Same families as NUMERIC_FIELD_TYPES / TEXT_FIELD_TYPES / CHOICE_FIELD_TYPES there.
export const NUMERIC_FIELD_TYPES: readonly FieldType[] = ["integer", "decimal", "currency"];
export const TEXT_FIELD_TYPES: readonly FieldType[] = ["text", "long_text", "email", "phone", "url"];
export const CHOICE_FIELD_TYPES: readonly FieldType[] = ["select", "multi_select"];
/** The types whose sum the board can show (the server's VALUE_FIELD_TYPES). */
export const VALUE_FIELD_TYPES: readonly FieldType[] = ["currency", "decimal", "integer"];

export const FIELD_TYPE_LABELS: Record<FieldType, string> = {
  text: "Text",
  long_text: "Long text",
  integer: "Integer",
  decimal: "Decimal",
  currency: "Currency",
  boolean: "Yes / no",
  date: "Date",
  datetime: "Date and time",
  email: "Email",
  phone: "Phone",
  url: "URL",
  select: "Select (one)",
  multi_select: "Select (several)",
};

export const INPUT_TYPE_LABELS: Record<InputType, string> = {
  text: "Single-line text",
  textarea: "Text area",
  number: "Number",
  email: "Email",
  tel: "Phone",
  url: "URL",
  date: "Date picker",
  datetime: "Date and time picker",
  checkbox: "Checkbox(es)",
  select: "Dropdown",
  multiselect: "Multi-select list",
  radio: "Radio buttons",
};

export const FIELD_TYPES = Object.keys(INPUT_TYPES_BY_FIELD_TYPE) as FieldType[];

export function allowedInputTypes(fieldType: FieldType): readonly InputType[] {
  return INPUT_TYPES_BY_FIELD_TYPE[fieldType];
}

/** `current` when it fits `fieldType`, else the type's default input. */
export function fitInputType(fieldType: FieldType, current: InputType | null): InputType {
  const allowed = allowedInputTypes(fieldType);
  return current !== null && allowed.includes(current) ? current : (allowed[0] as InputType);
}

export const isNumericType = (type: FieldType) => NUMERIC_FIELD_TYPES.includes(type);
export const isTextType = (type: FieldType) => TEXT_FIELD_TYPES.includes(type);
export const isChoiceType = (type: FieldType) => CHOICE_FIELD_TYPES.includes(type);
export const hasLengthRules = (type: FieldType) => isTextType(type) || type === "multi_select";

export const FIELD_KEY_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

/** A snake_case key suggested from a label: "Expected close date" -> "expected_close_date". */
export function suggestFieldKey(label: string): string {
  const words = label
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  const key = words.replace(/^[0-9_]+/, "");
  return key.slice(0, 64).replace(/_+$/, "");
}

/** An option value suggested from its label: "Mid-market" -> "mid_market". */
export function suggestOptionValue(label: string): string {
  return suggestFieldKey(label) || label.trim().slice(0, 100);
}

export const LOCK_REASON = "The workflow is locked: fields can be added but not removed or retyped";

/* ---------------------------------------------------------------- field drafts */

/** What the field form edits: strings where the user types numbers, so half-typed input stays. */
export interface FieldDraft {
  field_key: string;
  label: string;
  field_type: FieldType;
  input_type: InputType;
  required: boolean;
  options: FieldOption[];
  /** Scalar defaults as typed ("" = none; "true"/"false" for yes/no); a list for multi_select. */
  default: string | string[];
  min: string;
  max: string;
  min_length: string;
  max_length: string;
  pattern: string;
  help_text: string;
  placeholder: string;
}

export function emptyFieldDraft(): FieldDraft {
  return {
    field_key: "",
    label: "",
    field_type: "text",
    input_type: "text",
    required: false,
    options: [],
    default: "",
    min: "",
    max: "",
    min_length: "",
    max_length: "",
    pattern: "",
    help_text: "",
    placeholder: "",
  };
}

const numberText = (value: number | null | undefined) =>
  value === null || value === undefined ? "" : String(value);

function defaultDraft(definition: FieldDefinition): string | string[] {
  const value = definition.default;
  if (value === null || value === undefined) return definition.field_type === "multi_select" ? [] : "";
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (definition.field_type === "datetime" && typeof value === "string") {
    // The server stores UTC; a datetime-local input wants "YYYY-MM-DDTHH:MM".
    return new Date(value).toISOString().slice(0, 16);
  }
  return String(value);
}

export function fieldDraftFrom(definition: FieldDefinition): FieldDraft {
  return {
    field_key: definition.field_key,
    label: definition.label,
    field_type: definition.field_type,
    input_type: fitInputType(definition.field_type, definition.input_type),
    required: definition.required,
    options: (definition.options ?? []).map((option) => ({ ...option })),
    default: defaultDraft(definition),
    min: numberText(definition.min),
    max: numberText(definition.max),
    min_length: numberText(definition.min_length),
    max_length: numberText(definition.max_length),
    pattern: definition.pattern ?? "",
    help_text: definition.help_text ?? "",
    placeholder: definition.placeholder ?? "",
  };
}

/** The draft after its type changed: the input type and the rules that no longer apply reset. */
export function retypeDraft(draft: FieldDraft, fieldType: FieldType): FieldDraft {
  return {
    ...draft,
    field_type: fieldType,
    input_type: fitInputType(fieldType, draft.input_type),
    options: isChoiceType(fieldType) ? draft.options : [],
    default: fieldType === "multi_select" ? [] : "",
    min: isNumericType(fieldType) ? draft.min : "",
    max: isNumericType(fieldType) ? draft.max : "",
    min_length: hasLengthRules(fieldType) ? draft.min_length : "",
    max_length: hasLengthRules(fieldType) ? draft.max_length : "",
    pattern: isTextType(fieldType) ? draft.pattern : "",
  };
}

export type FieldErrors = Partial<Record<keyof FieldDraft | "form", string>>;

function parseNumber(text: string): number | null | "invalid" {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : "invalid";
}

function parseCount(text: string): number | null | "invalid" {
  const value = parseNumber(text);
  if (value === null || value === "invalid") return value;
  return Number.isInteger(value) && value >= 0 && value <= 1_000_000 ? value : "invalid";
}

function defaultValue(
  draft: FieldDraft,
  errors: FieldErrors,
  min: number | null,
  max: number | null,
): unknown {
  const raw = draft.default;
  if (Array.isArray(raw)) {
    if (raw.length === 0) return null;
    const known = new Set(draft.options.map((option) => option.value));
    if (raw.some((value) => !known.has(value))) errors.default = "Pick defaults among the options";
    return raw;
  }
  const text = raw.trim();
  if (text === "") return null;
  switch (draft.field_type) {
    case "integer":
    case "decimal":
    case "currency": {
      const value = Number(text);
      if (!Number.isFinite(value) || (draft.field_type === "integer" && !Number.isInteger(value))) {
        errors.default = draft.field_type === "integer" ? "Must be a whole number" : "Must be a number";
      } else if ((min !== null && value < min) || (max !== null && value > max)) {
        errors.default = "Must lie between min and max";
      }
      return value;
    }
    case "boolean":
      return text === "true";
    case "select":
      if (!draft.options.some((option) => option.value === text)) {
        errors.default = "Pick the default among the options";
      }
      return text;
    default:
      return text;
  }
}

/**
 * The FieldDefinition a draft stands for, checked the way the server checks it (key format and
 * uniqueness, options for select types, ranges, lengths, pattern), or the errors per input.
 */
export function buildFieldDefinition(
  draft: FieldDraft,
  { order, otherKeys }: { order: number; otherKeys: readonly string[] },
): { definition: FieldDefinition; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const type = draft.field_type;
  const key = draft.field_key.trim();
  if (!FIELD_KEY_PATTERN.test(key)) {
    errors.field_key = "Use lower-case letters, digits and _, starting with a letter (max 64)";
  } else if (otherKeys.includes(key)) {
    errors.field_key = "Another field already uses this key";
  }
  const label = draft.label.trim();
  if (!label) errors.label = "A label is required";
  else if (label.length > 120) errors.label = "At most 120 characters";
  if (!allowedInputTypes(type).includes(draft.input_type)) {
    errors.input_type = "This input does not fit the field type";
  }

  let options: FieldOption[] = [];
  if (isChoiceType(type)) {
    options = draft.options.map((option) => ({
      value: option.value.trim(),
      label: option.label.trim(),
    }));
    const values = options.map((option) => option.value);
    if (options.length === 0) errors.options = "Add at least one option";
    else if (options.some((option) => !option.value || !option.label)) {
      errors.options = "Every option needs a value and a label";
    } else if (new Set(values).size !== values.length) {
      errors.options = "Option values must be unique";
    } else if (options.length > 200) errors.options = "At most 200 options";
  }

  let min: number | null = null;
  let max: number | null = null;
  if (isNumericType(type)) {
    const parsedMin = parseNumber(draft.min);
    const parsedMax = parseNumber(draft.max);
    if (parsedMin === "invalid") errors.min = "Must be a number";
    else min = parsedMin;
    if (parsedMax === "invalid") errors.max = "Must be a number";
    else max = parsedMax;
    if (min !== null && max !== null && min > max) errors.max = "Must not be below min";
  }

  let minLength: number | null = null;
  let maxLength: number | null = null;
  if (hasLengthRules(type)) {
    const parsedMin = parseCount(draft.min_length);
    const parsedMax = parseCount(draft.max_length);
    if (parsedMin === "invalid") errors.min_length = "A whole number, 0 or more";
    else minLength = parsedMin;
    if (parsedMax === "invalid" || parsedMax === 0) errors.max_length = "A whole number, 1 or more";
    else maxLength = parsedMax;
    if (minLength !== null && maxLength !== null && minLength > maxLength) {
      errors.max_length = "Must not be below the minimum length";
    }
  }

  let pattern: string | null = null;
  if (isTextType(type) && draft.pattern.trim()) {
    pattern = draft.pattern.trim();
    try {
      // JavaScript's dialect is close enough to Python's to catch typos; the server decides.
      new RegExp(pattern);
    } catch {
      errors.pattern = "Not a valid regular expression";
    }
    if (pattern.length > 500) errors.pattern = "At most 500 characters";
  }
  if (draft.help_text.length > 500) errors.help_text = "At most 500 characters";
  if (draft.placeholder.length > 200) errors.placeholder = "At most 200 characters";

  const definition: FieldDefinition = {
    field_key: key,
    label,
    field_type: type,
    input_type: draft.input_type,
    required: draft.required,
    options,
    default: defaultValue({ ...draft, options }, errors, min, max),
    min,
    max,
    min_length: minLength,
    max_length: maxLength,
    pattern,
    help_text: draft.help_text.trim(),
    placeholder: draft.placeholder.trim(),
    order,
  };
  return { definition, errors };
}

/* ---------------------------------------------------------------- config */

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
  const patch: ConfigPatch = { variables: renumberFields(variables), version: config.version ?? 1 };
  const valueField = config.value_field ?? null;
  if (valueField !== null && !variables.some((item) => item.field_key === valueField)) {
    patch.value_field = null;
  }
  return patch;
}

export interface WorkflowDraft {
  workflow_name: string;
  initial_stage: string;
  /** "" = no value field. */
  value_field: string;
}

export function workflowDraftFrom(config: Config): WorkflowDraft {
  return {
    workflow_name: config.workflow_name ?? "",
    initial_stage: config.initial_stage ?? "",
    value_field: config.value_field ?? "",
  };
}

/** Only what changed, with the version; null when nothing did. */
export function buildWorkflowPatch(config: Config, draft: WorkflowDraft): ConfigPatch | null {
  const patch: ConfigPatch = {};
  const name = draft.workflow_name.trim();
  if (name !== (config.workflow_name ?? "")) patch.workflow_name = name;
  if (draft.initial_stage && draft.initial_stage !== (config.initial_stage ?? "")) {
    patch.initial_stage = draft.initial_stage;
  }
  if (draft.value_field !== (config.value_field ?? "")) {
    patch.value_field = draft.value_field || null;
  }
  if (Object.keys(patch).length === 0) return null;
  return { ...patch, version: config.version ?? 1 };
}

/** Server errors under `variables.<index>...` for the field saved at `index`, by form input. */
export function fieldErrorsFromServer(
  fields: Record<string, string[]>,
  index: number,
): { byInput: FieldErrors; rest: string[] } {
  const byInput: FieldErrors = {};
  const rest: string[] = [];
  const prefix = `variables.${index}`;
  for (const [path, messages] of Object.entries(fields)) {
    const message = messages.join("; ");
    if (path === prefix) {
      byInput.form = message;
    } else if (path.startsWith(`${prefix}.`)) {
      const input = path.slice(prefix.length + 1).split(".")[0] as keyof FieldDraft;
      byInput[input] = message;
    } else {
      rest.push(path === "variables" ? message : `${path}: ${message}`);
    }
  }
  return { byInput, rest };
}

/* ---------------------------------------------------------------- stages */

export const STAGE_KINDS: readonly StageKind[] = ["open", "won", "lost"];
export const TASK_PRIORITIES: readonly TaskPriority[] = ["low", "normal", "high", "urgent"];
/** Where a new stage's probability starts: won 100 and lost 0 as on the server, open stages low. */
export const DEFAULT_PROBABILITY: Record<StageKind, number> = { open: 10, won: 100, lost: 0 };

export interface TemplateDraft {
  /** A key for React that stays put while rows are added, moved and removed. */
  key: string;
  /** The stored template's uid, kept so task instances on leads keep their link; null = new. */
  uid: string | null;
  title: string;
  description: string;
  required: boolean;
  skippable: boolean;
  due_in_hours: string;
  priority: TaskPriority;
}

export interface StageDraft {
  name: string;
  color: string;
  kind: StageKind;
  probability: string;
  description: string;
  allowed_next_stages: string[];
  required_fields: string[];
  task_templates: TemplateDraft[];
}

let draftKeys = 0;
export function newTemplateDraft(): TemplateDraft {
  draftKeys += 1;
  return {
    key: `new-${draftKeys}`,
    uid: null,
    title: "",
    description: "",
    required: false,
    skippable: false,
    due_in_hours: "",
    priority: "normal",
  };
}

export function stageDraftFrom(stage: Stage): StageDraft {
  return {
    name: stage.name,
    color: stage.color ?? "#64748b",
    kind: stage.kind ?? "open",
    probability: String(stage.probability ?? 0),
    description: stage.description ?? "",
    allowed_next_stages: [...(stage.allowed_next_stages ?? [])],
    required_fields: [...(stage.required_fields ?? [])],
    task_templates: [...(stage.task_templates ?? [])]
      .sort((a, b) => (a.order ?? 0) - (b.order ?? 0))
      .map((template, index) => ({
        key: template.uid ?? `stored-${index}`,
        uid: template.uid ?? null,
        title: template.title,
        description: template.description ?? "",
        required: template.required ?? false,
        skippable: template.skippable ?? false,
        due_in_hours: numberText(template.due_in_hours),
        priority: template.priority ?? "normal",
      })),
  };
}

export type StageErrors = Partial<Record<keyof StageDraft | "form", string>> & {
  templates?: Record<number, Partial<Record<keyof TemplateDraft, string>>>;
};

export const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/** `selected` in the order of `all` (pipeline order for stages, field order for fields). */
export function inOrderOf(selected: readonly string[], all: readonly string[]): string[] {
  const chosen = new Set(selected);
  return all.filter((item) => chosen.has(item));
}

function templateInputs(
  drafts: readonly TemplateDraft[],
  errors: StageErrors,
): TaskTemplateInput[] {
  return drafts.map((draft, index) => {
    const title = draft.title.trim();
    const hours = parseCount(draft.due_in_hours);
    const problems: Partial<Record<keyof TemplateDraft, string>> = {};
    if (!title) problems.title = "A title is required";
    if (hours === "invalid" || (typeof hours === "number" && hours > 8760)) {
      problems.due_in_hours = "0 to 8760 hours";
    }
    if (Object.keys(problems).length) errors.templates = { ...errors.templates, [index]: problems };
    return {
      uid: draft.uid,
      title,
      description: draft.description.trim(),
      required: draft.required,
      skippable: draft.skippable,
      due_in_hours: typeof hours === "number" ? hours : null,
      priority: draft.priority,
      order: index,
    };
  });
}

function storedTemplateInputs(stage: Stage): TaskTemplateInput[] {
  return [...(stage.task_templates ?? [])]
    .sort((a, b) => (a.order ?? 0) - (b.order ?? 0))
    .map((template, index) => ({
      uid: template.uid ?? null,
      title: template.title,
      description: template.description ?? "",
      required: template.required ?? false,
      skippable: template.skippable ?? false,
      due_in_hours: template.due_in_hours ?? null,
      priority: template.priority ?? "normal",
      order: index,
    }));
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}

/** Checks shared by "add" and "edit": name, color, probability. */
function checkBasics(draft: StageDraft, errors: StageErrors): number {
  if (!draft.name.trim()) errors.name = "A name is required";
  else if (draft.name.trim().length > 80) errors.name = "At most 80 characters";
  if (!HEX_COLOR.test(draft.color)) errors.color = "A color like #2563eb";
  const probability = Number(draft.probability);
  const blank = draft.probability.trim() === "";
  if (blank || !Number.isInteger(probability) || probability < 0 || probability > 100) {
    errors.probability = "A whole number from 0 to 100";
  }
  if (draft.description.length > 2000) errors.description = "At most 2000 characters";
  return probability;
}

/** The POST body for a new stage (its next stages and tasks are set by editing it). */
export function buildStageCreate(draft: StageDraft): {
  body: Schemas["StageCreateRequest"];
  errors: StageErrors;
} {
  const errors: StageErrors = {};
  const probability = checkBasics(draft, errors);
  return {
    body: {
      uid: null,
      slug: null,
      order: null,
      name: draft.name.trim(),
      color: draft.color.toLowerCase(),
      kind: draft.kind,
      probability: errors.probability ? null : probability,
      description: draft.description.trim(),
      allowed_next_stages: [],
      required_fields: [],
      task_templates: [],
    },
    errors,
  };
}

/**
 * The PATCH body for an edited stage: only what changed, plus the version it was read at; null
 * when nothing changed. Template uids travel along so lead tasks stay linked to their template.
 */
export function buildStagePatch(
  stage: Stage,
  draft: StageDraft,
  pipeline: readonly string[],
  fieldKeys: readonly string[],
): { patch: StagePatch | null; errors: StageErrors } {
  const errors: StageErrors = {};
  const probability = checkBasics(draft, errors);
  const templates = templateInputs(draft.task_templates, errors);
  const patch: StagePatch = {};
  const name = draft.name.trim();
  if (name !== stage.name) patch.name = name;
  if (draft.color.toLowerCase() !== (stage.color ?? "").toLowerCase()) {
    patch.color = draft.color.toLowerCase();
  }
  if (draft.kind !== (stage.kind ?? "open")) patch.kind = draft.kind;
  if (!errors.probability && probability !== (stage.probability ?? 0)) patch.probability = probability;
  if (draft.description.trim() !== (stage.description ?? "")) {
    patch.description = draft.description.trim();
  }
  const next = inOrderOf(draft.allowed_next_stages, pipeline).filter((uid) => uid !== stage.uid);
  if (!sameSet(next, stage.allowed_next_stages ?? [])) patch.allowed_next_stages = next;
  const required = inOrderOf(draft.required_fields, fieldKeys);
  if (!sameSet(required, stage.required_fields ?? [])) patch.required_fields = required;
  if (JSON.stringify(templates) !== JSON.stringify(storedTemplateInputs(stage))) {
    patch.task_templates = templates;
  }
  if (Object.keys(patch).length === 0) return { patch: null, errors };
  return { patch: { ...patch, version: stage.version ?? 1 }, errors };
}

/** Server errors for a stage form: top-level inputs, template rows, and what fits nowhere. */
export function stageErrorsFromServer(fields: Record<string, string[]>): {
  errors: StageErrors;
  rest: string[];
} {
  const errors: StageErrors = {};
  const rest: string[] = [];
  const inputs: readonly string[] = [
    "name",
    "color",
    "kind",
    "probability",
    "description",
    "allowed_next_stages",
    "required_fields",
    "task_templates",
  ];
  for (const [path, messages] of Object.entries(fields)) {
    const message = messages.join("; ");
    const [head, index, attr] = path.split(".");
    if (head === "task_templates" && index !== undefined && /^\d+$/.test(index)) {
      const row = Number(index);
      const key = (attr ?? "title") as keyof TemplateDraft;
      errors.templates = { ...errors.templates, [row]: { ...errors.templates?.[row], [key]: message } };
    } else if (head !== undefined && inputs.includes(head)) {
      errors[head as keyof StageDraft] = message;
    } else {
      rest.push(`${path}: ${message}`);
    }
  }
  return { errors, rest };
}

export function hasErrors(errors: StageErrors | FieldErrors): boolean {
  return Object.entries(errors).some(([key, value]) =>
    key === "templates" ? Object.keys(value as object).length > 0 : Boolean(value),
  );
}
