// One row of the leads table and the pager under it: what a lead shows in the list, apart from
// the page that filters, sorts and selects them (LeadListPage).
import { Link } from "react-router-dom";
import type { LeadListItem, Stage } from "../api/types";
import { PAGE_SIZE } from "./listQuery";
import { AvatarStack, DueCell, StageBadge, StatusBadge, formatDate, timeAgo, type UserLookup } from "./ui";

interface LeadRowProps {
  row: LeadListItem;
  stage: Stage | undefined;
  lookup: UserLookup;
  /** Members and admins tick rows for bulk actions; viewers get no checkbox. */
  selectable: boolean;
  selected: boolean;
  onSelect: (shift: boolean) => void;
  onOpen: () => void;
}

export function LeadRow({ row, stage, lookup, selectable, selected, onSelect, onOpen }: LeadRowProps) {
  return (
    <tr
      data-testid={`lead-row-${row.uid}`}
      className={`clickable-row${selected ? " is-selected" : ""}`}
      onClick={(event) => {
        // The name is a real link; the rest of the row is a shortcut to it.
        if (event.target instanceof Element && event.target.closest("a, button, .cell-select")) return;
        onOpen();
      }}
    >
      {selectable ? (
        <td className="cell-select">
          <input
            type="checkbox"
            aria-label={`Select ${row.name}`}
            checked={selected}
            // A click, not a change: only the click says whether shift was held.
            onClick={(event) => onSelect(event.shiftKey)}
            onChange={() => undefined}
            data-testid={`select-${row.uid}`}
          />
        </td>
      ) : null}
      <td className="cell-name">
        <Link to={`/leads/${row.uid}`}>{row.name}</Link>
        <small className="muted cell-uid">{row.uid}</small>
      </td>
      <td>{row.company || <span className="muted">—</span>}</td>
      <td className="cell-email">{row.email || <span className="muted">—</span>}</td>
      <td>
        <StageBadge stage={stage} fallback={row.current_stage} />
      </td>
      <td>
        <StatusBadge status={row.status} />
      </td>
      <td>
        <AvatarStack uids={row.assigned_to ?? []} lookup={lookup} />
      </td>
      <td className="cell-date" data-testid="cell-due">
        <DueCell due={row.next_due_at} overdue={row.overdue} />
      </td>
      <td className="cell-date" title={row.created_at}>
        {formatDate(row.created_at)}
      </td>
      <td className="cell-date" title={row.updated_at}>
        {timeAgo(row.updated_at)}
      </td>
    </tr>
  );
}

interface ListPagerProps {
  previous: string | null | undefined;
  next: string | null | undefined;
  /** A page is on its way: neither button may start another. */
  loading: boolean;
  onPage: (cursor: string | null) => void;
}

export function ListPager({ previous, next, loading, onPage }: ListPagerProps) {
  return (
    <nav className="pager" aria-label="Pages">
      <button
        type="button"
        className="btn btn-small"
        disabled={!previous || loading}
        onClick={() => onPage(previous ?? null)}
        data-testid="page-previous"
      >
        ← Previous
      </button>
      <span className="muted">{PAGE_SIZE} per page</span>
      <button
        type="button"
        className="btn btn-small"
        disabled={!next || loading}
        onClick={() => onPage(next ?? null)}
        data-testid="page-next"
      >
        Next →
      </button>
    </nav>
  );
}
