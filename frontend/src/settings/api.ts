// Every server call of the settings screens, as TanStack Query hooks. Each write names the
// cached queries it can make stale; `useWrite` puts the server's answer in the cache and
// refetches those, the one way settings refresh what they changed.
import {
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
  type QueryKey,
} from "@tanstack/react-query";
import { ApiError, api, unwrap, type Schemas } from "../api/client";
import type { Stage, User } from "../api/types";
import { meQueryKey } from "../app/auth";
import { queryKeys } from "../app/queries";
import type { ConfigPatch } from "./config";
import { applyOrder } from "./ordering";
import type { StagePatch } from "./stageForm";
import type { UserPatch } from "./users";

export { useConfig, useStages } from "../app/queries";

/* ---------------------------------------------------------------- what a write touches */

// The board draws one column per stage.
const STAGE_KEYS: readonly QueryKey[] = [queryKeys.stages, queryKeys.board];
// Removing a field drops it from the stages that required it; the value field totals the board.
const CONFIG_KEYS: readonly QueryKey[] = [queryKeys.config, queryKeys.stages, queryKeys.board];
// Deleting a stage moves its leads: lists and every lead page ("lead" prefixes them all).
const MOVED_LEAD_KEYS: readonly QueryKey[] = [...STAGE_KEYS, queryKeys.leads, ["lead"]];
// Changing yourself changes what you may see (and a deactivation signs you out).
const USER_KEYS: readonly QueryKey[] = [queryKeys.users, meQueryKey];

export function isVersionConflict(error: unknown): boolean {
  return error instanceof ApiError && error.code === "version_conflict";
}

interface Write<TData, TVariables> {
  mutationFn: (variables: TVariables) => Promise<TData>;
  /** The queries the write can make stale: refetched after it, and after a version conflict. */
  touches: readonly QueryKey[];
  /** Puts the server's answer in the cache at once, before the refetch. */
  put?: (cache: QueryClient, data: TData, variables: TVariables) => void;
  /** Shows the write at once; returns what undoes it if the server says no. */
  optimistic?: (cache: QueryClient, variables: TVariables) => Promise<() => void>;
}

/**
 * A settings write. Its promise settles after the refetch, so a dialog closed on success shows
 * the fresh data behind it. A refused optimistic write is undone and refetched; a version
 * conflict refetches, so the screen shows what someone else changed.
 */
function useWrite<TData, TVariables>({ mutationFn, touches, put, optimistic }: Write<TData, TVariables>) {
  const cache = useQueryClient();
  const refresh = () => Promise.all(touches.map((queryKey) => cache.invalidateQueries({ queryKey })));
  return useMutation<TData, Error, TVariables, (() => void) | undefined>({
    mutationFn,
    onMutate: optimistic ? (variables) => optimistic(cache, variables) : undefined,
    onSuccess: async (data, variables) => {
      put?.(cache, data, variables);
      await refresh();
    },
    onError: (error, _variables, undo) => {
      undo?.();
      if (undo || isVersionConflict(error)) void refresh();
    },
  });
}

/** `list` with `item` in place of the entry with the same uid. */
function replaced<T extends { uid: string }>(list: T[] | undefined, item: T): T[] | undefined {
  return list?.map((entry) => (entry.uid === item.uid ? item : entry));
}

/* ---------------------------------------------------------------- stages */

export function useCreateStage() {
  return useWrite({
    mutationFn: (body: Schemas["StageCreateRequest"]) => unwrap(api.POST("/api/stages/", { body })),
    touches: STAGE_KEYS,
    put: (cache, stage) =>
      cache.setQueryData<Stage[]>(queryKeys.stages, (list) => (list ? [...list, stage] : list)),
  });
}

export function useUpdateStage() {
  return useWrite({
    mutationFn: ({ uid, patch }: { uid: string; patch: StagePatch }) =>
      unwrap(api.PATCH("/api/stages/{uid}/", { params: { path: { uid } }, body: patch })),
    touches: STAGE_KEYS,
    put: (cache, stage) => cache.setQueryData<Stage[]>(queryKeys.stages, (list) => replaced(list, stage)),
  });
}

/** Delete a stage; `moveTo` names the stage that receives its leads when it holds some. */
export function useDeleteStage() {
  return useWrite({
    mutationFn: ({ uid, moveTo }: { uid: string; moveTo: string | null }) =>
      unwrap(
        api.DELETE("/api/stages/{uid}/", {
          params: { path: { uid }, query: moveTo ? { move_to: moveTo } : {} },
        }),
      ),
    touches: MOVED_LEAD_KEYS,
    put: (cache, { deleted }) =>
      cache.setQueryData<Stage[]>(queryKeys.stages, (list) => list?.filter((s) => s.uid !== deleted)),
  });
}

/** Put the stages in the order given: the list moves at once and moves back if refused. */
export function useReorderStages() {
  return useWrite({
    mutationFn: (order: string[]) => unwrap(api.POST("/api/stages/reorder/", { body: { order } })),
    touches: STAGE_KEYS,
    optimistic: async (cache, order) => {
      await cache.cancelQueries({ queryKey: queryKeys.stages });
      const snapshot = cache.getQueryData<Stage[]>(queryKeys.stages);
      if (snapshot) cache.setQueryData(queryKeys.stages, applyOrder(snapshot, order));
      return () => {
        if (snapshot) cache.setQueryData(queryKeys.stages, snapshot);
      };
    },
    put: (cache, stages) => cache.setQueryData(queryKeys.stages, stages),
  });
}

/* ---------------------------------------------------------------- config */

export function useUpdateConfig() {
  return useWrite({
    mutationFn: (patch: ConfigPatch) => unwrap(api.PATCH("/api/config/", { body: patch })),
    touches: CONFIG_KEYS,
    put: (cache, config) => cache.setQueryData(queryKeys.config, config),
  });
}

/* ---------------------------------------------------------------- users */

/** Every user, deactivated ones too; under `queryKeys.users` so refreshing users refreshes it. */
export const allUsersKey = [...queryKeys.users, "include-inactive"];

export function useAllUsers() {
  return useQuery<User[]>({
    queryKey: allUsersKey,
    queryFn: () => unwrap(api.GET("/api/users/", { params: { query: { include_inactive: true } } })),
  });
}

export function useCreateUser() {
  return useWrite({
    mutationFn: (body: Schemas["UserCreateRequest"]) => unwrap(api.POST("/api/users/", { body })),
    touches: USER_KEYS,
    put: (cache, user) =>
      cache.setQueryData<User[]>(allUsersKey, (list) => (list ? [...list, user] : list)),
  });
}

export function useUpdateUser() {
  return useWrite({
    mutationFn: ({ uid, patch }: { uid: string; patch: UserPatch }) =>
      unwrap(api.PATCH("/api/users/{uid}/", { params: { path: { uid } }, body: patch })),
    touches: USER_KEYS,
    put: (cache, user) => cache.setQueryData<User[]>(allUsersKey, (list) => replaced(list, user)),
  });
}
