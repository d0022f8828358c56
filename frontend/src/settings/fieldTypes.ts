// The custom field types: which inputs fit each, their families, their labels, and the keys a
// field and its options get.
import type { Schemas } from "../api/client";

export type FieldType = Schemas["FieldType"];
export type InputType = Schemas["InputType"];
export type FieldOption = Schemas["FieldOption"];

/** Every field type, in the order the type menu offers them. */
export const FIELD_TYPES: readonly FieldType[] = [
  "text",
  "long_text",
  "integer",
  "decimal",
  "currency",
  "boolean",
  "date",
  "datetime",
  "email",
  "phone",
  "url",
  "select",
  "multi_select",
];

// Mirrors INPUT_TYPES_BY_FIELD_TYPE in leads/domain/enums.py (the server refuses any other
// pairing); the first input type is the one a field gets when none is chosen.
export const INPUT_TYPES_BY_FIELD_TYPE: Record<FieldType, readonly [InputType, ...InputType[]]> = {
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

export function allowedInputTypes(fieldType: FieldType): readonly [InputType, ...InputType[]] {
  return INPUT_TYPES_BY_FIELD_TYPE[fieldType];
}

/** `current` when it fits `fieldType`, else the type's default input. */
export function fitInputType(fieldType: FieldType, current: InputType | null): InputType {
  const allowed = allowedInputTypes(fieldType);
  return current !== null && allowed.includes(current) ? current : allowed[0];
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
