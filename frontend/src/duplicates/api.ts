// Server calls of the duplicates feature: the leads that may be the same person, and merging.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, api, unwrap, type Schemas } from "../api/client";
import { queryKeys, refreshLead } from "../app/queries";
import type { MergeBody } from "./logic";

export type LeadMatch = Schemas["LeadMatchOut"];

export const duplicateKeys = {
  of: (uid: string) => ["lead", uid, "duplicates"] as const,
  byContact: (email: string, phone: string) => ["duplicates", email, phone] as const,
};

export function useDuplicates(uid: string) {
  return useQuery({
    queryKey: duplicateKeys.of(uid),
    queryFn: () => unwrap(api.GET("/api/leads/{uid}/duplicates/", { params: { path: { uid } } })),
  });
}

/** Leads with this email or this phone (compared as the server compares them), for a warning
 * while a new lead is typed. Empty values ask nothing. */
export function useContactMatches(email: string, phone: string) {
  return useQuery({
    queryKey: duplicateKeys.byContact(email, phone),
    enabled: Boolean(email || phone),
    queryFn: async () => {
      const ask = (query: { email?: string; phone?: string }) =>
        unwrap(api.GET("/api/leads/", { params: { query: { ...query, limit: 5 } } })).catch(
          // A half-typed address is a 400 for the filter: no match yet, not an error to show.
          (error: unknown) => {
            if (error instanceof ApiError && error.status === 400) return { results: [] };
            throw error;
          },
        );
      const [byEmail, byPhone] = await Promise.all([
        email ? ask({ email }) : Promise.resolve({ results: [] }),
        phone ? ask({ phone }) : Promise.resolve({ results: [] }),
      ]);
      const seen = new Map<string, { uid: string; name: string; matched: string[] }>();
      for (const [kind, page] of [["email", byEmail], ["phone", byPhone]] as const) {
        for (const lead of page.results) {
          const entry = seen.get(lead.uid) ?? { uid: lead.uid, name: lead.name, matched: [] };
          entry.matched.push(kind);
          seen.set(lead.uid, entry);
        }
      }
      return [...seen.values()];
    },
  });
}

/** The fields a merge of `otherUid` into `uid` asks about: the server compares them. */
export function useMergePreview(uid: string, otherUid: string) {
  return useQuery({
    queryKey: [...duplicateKeys.of(uid), "merge", otherUid] as const,
    queryFn: () =>
      unwrap(
        api.GET("/api/leads/{uid}/merge/", {
          params: { path: { uid }, query: { other: otherUid } },
        }),
      ),
  });
}

export function useMergeLead(uid: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: MergeBody) =>
      unwrap(api.POST("/api/leads/{uid}/merge/", { params: { path: { uid } }, body })),
    onSuccess: (lead, body) => {
      refreshLead(queryClient, lead, uid);
      queryClient.removeQueries({ queryKey: queryKeys.lead(body.other) });
      void queryClient.invalidateQueries({ queryKey: duplicateKeys.of(uid) });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409) refreshLead(queryClient, null, uid);
    },
  });
}
