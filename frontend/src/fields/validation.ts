// The browser's copy of the server's custom-field rules (leads/domain/fields.py), so a form can
// point at a bad value before the request is sent. The server stays the authority: whatever it
// still refuses comes back as `fields` and is shown on the same field. One file on purpose, a little
// over 300 lines: it mirrors fields.py type by type, and split up it would be harder to check the
// two against each other.
import type { FieldDefinition } from "../api/types";

/** What a number input holds when the browser cannot parse what was typed (e.g. "1e"). */
export const BAD_NUMBER: { readonly badNumber: true } = Object.freeze({ badNumber: true });

const TEXT_TYPES = new Set(["text", "long_text", "email", "phone", "url"]);
const NUMERIC_TYPES = new Set(["integer", "decimal", "currency"]);
// Same caps as the server: one lead document must stay far below MongoDB's 16 MB.
const MAX_TEXT_LENGTH = 1_000;
const MAX_LONG_TEXT_LENGTH = 20_000;
const INT64_MAX = 2 ** 63;
const PHONE_PATTERN = /^\+?[0-9 ()./-]{4,31}$/;
// email_validator refuses these top-level names (SPECIAL_USE_DOMAIN_NAMES).
const SPECIAL_USE_DOMAINS = new Set(["arpa", "invalid", "local", "localhost", "onion", "test"]);

export function isTextType(definition: FieldDefinition): boolean {
  return TEXT_TYPES.has(definition.field_type);
}

export function isNumericType(definition: FieldDefinition): boolean {
  return NUMERIC_TYPES.has(definition.field_type);
}

/** "Not filled in", exactly as the server's `is_blank`. */
export function isBlank(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    value === "" ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === "string" && value.trim() === "")
  );
}

/** The form's messages without the one for `key`: what a field shows once it is edited again.
 * The same object when there is none, so an edit of a clean field does not re-render. */
export function withoutError(errors: Record<string, string>, key: string): Record<string, string> {
  if (!(key in errors)) return errors;
  const next = { ...errors };
  delete next[key];
  return next;
}

/** Why a value does not fit; the phrase follows the field's label ("Budget must be ..."). */
class Refused extends Error {}

function refuse(phrase: string): never {
  throw new Refused(phrase);
}

function codePoints(text: string): number {
  return [...text].length;
}

function checkLength(definition: FieldDefinition, size: number, unit: string): void {
  if (definition.min_length !== null && definition.min_length !== undefined) {
    if (size < definition.min_length) refuse(`must have at least ${definition.min_length} ${unit}`);
  }
  if (definition.max_length !== null && definition.max_length !== undefined) {
    if (size > definition.max_length) refuse(`must have at most ${definition.max_length} ${unit}`);
  }
}

/** A compiled `^(?:pattern)$`, or null when the pattern is Python-only syntax JS cannot read. */
function fullMatcher(pattern: string): RegExp | null {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    // The server checks it anyway; better no browser check than a wrong one.
    return null;
  }
}

function checkText(definition: FieldDefinition, value: unknown): string {
  if (typeof value !== "string") refuse("must be a string");
  const text = value.trim();
  const limit = definition.field_type === "long_text" ? MAX_LONG_TEXT_LENGTH : MAX_TEXT_LENGTH;
  if (codePoints(text) > limit) refuse(`must have at most ${limit} characters`);
  checkLength(definition, codePoints(text), "characters");
  if (definition.pattern) {
    const matcher = fullMatcher(definition.pattern);
    if (matcher && !matcher.test(text)) refuse("does not match the required format");
  }
  return text;
}

// Python's float() syntax (digits with optional underscores, fraction, exponent); JS Number()
// would also take "0x10" or "" which the server refuses.
const DECIMAL_SYNTAX = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const NON_FINITE_SYNTAX = /^[+-]?(?:inf|infinity|nan)$/i;

/** The number a value stands for, as the server's `_number` reads it. */
export function parseNumber(value: unknown): number {
  if (typeof value === "boolean") refuse("must be a number");
  let number: number;
  if (typeof value === "number") {
    number = value;
  } else if (typeof value === "string") {
    const text = value.trim().replaceAll(",", "");
    if (NON_FINITE_SYNTAX.test(text)) refuse("must be a finite number");
    if (!DECIMAL_SYNTAX.test(text)) refuse("must be a number");
    number = Number(text.replaceAll("_", ""));
  } else {
    refuse("must be a number");
  }
  if (!Number.isFinite(number)) refuse("must be a finite number");
  return number;
}

function checkRange(definition: FieldDefinition, number: number): void {
  if (definition.min !== null && definition.min !== undefined && number < definition.min) {
    refuse(`must be at least ${definition.min}`);
  }
  if (definition.max !== null && definition.max !== undefined && number > definition.max) {
    refuse(`must be at most ${definition.max}`);
  }
}

/** True when `text` is an address email_validator (no deliverability check) would accept. */
export function isEmailAddress(text: string): boolean {
  const at = text.lastIndexOf("@");
  if (at <= 0 || at === text.length - 1) return false;
  const local = text.slice(0, at);
  const domain = text.slice(at + 1);
  if (codePoints(local) > 64 || codePoints(text) > 254) return false;
  // Unquoted local part: letters (any script), digits and the RFC 5322 atom symbols.
  if (!/^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-]+$/u.test(local)) return false;
  if (local.startsWith(".") || local.endsWith(".") || local.includes("..")) return false;
  const labels = domain.toLowerCase().split(".");
  if (labels.length < 2) return false;
  for (const label of labels) {
    if (!label || codePoints(label) > 63) return false;
    if (!/^[\p{L}\p{N}-]+$/u.test(label)) return false;
    if (label.startsWith("-") || label.endsWith("-")) return false;
  }
  const top = labels.at(-1) ?? "";
  if (/^\d+$/.test(top)) return false;
  return !SPECIAL_USE_DOMAINS.has(top);
}

export function isPhoneNumber(text: string): boolean {
  const phone = text.trim().split(/\s+/).join(" ");
  const digits = phone.replace(/\D/g, "").length;
  return PHONE_PATTERN.test(phone) && digits >= 4;
}

export function isWebAddress(text: string): boolean {
  try {
    // WHATWG URL parsing, the same rules as the server's pydantic_core Url.
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

const DATE_SYNTAX = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isCalendarDate(text: string): boolean {
  const match = DATE_SYNTAX.exec(text.trim());
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1) return false;
  const moment = new Date(Date.UTC(2000, month - 1, day));
  moment.setUTCFullYear(year);
  return moment.getUTCMonth() === month - 1 && moment.getUTCDate() === day;
}

// What datetime.fromisoformat takes in practice: a date, optionally a time (hours, minutes,
// seconds, fraction) and an offset (a missing one means UTC on the server; forms always send one).
const DATETIME_SYNTAX =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

export function isDateTime(text: string): boolean {
  const match = DATETIME_SYNTAX.exec(text.trim());
  if (!match || !isCalendarDate(match[1] ?? "")) return false;
  const hours = Number(match[2] ?? "0");
  const minutes = Number(match[3] ?? "0");
  const seconds = Number(match[4] ?? "0");
  return hours < 24 && minutes < 60 && seconds < 60;
}

function checkValue(definition: FieldDefinition, value: unknown): void {
  switch (definition.field_type) {
    case "text":
    case "long_text":
      checkText(definition, value);
      return;
    case "email":
      if (!isEmailAddress(checkText(definition, value))) refuse("must be an email address");
      return;
    case "phone":
      if (!isPhoneNumber(checkText(definition, value))) {
        refuse("must be a phone number (digits, spaces, + ( ) . / -)");
      }
      return;
    case "url":
      if (!isWebAddress(checkText(definition, value))) {
        refuse("must be a web address (http:// or https://)");
      }
      return;
    case "integer": {
      if (value === BAD_NUMBER) refuse("must be a whole number");
      const number = parseNumber(value);
      if (!Number.isInteger(number)) refuse("must be a whole number");
      if (Math.abs(number) >= INT64_MAX) refuse("is too large");
      checkRange(definition, number);
      return;
    }
    case "decimal":
      if (value === BAD_NUMBER) refuse("must be a number");
      checkRange(definition, parseNumber(value));
      return;
    case "currency":
      if (value === BAD_NUMBER) refuse("must be a number");
      // The server keeps amounts rounded to cents and checks the range after rounding.
      checkRange(definition, Math.round(parseNumber(value) * 100) / 100);
      return;
    case "boolean":
      if (typeof value === "boolean") return;
      if (typeof value === "string" && ["true", "false"].includes(value.trim().toLowerCase())) {
        return;
      }
      refuse("must be true or false");
    case "date":
      if (typeof value !== "string" || !isCalendarDate(value)) refuse("must be a date (YYYY-MM-DD)");
      return;
    case "datetime":
      if (typeof value !== "string" || !isDateTime(value)) {
        refuse("must be a date and time");
      }
      return;
    case "select": {
      const allowed = (definition.options ?? []).map((option) => option.value);
      if (typeof value !== "string" || !allowed.includes(value)) refuse("must be one of the options");
      return;
    }
    case "multi_select": {
      if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
        refuse("must be a list of options");
      }
      const allowed = new Set((definition.options ?? []).map((option) => option.value));
      if (value.some((item) => !allowed.has(item))) refuse("holds an option that does not exist");
      checkLength(definition, new Set(value).size, "choices");
      return;
    }
  }
}

/** The server-style phrase for a value that does not fit ("must be a whole number"), or null. */
export function fieldProblem(definition: FieldDefinition, value: unknown): string | null {
  if (isBlank(value)) return definition.required ? "is required" : null;
  try {
    checkValue(definition, value);
    return null;
  } catch (error) {
    if (error instanceof Refused) return error.message;
    throw error;
  }
}

/** A server or browser phrase as a sentence that names the field. */
export function describeProblem(label: string, phrase: string): string {
  const text = phrase.trim().replace(/\.$/, "");
  if (/^(is|must|does|has|holds|cannot|should|needs|unknown option)/i.test(text)) {
    return `${label} ${text}.`;
  }
  // A message that is a sentence of its own (e.g. from the JSON parser) keeps it, after the label.
  return `${label}: ${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** A message for the user when `value` does not fit `definition`, else null. */
export function validateFieldValue(definition: FieldDefinition, value: unknown): string | null {
  const problem = fieldProblem(definition, value);
  return problem === null ? null : describeProblem(definition.label, problem);
}

/**
 * Messages keyed `data.<field_key>` (the server's error keys) for a whole `data` object.
 *
 * `partial` mirrors an update: only the keys present are checked. Without it (a create) every
 * definition is checked, and a missing key is fine when its definition has a default.
 */
export function validateData(
  definitions: FieldDefinition[],
  data: Record<string, unknown>,
  { partial = false }: { partial?: boolean } = {},
): Record<string, string> {
  const errors: Record<string, string> = {};
  const byKey = new Map(definitions.map((definition) => [definition.field_key, definition]));
  for (const key of Object.keys(data)) {
    if (!byKey.has(key)) errors[`data.${key}`] = `${key} is not a field of this workflow.`;
  }
  for (const definition of definitions) {
    const key = definition.field_key;
    const present = Object.hasOwn(data, key);
    if (!present) {
      if (partial) continue;
      if (definition.default !== null && definition.default !== undefined) continue;
    }
    const message = validateFieldValue(definition, present ? data[key] : null);
    if (message) errors[`data.${key}`] = message;
  }
  return errors;
}
