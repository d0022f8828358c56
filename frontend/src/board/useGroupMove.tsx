// What the board does with a drop of several selected cards: asks once for a lost reason when
// the target wants one, sends one bulk move, then tells in a toast how many moved and names
// each refused lead with the server's reason (the list's bulk summary).
import { useCallback, useMemo, useState } from "react";
import { ApiError, errorText } from "../api/client";
import type { Board } from "../api/types";
import { BulkResult } from "../bulk/BulkResult";
import { summarize, type BulkSummary } from "../bulk/selection";
import { lostFields, type LostReasonOption } from "../moves/LostReasonInputs";
import { useToast } from "../ui/toast";
import type { BoardFilters } from "./filters";
import type { GroupPlan } from "./groupDrag";
import { useMoveCards } from "./groupMoveApi";
import type { MoveAnswers, RequiredFieldsRequest } from "./RequiredFields";

/** A summary with refusals stays long enough to be read. */
const SUMMARY_MS = 15_000;

export interface GroupAsk extends RequiredFieldsRequest {
  plan: GroupPlan;
}

/** The summary of a group drop: the server's answer, and the cards already in the column. */
export function groupSummary(plan: GroupPlan, answer: Parameters<typeof summarize>[0]): BulkSummary {
  const summary = summarize(answer, plan.names);
  return { ...summary, unchanged: summary.unchanged + plan.here.length };
}

export function useGroupMove(
  board: Board,
  filters: BoardFilters,
  lostReasons: readonly LostReasonOption[],
  /** The selection is spent once the server has answered. */
  onMoved: () => void,
) {
  const toast = useToast();
  const { mutateAsync: moveCards } = useMoveCards(filters);
  const [ask, setAsk] = useState<GroupAsk | null>(null);
  const stageNames = useMemo(() => new Map(board.columns.map((c) => [c.uid, c.name])), [board]);

  const tell = useCallback(
    (summary: BulkSummary) =>
      toast(<BulkResult action="move" summary={summary} />, summary.failed.length > 0 ? "error" : "success", {
        durationMs: summary.failed.length > 0 ? SUMMARY_MS : undefined,
      }),
    [toast],
  );

  const send = useCallback(
    async (plan: GroupPlan, lost: MoveAnswers["lost"]) => {
      const { lost_reason: lostReason, lost_note: lostNote } = lostFields(lost);
      const answer = await moveCards({ plan, lostReason, lostNote });
      onMoved();
      tell(groupSummary(plan, answer));
    },
    [moveCards, onMoved, tell],
  );

  const failed = useCallback(
    (error: unknown) =>
      toast(
        <div className="move-refusal" data-testid="move-refusal">
          <strong className="move-refusal-title">The cards were not moved</strong>
          <div>{errorText(error, "The server cannot be reached; the cards are back where they were.")}</div>
        </div>,
        "error",
      ),
    [toast],
  );

  const onGroupDrop = useCallback(
    (plan: GroupPlan) => {
      if (plan.going.length === 0) {
        // Every card's moves refuse the column: nothing is sent, each is named with its reason.
        tell({ done: 0, unchanged: plan.here.length, failed: plan.refusals });
        return;
      }
      if (plan.asksLostReason) {
        const count = plan.uids.length;
        setAsk({
          plan,
          leadName: `${count} lead${count === 1 ? "" : "s"}`,
          stageName: stageNames.get(plan.stage) ?? plan.stage,
          definitions: [],
          lostReasons: [...lostReasons],
        });
        return;
      }
      send(plan, null).catch(failed);
    },
    [failed, lostReasons, send, stageNames, tell],
  );

  const closeAsk = useCallback(() => setAsk(null), []);
  const submitAsk = useCallback(
    async ({ lost }: MoveAnswers) => {
      if (!ask) return;
      try {
        await send(ask.plan, lost);
        setAsk(null);
      } catch (error) {
        // A lost reason the server refused stays in the form, on its input.
        if (error instanceof ApiError && error.fields.lost_reason) throw error;
        setAsk(null);
        failed(error);
      }
    },
    [ask, failed, send],
  );

  return { onGroupDrop, ask, closeAsk, submitAsk };
}
