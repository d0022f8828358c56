// The bulk actions of a selection, on the list and on the board alike: a button per action and
// the dialog of the one clicked, which confirms it and then tells what became of each lead.
import { useState, type ReactNode } from "react";
import { BulkDialog } from "./BulkDialog";
import type { BulkAction } from "./selection";

const LABELS: Record<BulkAction, string> = {
  move: "Move…",
  assign: "Assign…",
  tag: "Tag…",
  untag: "Untag…",
  delete: "Delete…",
};

export interface BulkSelection {
  uids: string[];
  names: ReadonlyMap<string, string>;
  clear: () => void;
}

/** The dialog of the action picked; it stays open (with its results) after the selection
 * clears, so callers render `dialog` outside whatever hides with the selection. */
export function useBulkActions(selection: BulkSelection): {
  open: (action: BulkAction) => void;
  active: boolean;
  dialog: ReactNode;
} {
  const [action, setAction] = useState<BulkAction | null>(null);
  // The leads the dialog acts on: fixed when it opens, as the selection clears once it is done.
  const [acting, setActing] = useState<string[]>([]);
  const open = (picked: BulkAction) => {
    setActing(selection.uids);
    setAction(picked);
  };
  const dialog = action ? (
    <BulkDialog
      action={action}
      uids={acting}
      names={selection.names}
      onClose={() => setAction(null)}
      onDone={selection.clear}
    />
  ) : null;
  return { open, active: action !== null, dialog };
}

export function BulkActionButtons({
  actions,
  onPick,
  testIdPrefix,
}: {
  actions: BulkAction[];
  onPick: (action: BulkAction) => void;
  testIdPrefix: string;
}) {
  return (
    <>
      {actions.map((name) => (
        <button
          key={name}
          type="button"
          className={`btn btn-small${name === "delete" ? " btn-danger-ghost" : ""}`}
          onClick={() => onPick(name)}
          data-testid={`${testIdPrefix}-${name}`}
        >
          {LABELS[name]}
        </button>
      ))}
    </>
  );
}
