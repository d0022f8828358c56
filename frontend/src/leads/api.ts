// Every server call of the lead screens, as TanStack Query hooks. A write puts the server's copy
// of the lead (with its fresh `moves` and task counts) in the cache and refetches what shows it
// elsewhere, through `refreshLead`; a 409 means the copy on screen is stale, so it is refetched.
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import { ApiError, api, unwrap, type Schemas } from "../api/client";
import type { paths } from "../api/schema";
import type { Lead, LeadPage } from "../api/types";
import { queryKeys, refreshLead } from "../app/queries";

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
    queryFn: ({ pageParam }: { pageParam: string | null }) =>
      unwrap(
        api.GET("/api/leads/{uid}/activities/", {
          params: {
            path: { uid },
            query: {
              limit: ACTIVITY_PAGE_SIZE,
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    initialPageParam: null,
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

/** A write to lead `uid`: `leadOf` finds the server's copy of the lead in the answer (null when
 * the answer has none, and the lead is refetched instead). */
function useLeadWrite<TData, TVariables>(
  uid: string,
  mutationFn: (variables: TVariables) => Promise<TData>,
  leadOf: (data: TData) => Lead | null,
) {
  const queryClient = useQueryClient();
  return useMutation<TData, Error, TVariables>({
    mutationFn,
    onSuccess: (data) => refreshLead(queryClient, leadOf(data), uid),
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409) refreshLead(queryClient, null, uid);
    },
  });
}

/** Refetch the lead (after someone else changed it) and what shows it. */
export function useReloadLead(uid: string) {
  const queryClient = useQueryClient();
  return () => refreshLead(queryClient, null, uid);
}

const itself = (lead: Lead) => lead;

/** The fields of a PATCH: only those sent change (none is nullable but email, phone, company
 * and source, where null clears the field). */
export type LeadPatch = Schemas["PatchedLeadUpdateRequest"];

export function usePatchLead(uid: string) {
  return useLeadWrite(
    uid,
    (patch: LeadPatch) => unwrap(api.PATCH("/api/leads/{uid}/", { params: { path: { uid } }, body: patch })),
    itself,
  );
}

export function useTransitionLead(uid: string) {
  return useLeadWrite(
    uid,
    (body: Schemas["TransitionInputRequest"]) =>
      unwrap(api.POST("/api/leads/{uid}/transition/", { params: { path: { uid } }, body })),
    itself,
  );
}

export function useAssignLead(uid: string) {
  return useLeadWrite(
    uid,
    ({ userIds, mode }: { userIds: string[]; mode: Schemas["ModeEnum"] }) =>
      unwrap(
        api.POST("/api/leads/{uid}/assign/", {
          params: { path: { uid } },
          // No version: adding or removing a person commutes with other people's edits.
          body: { user_ids: userIds, mode, version: null },
        }),
      ),
    itself,
  );
}

export type TaskActionName = "complete" | "reopen" | "skip";

function postTaskAction(uid: string, taskUid: string, action: TaskActionName) {
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

export function useTaskAction(uid: string) {
  return useLeadWrite(
    uid,
    ({ taskUid, action }: { taskUid: string; action: TaskActionName }) => postTaskAction(uid, taskUid, action),
    (result) => result.lead,
  );
}

export function useAddTask(uid: string) {
  return useLeadWrite(
    uid,
    (body: Schemas["TaskCreateRequest"]) =>
      unwrap(api.POST("/api/leads/{uid}/tasks/", { params: { path: { uid } }, body })),
    () => null,
  );
}

export function useLogActivity(uid: string) {
  return useLeadWrite(
    uid,
    (body: Schemas["ActivityCreateRequest"]) =>
      unwrap(api.POST("/api/leads/{uid}/activities/", { params: { path: { uid } }, body })),
    () => null,
  );
}

export function useCreateLead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas["LeadCreateRequest"]) => unwrap(api.POST("/api/leads/", { body })),
    onSuccess: (lead) => refreshLead(queryClient, lead, lead.uid),
  });
}
