// The board's filters live in the URL (so a filtered board can be shared and survives a
// reload), under the same names the API takes.
import { isLeadStatus, type LeadStatus } from "../app/statuses";

export interface BoardFilters {
  assigned_to: string;
  q: string;
  status: LeadStatus | "";
  tag: string;
  /** "true", or "" for no filter: an open task past due. */
  overdue: string;
  /** "true", or "": idle for longer than the stage's rot_after_days. */
  stale: string;
}

export const FILTER_KEYS = ["assigned_to", "q", "status", "tag", "overdue", "stale"] as const;

const flag = (value: string | null) => (value === "true" ? "true" : "");

export function filtersFromParams(params: URLSearchParams): BoardFilters {
  const status = params.get("status") ?? "";
  return {
    assigned_to: params.get("assigned_to")?.trim() ?? "",
    q: params.get("q")?.trim() ?? "",
    // An unknown status in a hand-edited URL would be a 400 from the server: ignore it.
    status: isLeadStatus(status) ? status : "",
    tag: params.get("tag")?.trim() ?? "",
    overdue: flag(params.get("overdue")),
    stale: flag(params.get("stale")),
  };
}

/** The filters as query parameters, without the empty ones. */
export function filterQuery(filters: BoardFilters): Partial<Record<keyof BoardFilters, string>> {
  const query: Partial<Record<keyof BoardFilters, string>> = {};
  for (const key of FILTER_KEYS) {
    if (filters[key]) query[key] = filters[key];
  }
  return query;
}

export function hasFilters(filters: BoardFilters): boolean {
  return FILTER_KEYS.some((key) => filters[key] !== "");
}

/** `params` with `key` set to `value` (removed when empty), other parameters kept. */
export function withFilter(params: URLSearchParams, key: keyof BoardFilters, value: string): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value.trim()) next.set(key, value.trim());
  else next.delete(key);
  return next;
}
