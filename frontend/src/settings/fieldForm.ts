// The custom field form: the draft it edits, the FieldDefinition built from it (checked the way
// the server checks it), and the server's errors put back on its inputs.
import type { FieldDefinition } from "../api/types";
import { numberText, parseCount, parseNumber } from "./drafts";
import {
  allowedInputTypes,
  FIELD_KEY_PATTERN,
  fitInputType,
  hasLengthRules,
  isChoiceType,
  isNumericType,
  isTextType,
  type FieldOption,
  type FieldType,
  type InputType,
} from "./fieldTypes";

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

const FIELD_INPUTS = new Set<string>(Object.keys(emptyFieldDraft()));

function isFieldInput(name: string): name is keyof FieldDraft {
  return FIELD_INPUTS.has(name);
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

function checkOptions(draft: FieldDraft, errors: FieldErrors): FieldOption[] {
  if (!isChoiceType(draft.field_type)) return [];
  const options = draft.options.map((option) => ({
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
  return options;
}

function checkRange(draft: FieldDraft, errors: FieldErrors): { min: number | null; max: number | null } {
  if (!isNumericType(draft.field_type)) return { min: null, max: null };
  const parsedMin = parseNumber(draft.min);
  const parsedMax = parseNumber(draft.max);
  const min = parsedMin === "invalid" ? null : parsedMin;
  const max = parsedMax === "invalid" ? null : parsedMax;
  if (parsedMin === "invalid") errors.min = "Must be a number";
  if (parsedMax === "invalid") errors.max = "Must be a number";
  if (min !== null && max !== null && min > max) errors.max = "Must not be below min";
  return { min, max };
}

function checkLengths(
  draft: FieldDraft,
  errors: FieldErrors,
): { minLength: number | null; maxLength: number | null } {
  if (!hasLengthRules(draft.field_type)) return { minLength: null, maxLength: null };
  const parsedMin = parseCount(draft.min_length);
  const parsedMax = parseCount(draft.max_length);
  const minLength = parsedMin === "invalid" ? null : parsedMin;
  const maxLength = parsedMax === "invalid" || parsedMax === 0 ? null : parsedMax;
  if (parsedMin === "invalid") errors.min_length = "A whole number, 0 or more";
  if (parsedMax === "invalid" || parsedMax === 0) errors.max_length = "A whole number, 1 or more";
  if (minLength !== null && maxLength !== null && minLength > maxLength) {
    errors.max_length = "Must not be below the minimum length";
  }
  return { minLength, maxLength };
}

function checkPattern(draft: FieldDraft, errors: FieldErrors): string | null {
  if (!isTextType(draft.field_type) || !draft.pattern.trim()) return null;
  const pattern = draft.pattern.trim();
  try {
    // JavaScript's dialect is close enough to Python's to catch typos; the server decides.
    new RegExp(pattern);
  } catch {
    errors.pattern = "Not a valid regular expression";
  }
  if (pattern.length > 500) errors.pattern = "At most 500 characters";
  return pattern;
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
  const key = draft.field_key.trim();
  if (!FIELD_KEY_PATTERN.test(key)) {
    errors.field_key = "Use lower-case letters, digits and _, starting with a letter (max 64)";
  } else if (otherKeys.includes(key)) {
    errors.field_key = "Another field already uses this key";
  }
  const label = draft.label.trim();
  if (!label) errors.label = "A label is required";
  else if (label.length > 120) errors.label = "At most 120 characters";
  if (!allowedInputTypes(draft.field_type).includes(draft.input_type)) {
    errors.input_type = "This input does not fit the field type";
  }
  const options = checkOptions(draft, errors);
  const { min, max } = checkRange(draft, errors);
  const { minLength, maxLength } = checkLengths(draft, errors);
  const pattern = checkPattern(draft, errors);
  if (draft.help_text.length > 500) errors.help_text = "At most 500 characters";
  if (draft.placeholder.length > 200) errors.placeholder = "At most 200 characters";

  const definition: FieldDefinition = {
    field_key: key,
    label,
    field_type: draft.field_type,
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

/**
 * Server errors under `variables.<index>...` for the field saved at `index`, by form input; what
 * fits no input of the form (other fields, unknown paths) comes back as lines to show above it.
 */
export function fieldErrorsFromServer(
  fields: Record<string, string[]>,
  index: number,
): { byInput: FieldErrors; rest: string[] } {
  const byInput: FieldErrors = {};
  const rest: string[] = [];
  const prefix = `variables.${index}`;
  for (const [path, messages] of Object.entries(fields)) {
    const message = messages.join("; ");
    const input = path.startsWith(`${prefix}.`) ? path.slice(prefix.length + 1).split(".")[0] : undefined;
    if (path === prefix) {
      byInput.form = message;
    } else if (input !== undefined && isFieldInput(input)) {
      byInput[input] = message;
    } else {
      rest.push(path === "variables" ? message : `${path}: ${message}`);
    }
  }
  return { byInput, rest };
}
