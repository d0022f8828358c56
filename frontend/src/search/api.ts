// The quick jump's one server call: a few small rows, best first (the server ranks them).
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../api/client";

export type LeadHit = Schemas["LeadHitOut"];
export type SearchLeads = (q: string) => Promise<LeadHit[]>;

export const QUICK_LIMIT = 8;

export const searchLeads: SearchLeads = async (q) =>
  (await unwrap(api.GET("/api/leads/search/", { params: { query: { q, limit: QUICK_LIMIT } } })))
    .results;

export function useQuickSearch(q: string, search: SearchLeads) {
  return useQuery<LeadHit[]>({
    queryKey: ["quick-search", q],
    queryFn: () => search(q),
    enabled: q.trim() !== "",
    // The last rows stay while the next keystroke's answer comes.
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
}
