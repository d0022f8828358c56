// The pure parts of merging two leads: which fields differ, and the body the server takes.
import type { Schemas } from "../api/client";
import type { FieldDefinition, Lead } from "../api/types";
import { formatFieldValue } from "../fields";

export type Side = "this" | "other";
export type MergeBody = Schemas["LeadMergeRequest"];

export interface MergeRow {
  /** `name`, `email`, ... or `data.<key>`: the path the server's choices use. */
  field: string;
  label: string;
  mine: string;
  theirs: string;
  /** The server says both leads hold different values (emails ignoring case, phones by their
   * digits): the user picks one. */
  conflict: boolean;
}

const CORE = [
  ["name", "Name"],
  ["email", "Email"],
  ["phone", "Phone"],
  ["company", "Company"],
  ["source", "Source"],
] as const;

function shown(value: unknown, definition?: FieldDefinition): string {
  if (value === null || value === undefined || value === "") return "";
  if (Array.isArray(value) && value.length === 0) return "";
  if (definition) return formatFieldValue(definition, value);
  return String(value);
}

/** Every field either lead has a value for, side by side, core fields first; `conflicts` are
 * the server's merge preview. */
export function mergeRows(
  lead: Lead,
  other: Lead,
  definitions: FieldDefinition[],
  conflicts: readonly string[],
): MergeRow[] {
  const rows: MergeRow[] = [];
  const asked = new Set(conflicts);
  const add = (field: string, label: string, mine: string, theirs: string) => {
    if (!mine && !theirs) return;
    rows.push({ field, label, mine, theirs, conflict: asked.has(field) });
  };
  for (const [name, label] of CORE) add(name, label, shown(lead[name]), shown(other[name]));
  const keys = new Set([...Object.keys(lead.data ?? {}), ...Object.keys(other.data ?? {})]);
  for (const definition of definitions) {
    if (!keys.has(definition.field_key)) continue;
    keys.delete(definition.field_key);
    const mine = shown(lead.data?.[definition.field_key], definition);
    const theirs = shown(other.data?.[definition.field_key], definition);
    add(`data.${definition.field_key}`, definition.label, mine, theirs);
  }
  // Values of fields removed from the config since: still merged, shown as stored.
  for (const key of keys) add(`data.${key}`, key, shown(lead.data?.[key]), shown(other.data?.[key]));
  return rows;
}

/** The merge request: the choices of conflicting fields (unchosen ones keep this lead's value,
 * or the other's where this one is empty — the server's rule), and both versions read. */
export function mergeBody(lead: Lead, other: Lead, choices: Record<string, Side>): MergeBody {
  const core: Record<(typeof CORE)[number][0], Side | null> = {
    name: null,
    email: null,
    phone: null,
    company: null,
    source: null,
  };
  const data: Record<string, Side> = {};
  for (const [field, side] of Object.entries(choices)) {
    if (field.startsWith("data.")) data[field.slice(5)] = side;
    else if (field in core) core[field as keyof typeof core] = side;
  }
  const fields: NonNullable<MergeBody["fields"]> = { ...core };
  if (Object.keys(data).length > 0) fields.data = data;
  return { other: other.uid, fields, version: lead.version, other_version: other.version };
}
