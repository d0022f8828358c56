// Several cards dropped together: ONE bulk move (`POST /api/leads/bulk/`, placed between the
// cards the group landed between). The cards the moves let go move at once; once the server
// has answered, those it refused go back and the others stay.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";
import type { Board } from "../api/types";
import { queryKeys } from "../app/queries";
import { bulkRequest, type BulkAnswer } from "../bulk/selection";
import { boardKey, moveCardKey } from "./api";
import type { BoardFilters } from "./filters";
import { moveCards, putBack, type GroupPlan } from "./groupDrag";

export interface GroupMove {
  plan: GroupPlan;
  lostReason?: string | null;
  lostNote?: string | null;
}

interface Optimistic {
  snapshot: Board;
  optimistic: Board;
}

/** The bulk request of a group drop: only the move's fields, placed, with the versions seen. */
export function groupMoveRequest({ plan, lostReason, lostNote }: GroupMove) {
  return {
    ...bulkRequest(plan.uids, "move", {
      to_stage: plan.stage,
      lost_reason: lostReason ?? null,
      lost_note: lostNote ?? null,
    }),
    above: plan.above,
    below: plan.below,
    versions: Object.fromEntries(plan.uids.map((uid) => [uid, plan.versions[uid] ?? 0])),
  };
}

/** The leads the server refused. */
export function refusedUids(answer: BulkAnswer): string[] {
  return answer.results.filter((item) => !item.ok).map((item) => item.uid);
}

export function useMoveCards(filters: BoardFilters) {
  const queryClient = useQueryClient();
  const key = boardKey(filters);
  return useMutation<BulkAnswer, Error, GroupMove, Optimistic | undefined>({
    // The key of the board's moves: live refetches wait for this one too.
    mutationKey: moveCardKey,
    onMutate: ({ plan }) => {
      const snapshot = queryClient.getQueryData<Board>(key);
      if (!snapshot) return undefined;
      void queryClient.cancelQueries({ queryKey: key });
      const optimistic = moveCards(snapshot, plan.going, plan.stage, plan.above, plan.below);
      queryClient.setQueryData<Board>(key, optimistic);
      return { snapshot, optimistic };
    },
    mutationFn: (move) => unwrap(api.POST("/api/leads/bulk/", { body: groupMoveRequest(move) })),
    onSuccess: (answer, _move, saved) => {
      if (!saved) return;
      const refused = refusedUids(answer);
      queryClient.setQueryData<Board>(key, (board) => (board ? putBack(board, saved.snapshot, refused) : board));
    },
    onError: (_error, { plan }, saved) => {
      if (!saved) return;
      queryClient.setQueryData<Board>(key, (board) =>
        board && board !== saved.optimistic ? putBack(board, saved.snapshot, plan.going) : saved.snapshot,
      );
    },
    // The moved cards' versions and moves are the server's to tell: everything showing leads
    // is refetched (the board once its hold is off).
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.board });
      void queryClient.invalidateQueries({ queryKey: queryKeys.leads });
      void queryClient.invalidateQueries({ queryKey: ["lead"] });
    },
  });
}
