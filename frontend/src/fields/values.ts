// Between what a lead stores for a custom field and what a form control holds: numbers are
// edited as text, date-times as the browser's local "YYYY-MM-DDTHH:mm", the rest as stored.
import type { FieldDefinition } from "../api/types";
import { formatDateTime } from "../app/queries";
import { BAD_NUMBER, isBlank, parseNumber } from "./validation";

/** What a FieldInput holds while the user edits it. */
export type FieldValue = string | boolean | string[] | null | typeof BAD_NUMBER;

function pad(value: number, size = 2): string {
  return String(value).padStart(size, "0");
}

/** An ISO moment as the "YYYY-MM-DDTHH:mm" a datetime-local input shows, in local time. */
export function toLocalInput(iso: string): string {
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return iso;
  return (
    `${pad(moment.getFullYear(), 4)}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}` +
    `T${pad(moment.getHours())}:${pad(moment.getMinutes())}`
  );
}

/** A moment as ISO 8601 in local time with its offset, e.g. 2026-11-26T14:30:00+01:00. */
export function isoWithOffset(moment: Date): string {
  const offset = -moment.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const hours = Math.floor(Math.abs(offset) / 60);
  const minutes = Math.abs(offset) % 60;
  return (
    `${pad(moment.getFullYear(), 4)}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}` +
    `T${pad(moment.getHours())}:${pad(moment.getMinutes())}:${pad(moment.getSeconds())}` +
    `${sign}${pad(hours)}:${pad(minutes)}`
  );
}

/**
 * A datetime-local value as ISO with the browser's offset: the server reads a time without an
 * offset as UTC, which is not what the person typing it meant.
 */
export function fromLocalInput(local: string): string {
  const text = local.trim();
  if (/(Z|[+-]\d{2}:?\d{2})$/.test(text)) return text;
  // "YYYY-MM-DDTHH:mm" without an offset is local time for the Date constructor.
  const moment = new Date(text.replace(" ", "T"));
  return Number.isNaN(moment.getTime()) ? text : isoWithOffset(moment);
}

/** The value a control shows when nothing is stored. */
export function blankValue(definition: FieldDefinition): FieldValue {
  if (definition.field_type === "multi_select") return [];
  if (definition.field_type === "boolean") return null;
  return "";
}

/** The stored value of a lead as a control's value. */
export function fromServerValue(definition: FieldDefinition, stored: unknown): FieldValue {
  if (stored === null || stored === undefined) return blankValue(definition);
  switch (definition.field_type) {
    case "integer":
    case "decimal":
    case "currency":
      return String(stored);
    case "boolean":
      if (typeof stored === "boolean") return stored;
      return String(stored).trim().toLowerCase() === "true";
    case "datetime":
      return typeof stored === "string" ? toLocalInput(stored) : "";
    case "multi_select":
      return Array.isArray(stored) ? stored.map(String) : [];
    default:
      return typeof stored === "string" ? stored : String(stored);
  }
}

/** A new lead's starting value: the definition's default, else blank. */
export function emptyValue(definition: FieldDefinition): FieldValue {
  return fromServerValue(definition, definition.default);
}

/** A control's value as the JSON the server takes (null clears the field). */
export function toServerValue(definition: FieldDefinition, value: FieldValue): unknown {
  if (value === BAD_NUMBER) return null;
  if (isBlank(value)) return null;
  switch (definition.field_type) {
    case "integer":
    case "decimal":
    case "currency":
      try {
        return parseNumber(value);
      } catch {
        // Not a number: send it as typed and let the server name the problem.
        return value;
      }
    case "boolean":
      return typeof value === "string" ? value.trim().toLowerCase() === "true" : value;
    case "datetime":
      return typeof value === "string" ? fromLocalInput(value) : value;
    case "multi_select":
      return Array.isArray(value) ? [...new Set(value)] : value;
    default:
      return value;
  }
}

function optionLabel(definition: FieldDefinition, value: unknown): string {
  const option = (definition.options ?? []).find((candidate) => candidate.value === value);
  return option ? option.label : String(value);
}

/** A stored value for reading ("SaaS", "$25,000", "Yes", "31 Jan 2027"). */
export function formatFieldValue(definition: FieldDefinition, stored: unknown): string {
  if (isBlank(stored)) return "—";
  switch (definition.field_type) {
    case "select":
      return optionLabel(definition, stored);
    case "multi_select":
      return Array.isArray(stored)
        ? stored.map((item) => optionLabel(definition, item)).join(", ")
        : String(stored);
    case "boolean":
      return stored === true || String(stored).toLowerCase() === "true" ? "Yes" : "No";
    case "currency":
      if (typeof stored !== "number") return String(stored);
      // Whole amounts read best without cents; others keep them.
      return new Intl.NumberFormat("en-US", {
        style: "currency",
        currency: "USD",
        minimumFractionDigits: Number.isInteger(stored) ? 0 : 2,
        maximumFractionDigits: 2,
      }).format(stored);
    case "integer":
    case "decimal":
      return typeof stored === "number" ? stored.toLocaleString("en-US") : String(stored);
    case "date": {
      const moment = new Date(`${String(stored)}T00:00:00Z`);
      if (Number.isNaN(moment.getTime())) return String(stored);
      return moment.toLocaleDateString("en-GB", {
        day: "numeric",
        month: "short",
        year: "numeric",
        timeZone: "UTC",
      });
    }
    case "datetime":
      return formatDateTime(String(stored));
    default:
      return String(stored);
  }
}
