// Every server call of the board, as TanStack Query hooks: the Kanban query (one cache entry
// per filter set), the optimistic drag-and-drop move, loading more of a column and the
// quick-add. Writes refresh the caches through `refreshLead`, as the lead pages do.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { api, unwrap } from "../api/client";
import type { paths } from "../api/schema";
import type { Board, Lead } from "../api/types";
import { isLeadStatus } from "../app/statuses";
import { queryKeys, refreshLead } from "../app/queries";
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

type KanbanQuery = NonNullable<paths["/api/leads/kanban/"]["get"]["parameters"]["query"]>;

/** The filters as the Kanban endpoint types them (flags are booleans there, text in the URL). */
function kanbanQuery(filters: BoardFilters): KanbanQuery {
  const { overdue, stale, status, ...text } = filterQuery(filters);
  return {
    ...text,
    ...(status && isLeadStatus(status) ? { status } : {}),
    ...(overdue ? { overdue: true } : {}),
    ...(stale ? { stale: true } : {}),
  };
}

export function boardKey(filters: BoardFilters) {
  return [...queryKeys.board, filterQuery(filters)] as const;
}

function useBoardKey(filters: BoardFilters) {
  return useMemo(() => boardKey(filters), [filters]);
}

export function useBoardQuery(filters: BoardFilters) {
  const queryClient = useQueryClient();
  const key = useBoardKey(filters);
  return useQuery<Board>({
    queryKey: key,
    queryFn: ({ signal }) => {
      // A refresh asks for as many cards as the deepest column already shows, so the cards
      // people loaded with "Load more" stay on screen after a move refreshes the totals.
      const depth = loadedDepth(queryClient.getQueryData<Board>(key));
      const perColumn = Math.min(MAX_PER_COLUMN, Math.max(PER_COLUMN, depth));
      return unwrap(
        api.GET("/api/leads/kanban/", {
          params: { query: { ...kanbanQuery(filters), per_column: perColumn } },
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
  data?: Record<string, unknown> | null;
  /** Why the lead was lost, when the target is a lost stage. */
  lostReason?: string | null;
  lostNote?: string | null;
}

interface Optimistic {
  snapshot: Board;
  optimistic: Board;
}

/** Names the board's moves in flight (`useIsMutating`): live refetches wait for them. */
export const moveCardKey = [...queryKeys.board, "move"] as const;

/**
 * Move a card: at once in the cache, then on the server; a refusal puts it back and rejects
 * with the ApiError for the caller to explain. The server's answer is the lead, whose card
 * (with its new `moves`) replaces the optimistic one until the board's refetch lands.
 */
export function useMoveCard(filters: BoardFilters) {
  const queryClient = useQueryClient();
  const key = useBoardKey(filters);
  return useMutation<Lead, Error, MoveRequest, Optimistic | undefined>({
    mutationKey: moveCardKey,
    onMutate: ({ uid, toStage, index }) => {
      const snapshot = queryClient.getQueryData<Board>(key);
      if (!snapshot || !findCard(snapshot, uid)) return undefined;
      // A refresh in flight would land on top of the move with the old positions.
      void queryClient.cancelQueries({ queryKey: key });
      const optimistic = moveCard(snapshot, uid, toStage, index);
      queryClient.setQueryData<Board>(key, optimistic);
      return { snapshot, optimistic };
    },
    mutationFn: ({ uid, toStage, data, lostReason, lostNote }) => {
      // Read after onMutate: the neighbours are those of the card's new place.
      const board = queryClient.getQueryData<Board>(key);
      const place = board ? findCard(board, uid) : null;
      if (!place) return Promise.reject(new Error(`${uid} is not on the board`));
      const around = neighbours(place.column.leads, uid);
      return unwrap(
        api.POST("/api/leads/kanban/move/", {
          body: {
            lead_uid: uid,
            to_stage: toStage,
            above: around.above,
            below: around.below,
            version: place.card.version,
            data: data ?? null,
            lost_reason: lostReason ?? null,
            lost_note: lostNote ?? null,
          },
        }),
      );
    },
    onSuccess: (lead) => {
      queryClient.setQueryData<Board>(key, (board) =>
        board ? replaceCard(board, cardFromLead(lead, board.value_field)) : board,
      );
      refreshLead(queryClient, lead, lead.uid);
    },
    onError: (_error, { uid }, saved) => {
      if (saved) {
        queryClient.setQueryData<Board>(key, (board) =>
          board ? revertMove(board, saved.snapshot, saved.optimistic, uid) : saved.snapshot,
        );
      }
      // The refusal changed nothing on the server, but a stale version or a neighbour that
      // moved means this board is out of date: reload it.
      void queryClient.invalidateQueries({ queryKey: queryKeys.board });
    },
  });
}

/** The next cards of one column, appended to it. */
export function useLoadMore(filters: BoardFilters) {
  const queryClient = useQueryClient();
  const key = useBoardKey(filters);
  return useMutation({
    mutationFn: ({ stage, cursor }: { stage: string; cursor: string }) =>
      unwrap(
        api.GET("/api/leads/kanban/", {
          params: { query: { ...kanbanQuery(filters), stage, cursor, per_column: PER_COLUMN } },
        }),
      ),
    onSuccess: (page) => {
      const column = page.columns[0];
      if (!column) return;
      queryClient.setQueryData<Board>(key, (board) => (board ? appendPage(board, column) : board));
    },
  });
}

/** Create a lead by name (and the custom fields the server asked for), on top of its column. */
export function useQuickAdd(filters: BoardFilters) {
  const queryClient = useQueryClient();
  const key = useBoardKey(filters);
  return useMutation({
    mutationFn: ({ name, data }: { name: string; data: Record<string, unknown> | undefined }) =>
      unwrap(
        api.POST("/api/leads/", {
          // assigned_to null: the server assigns the creator, as from the full form.
          body: {
            name,
            email: null,
            phone: null,
            company: null,
            source: null,
            assigned_to: null,
            ...(data ? { data } : {}),
          },
        }),
      ),
    onSuccess: (lead) => {
      queryClient.setQueryData<Board>(key, (board) =>
        board ? insertCard(board, lead.current_stage, cardFromLead(lead, board.value_field)) : board,
      );
      refreshLead(queryClient, lead, lead.uid);
    },
  });
}
