// The bar over the board while cards are selected: how many, how to move them (drag one), the
// bulk actions that make sense here (the list's dialogs: assign, tag, untag, delete) and Clear.
import { BulkActionButtons, useBulkActions } from "../bulk/BulkActions";
import "./selection.css";
import type { BulkAction } from "../bulk/selection";
import type { BoardSelection } from "./useBoardSelection";

const ACTIONS: BulkAction[] = ["assign", "tag", "untag", "delete"];

export function BoardSelectionBar({ selection, hidden }: { selection: BoardSelection; hidden: boolean }) {
  const bulk = useBulkActions(selection);
  const count = selection.uids.length;
  if (count === 0 && !bulk.active) return null;

  return (
    <>
      {count > 0 && !hidden ? (
        <div className="board-selection-bar" role="region" aria-label="Selected cards" data-testid="board-selection-bar">
          <strong role="status" data-testid="board-selection-count">
            {count} selected
          </strong>
          <span className="muted board-selection-hint">Drag one to move them all · Esc clears</span>
          <span className="board-selection-actions">
            <BulkActionButtons actions={ACTIONS} onPick={bulk.open} testIdPrefix="board-bulk" />
            <button type="button" className="btn btn-ghost btn-small" onClick={selection.clear} data-testid="board-selection-clear">
              Clear
            </button>
          </span>
        </div>
      ) : null}
      {bulk.dialog}
    </>
  );
}
