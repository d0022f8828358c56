// The board's filters: assignee (with "Mine"), search, status, tag, overdue and stale. They live in the URL;
// the typed ones are applied after a short pause so each keystroke is not a request.
import { useEffect, useRef, useState } from "react";
import type { User } from "../api/types";
import { StatusFilterSelect } from "../app/statuses";
import { FlagFilter } from "../ui/FlagFilter";
import type { BoardFilters } from "./filters";

const DEBOUNCE_MS = 300;

/** A text filter's draft: shown at once, committed after a pause, and replaced when the URL
 * changes from elsewhere (back button, "Clear"), but not by the echo of its own commit. */
function useDebouncedText(value: string, commit: (value: string) => void): [string, (v: string) => void] {
  const [draft, setDraft] = useState(value);
  const committed = useRef(value);
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => {
    if (value !== committed.current) {
      committed.current = value;
      window.clearTimeout(timer.current);
      setDraft(value);
    }
  }, [value]);

  useEffect(() => () => window.clearTimeout(timer.current), []);

  const change = (next: string) => {
    setDraft(next);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      committed.current = next.trim();
      commit(next);
    }, DEBOUNCE_MS);
  };
  return [draft, change];
}

export function BoardToolbar({
  filters,
  users,
  onChange,
  onClear,
}: {
  filters: BoardFilters;
  users: User[];
  onChange: (key: keyof BoardFilters, value: string) => void;
  onClear: () => void;
}) {
  const [q, setQ] = useDebouncedText(filters.q, (value) => onChange("q", value));
  const [tag, setTag] = useDebouncedText(filters.tag, (value) => onChange("tag", value));
  const active = users.filter((user) => user.is_active);
  const any = filters.assigned_to || filters.q || filters.status || filters.tag || filters.overdue || filters.stale;
  // A filter for a user who left the list (deactivated) still shows who it is for.
  const knownAssignee =
    !filters.assigned_to || filters.assigned_to === "me" || active.some((u) => u.uid === filters.assigned_to);

  return (
    <div className="board-filters" role="search" aria-label="Filter the board">
      <input
        type="search"
        className="board-search"
        placeholder="Search leads…"
        aria-label="Search leads"
        data-testid="filter-q"
        value={q}
        onChange={(event) => setQ(event.target.value)}
      />
      <select
        aria-label="Assignee"
        data-testid="filter-assignee"
        value={filters.assigned_to}
        onChange={(event) => onChange("assigned_to", event.target.value)}
      >
        <option value="">All assignees</option>
        <option value="me">Mine</option>
        {active.map((user) => (
          <option key={user.uid} value={user.uid}>
            {user.display_name || user.username}
          </option>
        ))}
        {knownAssignee ? null : <option value={filters.assigned_to}>{filters.assigned_to}</option>}
      </select>
      <StatusFilterSelect value={filters.status} onChange={(status) => onChange("status", status)} />
      <input
        type="text"
        className="board-tag"
        placeholder="Tag"
        aria-label="Tag"
        data-testid="filter-tag"
        value={tag}
        onChange={(event) => setTag(event.target.value)}
      />
      <FlagFilter label="Overdue" name="overdue" value={filters.overdue} onChange={onChange} />
      <FlagFilter label="Stale" name="stale" value={filters.stale} onChange={onChange} />
      {any ? (
        <button type="button" className="btn btn-ghost btn-small" onClick={onClear} data-testid="filter-clear">
          Clear filters
        </button>
      ) : null}
    </div>
  );
}
