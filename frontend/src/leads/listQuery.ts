// The lead list's URL, read as the API's query: which parameters filter, the sort, the page
// size, and the export link that carries the same filters. Kept apart from the page so the
// URL rules are tested without rendering it.
import { isLeadStatus } from "../app/statuses";
import type { LeadListQuery } from "./api";

export const PAGE_SIZE = 25;
export const DEFAULT_SORT = "-created_at";
// URL parameters that narrow the list (the same names the API takes).
export const FILTERS = [
  "q",
  "assigned_to",
  "stage",
  "status",
  "tag",
  "overdue",
  "stale",
  "source",
  "entered_stage",
  "entered_from",
  "entered_to",
] as const;

type LeadSort = NonNullable<LeadListQuery["sort"]>;
const SORTS: readonly LeadSort[] = ["name", "-name", "created_at", "-created_at", "updated_at", "-updated_at"];

function isSort(value: string): value is LeadSort {
  return (SORTS as readonly string[]).includes(value);
}

/** The API query for the list's URL parameters (a hand-edited bad value is ignored, not a 400). */
export function listQuery(params: URLSearchParams): LeadListQuery {
  const sort = params.get("sort") ?? "";
  const query: LeadListQuery = { limit: PAGE_SIZE, sort: isSort(sort) ? sort : DEFAULT_SORT };
  for (const name of FILTERS) {
    const value = params.get(name)?.trim();
    if (!value) continue;
    if (name === "overdue" || name === "stale") {
      if (value === "true") query[name] = true;
    } else if (name === "status") {
      if (isLeadStatus(value)) query.status = value;
    } else {
      query[name] = value;
    }
  }
  const cursor = params.get("cursor");
  if (cursor) query.cursor = cursor;
  return query;
}

/** The export of what the list shows: its filters and sort, every page, as a file. */
export function exportUrl(query: LeadListQuery, format: "csv" | "xlsx"): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (name === "limit" || name === "cursor" || value === undefined || value === null) continue;
    params.set(name, String(value));
  }
  params.set("format", format);
  return `/api/leads/export/?${params.toString()}`;
}
