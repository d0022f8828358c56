// The bar over the lead list while rows are selected: how many, "select all matching", and the
// bulk actions, each confirmed in a dialog that then tells what became of each lead.
import { useState } from "react";
import { BulkDialog } from "../bulk/BulkDialog";
import { BULK_LIMIT, type BulkAction } from "../bulk/selection";
import type { ListSelection } from "./useListSelection";

const ACTIONS: [BulkAction, string][] = [
  ["move", "Move…"],
  ["assign", "Assign…"],
  ["tag", "Tag…"],
  ["untag", "Untag…"],
  ["delete", "Delete…"],
];

export function BulkBar({ selection, morePages }: { selection: ListSelection; morePages: boolean }) {
  const [action, setAction] = useState<BulkAction | null>(null);
  // The uids the dialog acts on: fixed when it opens, as the selection clears once it is done.
  const [acting, setActing] = useState<string[]>([]);
  const count = selection.uids.length;
  if (count === 0 && action === null) return null;
  const { matching } = selection;

  return (
    <div className="bulk-bar" role="region" aria-label="Bulk actions" data-testid="bulk-bar">
      <strong data-testid="bulk-count">
        {count} selected
      </strong>
      {morePages && selection.pageSelected && count < BULK_LIMIT ? (
        <button
          type="button"
          className="btn-link"
          disabled={matching.loading}
          onClick={() => void selection.selectAllMatching()}
          data-testid="bulk-select-matching"
        >
          {matching.loading ? "Selecting…" : `Select all matching (up to ${BULK_LIMIT})`}
        </button>
      ) : null}
      {matching.truncated ? (
        <span className="muted" data-testid="bulk-truncated">
          The first {BULK_LIMIT} of the matching leads: act on them, then select again.
        </span>
      ) : null}
      {matching.error ? <span className="field-error">{matching.error}</span> : null}
      <span className="bulk-bar-actions">
        {ACTIONS.map(([name, label]) => (
          <button
            key={name}
            type="button"
            className={`btn btn-small${name === "delete" ? " btn-danger-ghost" : ""}`}
            onClick={() => {
              setActing(selection.uids);
              setAction(name);
            }}
            data-testid={`bulk-${name}`}
          >
            {label}
          </button>
        ))}
        <button type="button" className="btn btn-ghost btn-small" onClick={selection.clear} data-testid="bulk-clear">
          Clear
        </button>
      </span>
      {action ? (
        <BulkDialog
          action={action}
          uids={acting}
          names={selection.names}
          onClose={() => setAction(null)}
          onDone={selection.clear}
        />
      ) : null}
    </div>
  );
}
