// The bulk endpoint and what feeds it: one mutation, and the uids of every lead a list filter
// matches (up to the bulk limit).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";
import { queryKeys } from "../app/queries";
import type { LeadPage } from "../api/types";
import type { LeadListQuery } from "../leads/api";
import { BULK_LIMIT, type BulkAnswer, type BulkRequest } from "./selection";

// The list's largest page.
const PAGE = 200;

export function useBulkAction() {
  const queryClient = useQueryClient();
  return useMutation<BulkAnswer, Error, BulkRequest>({
    mutationFn: (body) => unwrap(api.POST("/api/leads/bulk/", { body })),
    // Refused leads may be stale on screen too: everything that shows leads is refetched.
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.board });
      void queryClient.invalidateQueries({ queryKey: queryKeys.leads });
      void queryClient.invalidateQueries({ queryKey: ["lead"] });
    },
  });
}

export interface Matching {
  uids: string[];
  names: Map<string, string>;
  /** More leads match than one bulk request takes. */
  truncated: boolean;
}

/** The leads the list's filters match, in its order, at most BULK_LIMIT (pages of 200). */
export async function fetchMatching(query: LeadListQuery): Promise<Matching> {
  const names = new Map<string, string>();
  let cursor: string | null = null;
  const base: LeadListQuery = { ...query, limit: PAGE };
  delete base.cursor;
  do {
    const page: LeadPage = await unwrap(api.GET("/api/leads/", { params: { query: cursor ? { ...base, cursor } : base } }));
    for (const row of page.results) names.set(row.uid, row.name);
    cursor = page.next_cursor;
  } while (cursor && names.size < BULK_LIMIT);
  const uids = [...names.keys()];
  return { uids: uids.slice(0, BULK_LIMIT), names, truncated: uids.length > BULK_LIMIT || cursor !== null };
}
