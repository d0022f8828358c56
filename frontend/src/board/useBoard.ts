// The board's server state: the Kanban query (one cache entry per filter set), loading more of
// a column, the optimistic drag-and-drop move and the quick-add, all on the TanStack cache.
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";
import { api, unwrap } from "../api/client";
import type { Board, Lead } from "../api/types";
import { queryKeys } from "../app/queries";
import {
  appendPage,
  cardFromLead,
  findCard,
  insertCard,
  loadedDepth,
  moveCard,
  neighbours,
  replaceCard,
  revertMove,
} from "./boardModel";
import { filterQuery, type BoardFilters } from "./filters";

export const PER_COLUMN = 50;
/** The server's ceiling for `per_column`. */
const MAX_PER_COLUMN = 200;

export function boardKey(filters: BoardFilters) {
  return [...queryKeys.board, filterQuery(filters)] as const;
}

export function useBoardQuery(filters: BoardFilters) {
  const queryClient = useQueryClient();
  const key = useMemo(() => boardKey(filters), [filters]);
  return useQuery<Board>({
    queryKey: key,
    queryFn: ({ signal }) => {
      // A refresh asks for as many cards as the deepest column already shows, so the cards
      // people loaded with "Load more" stay on screen after a move refreshes the totals.
      const depth = loadedDepth(queryClient.getQueryData<Board>(key));
      const perColumn = Math.min(MAX_PER_COLUMN, Math.max(PER_COLUMN, depth));
      return unwrap(
        api.GET("/api/leads/kanban/", {
          params: { query: { ...filterQuery(filters), per_column: String(perColumn) } },
          signal,
        }),
      );
    },
    // Changing a filter keeps the current board on screen until the new one arrives.
    placeholderData: keepPreviousData,
  });
}

export interface MoveRequest {
  uid: string;
  toStage: string;
  /** The card's position in the target column once moved. */
  index: number;
  /** Values for the target stage's required fields, saved with the move. */
  data?: Record<string, unknown>;
}

/** Board operations bound to the cache entry of `filters`. */
export function useBoardActions(filters: BoardFilters) {
  const queryClient = useQueryClient();
  const key = useMemo(() => boardKey(filters), [filters]);

  const refreshAfterWrite = useCallback(
    (uid: string) => {
      // Counts and totals of every filter set, the lead's page and the lists are stale now.
      void queryClient.invalidateQueries({ queryKey: queryKeys.board });
      void queryClient.invalidateQueries({ queryKey: queryKeys.lead(uid) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.leads });
    },
    [queryClient],
  );

  /** Move a card at once, tell the server, and put it back if the server refuses (the
   * ApiError is rethrown for the caller to explain). Resolves false when nothing moved. */
  const move = useCallback(
    async ({ uid, toStage, index, data }: MoveRequest): Promise<boolean> => {
      const snapshot = queryClient.getQueryData<Board>(key);
      const from = snapshot ? findCard(snapshot, uid) : null;
      if (!snapshot || !from) return false;
      const optimistic = moveCard(snapshot, uid, toStage, index);
      if (optimistic === snapshot) return false;
      // A refresh in flight would land on top of the move with the old positions.
      void queryClient.cancelQueries({ queryKey: key });
      queryClient.setQueryData<Board>(key, optimistic);
      const target = optimistic.columns.find((column) => column.uid === toStage);
      const around = neighbours(target?.leads ?? [], uid);
      try {
        const lead = await unwrap(
          api.POST("/api/leads/kanban/move/", {
            body: {
              lead_uid: uid,
              to_stage: toStage,
              after: around.after,
              before: around.before,
              version: from.card.version,
              data: data ?? null,
            },
          }),
        );
        queryClient.setQueryData<Board>(key, (board) =>
          board ? replaceCard(board, cardFromLead(lead, board.value_field)) : board,
        );
        refreshAfterWrite(uid);
        return true;
      } catch (error) {
        queryClient.setQueryData<Board>(key, (board) =>
          board ? revertMove(board, snapshot, optimistic, uid) : snapshot,
        );
        // The refusal changed nothing on the server, but a stale version or a neighbour that
        // moved means this board is out of date: reload it.
        void queryClient.invalidateQueries({ queryKey: queryKeys.board });
        throw error;
      }
    },
    [key, queryClient, refreshAfterWrite],
  );

  /** Fetch the next cards of one column and append them. */
  const loadMore = useCallback(
    async (stage: string, cursor: string): Promise<void> => {
      const page = await unwrap(
        api.GET("/api/leads/kanban/", {
          params: {
            query: { ...filterQuery(filters), stage, cursor, per_column: String(PER_COLUMN) },
          },
        }),
      );
      const column = page.columns[0];
      if (!column) return;
      queryClient.setQueryData<Board>(key, (board) => (board ? appendPage(board, column) : board));
    },
    [filters, key, queryClient],
  );

  /** Create a lead by name (and the custom fields the server asked for). */
  const create = useCallback(
    async (name: string, data: Record<string, unknown> | undefined): Promise<Lead> => {
      const lead = await unwrap(
        api.POST("/api/leads/", {
          body: {
            name,
            email: null,
            phone: null,
            company: null,
            source: null,
            ...(data ? { data } : {}),
          },
        }),
      );
      queryClient.setQueryData<Board>(key, (board) =>
        board ? insertCard(board, lead.current_stage, cardFromLead(lead, board.value_field)) : board,
      );
      refreshAfterWrite(lead.uid);
      return lead;
    },
    [key, queryClient, refreshAfterWrite],
  );

  return { move, loadMore, create };
}
