// Server state of the lead screens: reads, and writes that refresh everything they touch.
import {
  keepPreviousData,
  useInfiniteQuery,
  useQuery,
  useQueryClient,
  type QueryClient,
} from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../api/client";
import type { paths } from "../api/schema";
import type { Lead, LeadPage } from "../api/types";
import { queryKeys } from "../app/queries";

export const ACTIVITY_PAGE_SIZE = 20;

export function useLead(uid: string) {
  return useQuery<Lead>({
    queryKey: queryKeys.lead(uid),
    queryFn: () => unwrap(api.GET("/api/leads/{uid}/", { params: { path: { uid } } })),
  });
}

export function useActivities(uid: string) {
  return useInfiniteQuery({
    queryKey: queryKeys.activities(uid),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/leads/{uid}/activities/", {
          params: {
            path: { uid },
            query: {
              limit: String(ACTIVITY_PAGE_SIZE),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export type LeadListQuery = NonNullable<paths["/api/leads/"]["get"]["parameters"]["query"]>;

export function useLeadPage(query: LeadListQuery) {
  return useQuery<LeadPage>({
    queryKey: [...queryKeys.leads, query],
    queryFn: () => unwrap(api.GET("/api/leads/", { params: { query } })),
    // Paging and filtering keep the last rows on screen instead of flashing a spinner.
    placeholderData: keepPreviousData,
  });
}

/**
 * After a write to a lead: put the server's copy in the cache and refetch what shows it
 * elsewhere (its timeline, the board, the list).
 */
export function refreshLead(queryClient: QueryClient, lead: Lead | null, uid: string) {
  if (lead) queryClient.setQueryData(queryKeys.lead(uid), lead);
  else void queryClient.invalidateQueries({ queryKey: queryKeys.lead(uid), exact: true });
  void queryClient.invalidateQueries({ queryKey: queryKeys.activities(uid) });
  void queryClient.invalidateQueries({ queryKey: queryKeys.board });
  void queryClient.invalidateQueries({ queryKey: queryKeys.leads });
}

export function useRefreshLead(uid: string) {
  const queryClient = useQueryClient();
  return (lead: Lead | null) => refreshLead(queryClient, lead, uid);
}

export type LeadPatch = Partial<Schemas["PatchedLeadUpdateRequest"]>;

export function patchLead(uid: string, patch: LeadPatch) {
  return unwrap(
    api.PATCH("/api/leads/{uid}/", {
      params: { path: { uid } },
      // The generated type lists every field of a PATCH as present-but-nullable; the server
      // treats them as optional and a null *clears* a field, so only what changed is sent.
      body: patch as Schemas["PatchedLeadUpdateRequest"],
    }),
  );
}

export function transitionLead(uid: string, body: Schemas["TransitionInputRequest"]) {
  return unwrap(api.POST("/api/leads/{uid}/transition/", { params: { path: { uid } }, body }));
}

export function assignLead(uid: string, userIds: string[], mode: Schemas["ModeEnum"]) {
  return unwrap(
    api.POST("/api/leads/{uid}/assign/", {
      params: { path: { uid } },
      // No version: adding or removing a person commutes with other people's edits.
      body: { user_ids: userIds, mode, version: null },
    }),
  );
}

export type TaskActionName = "complete" | "reopen" | "skip";

export function taskAction(uid: string, taskUid: string, action: TaskActionName) {
  const params = { params: { path: { uid, task_uid: taskUid } } };
  switch (action) {
    case "complete":
      return unwrap(api.POST("/api/leads/{uid}/tasks/{task_uid}/complete/", params));
    case "reopen":
      return unwrap(api.POST("/api/leads/{uid}/tasks/{task_uid}/reopen/", params));
    case "skip":
      return unwrap(api.POST("/api/leads/{uid}/tasks/{task_uid}/skip/", params));
  }
}

export function addTask(uid: string, body: Schemas["TaskCreateRequest"]) {
  return unwrap(api.POST("/api/leads/{uid}/tasks/", { params: { path: { uid } }, body }));
}

export function logActivity(uid: string, body: Schemas["ActivityCreateRequest"]) {
  return unwrap(api.POST("/api/leads/{uid}/activities/", { params: { path: { uid } }, body }));
}

export function createLead(body: Schemas["LeadCreateRequest"]) {
  return unwrap(api.POST("/api/leads/", { body }));
}
