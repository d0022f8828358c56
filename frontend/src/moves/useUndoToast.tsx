// After a move: a toast that says where the lead went and offers Undo for 10 s. Undo asks the
// server to put the move back (with the version the move answered with); when it cannot, the
// server's sentence says why. The lead page also offers Undo while the server's `can_undo` says
// the reader may (UndoButton).
import { useCallback } from "react";
import { ApiError } from "../api/client";
import type { Lead } from "../api/types";
import { useToast } from "../ui/toast";
import { useUndoMove } from "./api";

export const UNDO_MS = 10_000;

export function useUndoToast() {
  const toast = useToast();
  const { mutateAsync: undo } = useUndoMove();
  return useCallback(
    (lead: Lead, stageName: string) => {
      // The reader just made this move, so it is theirs to undo; if something changed since,
      // the server refuses and its sentence says why.
      const onUndo = async () => {
        try {
          await undo({ uid: lead.uid, version: lead.version });
          toast(`“${lead.name}” is back where it was.`, "success");
        } catch (error) {
          toast(error instanceof ApiError ? error.message : "The move could not be undone.", "error");
        }
      };
      toast(
        <span data-testid="moved-toast">
          “{lead.name}” moved to {stageName}.
        </span>,
        "success",
        {
          durationMs: UNDO_MS,
          // Only a lead's last move can be undone: its older toasts go.
          key: `undo-${lead.uid}`,
          action: { label: "Undo", testId: "undo-move", onClick: () => void onUndo() },
        },
      );
    },
    [toast, undo],
  );
}

/** "Undo last move" on a lead's page, while the server says the reader may (`can_undo`). */
export function UndoButton({ lead }: { lead: Lead }) {
  const toast = useToast();
  const { mutateAsync: undo, isPending } = useUndoMove();
  if (!lead.can_undo) return null;
  const onClick = async () => {
    try {
      await undo({ uid: lead.uid, version: lead.version });
      toast(`“${lead.name}” is back where it was.`, "success");
    } catch (error) {
      toast(error instanceof ApiError ? error.message : "The move could not be undone.", "error");
    }
  };
  return (
    <button
      type="button"
      className="btn btn-small"
      data-testid="undo-last-move"
      disabled={isPending}
      onClick={() => void onClick()}
    >
      {isPending ? "Undoing…" : "Undo last move"}
    </button>
  );
}
