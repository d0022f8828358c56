// What `GET /api/events/` sends (the SSE contract of issue 12): one event per write of a lead,
// a stage or the config. Hand-written: an event stream is not in the OpenAPI schema.

export const LEAD_KINDS = ["lead.created", "lead.updated", "lead.moved", "lead.deleted"] as const;
export const SETUP_KINDS = ["stage.changed", "config.changed"] as const;

export type LeadEventKind = (typeof LEAD_KINDS)[number];
export type SetupEventKind = (typeof SETUP_KINDS)[number];
export type LiveEventKind = LeadEventKind | SetupEventKind;

export interface LiveEvent {
  kind: LiveEventKind;
  /** The lead's or stage's uid; "config" for the config. */
  uid: string;
  /** The version the write left the lead (or stage, or config) at. */
  version: number;
  at: string;
  /** Who wrote; null for the system (an import, automation). */
  by: { uid: string; name: string } | null;
  from_stage: string | null;
  to_stage: string | null;
  fields: string[];
}

export function isLeadEvent(event: LiveEvent): event is LiveEvent & { kind: LeadEventKind } {
  return (LEAD_KINDS as readonly string[]).includes(event.kind);
}

function text(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/** The event in an SSE message's data, or null when the data is not one (then it is ignored:
 * a stream the client half-understands must not break the page). */
export function parseEvent(kind: LiveEventKind, data: string): LiveEvent | null {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof raw !== "object" || raw === null) return null;
  const body = raw as Record<string, unknown>;
  const uid = text(body.uid);
  if (uid === null) return null;
  const by = body.by as Record<string, unknown> | null | undefined;
  const byUid = by ? text(by.uid) : null;
  return {
    kind,
    uid,
    version: typeof body.version === "number" ? body.version : 0,
    at: text(body.at) ?? "",
    by: byUid !== null && by ? { uid: byUid, name: text(by.name) ?? byUid } : null,
    from_stage: text(body.from_stage),
    to_stage: text(body.to_stage),
    fields: Array.isArray(body.fields) ? body.fields.filter((f): f is string => typeof f === "string") : [],
  };
}
