// Which cards of the board are selected to be dragged or acted on together: Shift- or
// Cmd/Ctrl-click toggles a card, Escape clears them all. Cards that leave the board (other
// filters, deleted, moved out of view by someone) leave the selection: acting on a lead nobody
// sees would be acting blind.
import { useCallback, useEffect, useMemo, useState } from "react";
import type { Board } from "../api/types";
import { NO_SELECTION, clickRow, type Selection } from "../bulk/selection";

/** The cards of `selection` still on `board` (the same object when none left). */
export function keepOnBoard(selection: Selection, board: Board): Selection {
  const shown = new Set(board.columns.flatMap((column) => column.leads.map((card) => card.uid)));
  const uids = selection.uids.filter((uid) => shown.has(uid));
  if (uids.length === selection.uids.length) return selection;
  return { uids, anchor: selection.anchor !== null && shown.has(selection.anchor) ? selection.anchor : null };
}

/** A click with Shift, Cmd or Ctrl selects instead of opening the lead. */
export function selectsInstead(event: { shiftKey: boolean; metaKey: boolean; ctrlKey: boolean }): boolean {
  return event.shiftKey || event.metaKey || event.ctrlKey;
}

export function useBoardSelection(board: Board, dragging: { readonly current: boolean }) {
  const [selection, setSelection] = useState<Selection>(NO_SELECTION);

  useEffect(() => setSelection((current) => keepOnBoard(current, board)), [board]);

  const count = selection.uids.length;
  useEffect(() => {
    if (count === 0) return;
    const onKeyDown = (event: KeyboardEvent) => {
      // Escape first cancels a drag, or closes a dialog; only then does it clear the selection.
      if (event.key !== "Escape" || event.defaultPrevented || dragging.current) return;
      if (document.querySelector('[role="dialog"]')) return;
      setSelection(NO_SELECTION);
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [count]);

  const selected = useMemo<ReadonlySet<string>>(() => new Set(selection.uids), [selection]);
  const names = useMemo(
    () => new Map(board.columns.flatMap((column) => column.leads.map((card) => [card.uid, card.name] as const))),
    [board],
  );
  const toggle = useCallback((uid: string) => setSelection((current) => clickRow(current, [], uid, false)), []);
  const clear = useCallback(() => setSelection(NO_SELECTION), []);
  return { uids: selection.uids, selected, names, toggle, clear };
}

export type BoardSelection = ReturnType<typeof useBoardSelection>;
