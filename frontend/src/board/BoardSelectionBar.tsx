// The bar over the board while cards are selected: how many, how to move them (drag one), the
// bulk actions that make sense here (the list's dialogs: assign, tag, untag, delete) and Clear.
import { useState } from "react";
import { BulkDialog } from "../bulk/BulkDialog";
import "./selection.css";
import type { BulkAction } from "../bulk/selection";
import type { BoardSelection } from "./useBoardSelection";

const ACTIONS: [BulkAction, string][] = [
  ["assign", "Assign…"],
  ["tag", "Tag…"],
  ["untag", "Untag…"],
  ["delete", "Delete…"],
];

export function BoardSelectionBar({ selection, hidden }: { selection: BoardSelection; hidden: boolean }) {
  const [action, setAction] = useState<BulkAction | null>(null);
  // The leads the dialog acts on: fixed when it opens, as the selection clears once it is done.
  const [acting, setActing] = useState<string[]>([]);
  const count = selection.uids.length;
  if (count === 0 && action === null) return null;

  return (
    <>
      {count > 0 && !hidden ? (
        <div className="board-selection-bar" role="region" aria-label="Selected cards" data-testid="board-selection-bar">
          <strong role="status" data-testid="board-selection-count">
            {count} selected
          </strong>
          <span className="muted board-selection-hint">Drag one to move them all · Esc clears</span>
          <span className="board-selection-actions">
            {ACTIONS.map(([name, label]) => (
              <button
                key={name}
                type="button"
                className={`btn btn-small${name === "delete" ? " btn-danger-ghost" : ""}`}
                onClick={() => {
                  setActing(selection.uids);
                  setAction(name);
                }}
                data-testid={`board-bulk-${name}`}
              >
                {label}
              </button>
            ))}
            <button type="button" className="btn btn-ghost btn-small" onClick={selection.clear} data-testid="board-selection-clear">
              Clear
            </button>
          </span>
        </div>
      ) : null}
      {action ? (
        <BulkDialog
          action={action}
          uids={acting}
          names={selection.names}
          onClose={() => setAction(null)}
          onDone={selection.clear}
        />
      ) : null}
    </>
  );
}
