// The bar over the lead list while rows are selected: how many, "select all matching", and the
// bulk actions, each confirmed in a dialog that then tells what became of each lead.
import { BulkActionButtons, useBulkActions } from "../bulk/BulkActions";
import { BULK_LIMIT, type BulkAction } from "../bulk/selection";
import type { ListSelection } from "./useListSelection";

const ACTIONS: BulkAction[] = ["move", "assign", "tag", "untag", "delete"];

export function BulkBar({ selection, morePages }: { selection: ListSelection; morePages: boolean }) {
  const bulk = useBulkActions(selection);
  const count = selection.uids.length;
  if (count === 0 && !bulk.active) return null;
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
        <BulkActionButtons actions={ACTIONS} onPick={bulk.open} testIdPrefix="bulk" />
        <button type="button" className="btn btn-ghost btn-small" onClick={selection.clear} data-testid="bulk-clear">
          Clear
        </button>
      </span>
      {bulk.dialog}
    </div>
  );
}
