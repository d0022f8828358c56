// /leads — every lead in a table: filters and sort kept in the URL, cursor pages.
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import type { Stage } from "../api/types";
import { useAuth } from "../app/auth";
import { StatusFilterSelect } from "../app/statuses";
import { useStages } from "../app/queries";
import { EmptyState, ErrorBanner, Spinner } from "../ui/components";
import { FlagFilter } from "../ui/FlagFilter";
import { viewFilters, viewParams, type ViewDraft } from "../views/api";
import { ViewsMenu } from "../views/ViewsMenu";
import { useLeadPage } from "./api";
import { BulkBar } from "./BulkBar";
import { ExportMenu } from "./ExportMenu";
import { DEFAULT_SORT, FILTERS, listQuery } from "./listQuery";
import { useDebouncedParam } from "./useDebouncedParam";
import { useListSelection } from "./useListSelection";
import { nextSort, sortDirection, type SortKey } from "./logic";
import { LeadRow, ListPager } from "./LeadRow";
import { useUserLookup } from "./ui";
import "./leads.css";

export function LeadListPage() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const { canWrite } = useAuth();
  const stages = useStages();
  const lookup = useUserLookup();
  const query = listQuery(params);
  const page = useLeadPage(query);
  const sort = query.sort ?? DEFAULT_SORT;
  // What a saved view keeps: the filters, not the page size, sort or page.
  const listFilters = Object.fromEntries(
    Object.entries(query).filter(([name, value]) => !["limit", "sort", "cursor"].includes(name) && value),
  ) as Record<string, string>;

  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    // Another filter or sort starts again from the first page.
    next.delete("cursor");
    setParams(next, { replace: true });
  };
  const goTo = (cursor: string | null) => {
    const next = new URLSearchParams(params);
    if (cursor) next.set("cursor", cursor);
    else next.delete("cursor");
    setParams(next);
    window.scrollTo({ top: 0 });
  };

  const [search, setSearch] = useDebouncedParam("q", params, (value) => update({ q: value.trim() || null }));
  const [tag, setTag] = useDebouncedParam("tag", params, (value) => update({ tag: value.trim() || null }));
  const filtered = FILTERS.some((name) => params.get(name));
  const flagChange = (name: string, value: string) => update({ [name]: value || null });
  const stageByUid = new Map((stages.data ?? []).map((stage) => [stage.uid, stage]));
  const rows = page.data?.results ?? [];
  const knownTags = [...new Set(rows.flatMap((row) => row.tags ?? []))].sort();
  const selection = useListSelection(rows, query);

  const sortHeader = (column: SortKey, label: string) => {
    const direction = sortDirection(sort, column);
    return (
      <th aria-sort={direction}>
        <button
          type="button"
          className={`sort-button${direction !== "none" ? " sorted" : ""}`}
          onClick={() => update({ sort: nextSort(sort, column) })}
          data-testid={`sort-${column}`}
        >
          {label}
          <span className="sort-arrow" aria-hidden="true">
            {direction === "ascending" ? "▲" : direction === "descending" ? "▼" : "↕"}
          </span>
        </button>
      </th>
    );
  };

  return (
    <div className="page leads-page" data-testid="lead-list">
      <div className="page-header">
        <h1>Leads</h1>
        <ExportMenu query={query} />
        {canWrite ? (
          <Link to="/leads/new" className="btn btn-primary" data-testid="new-lead">
            + New lead
          </Link>
        ) : null}
      </div>

      <div className="toolbar list-toolbar" role="search">
        <input
          type="search"
          className="list-search"
          placeholder="Search name, email, phone, company"
          aria-label="Search leads"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          data-testid="filter-q"
        />
        <select
          aria-label="Assignee"
          value={params.get("assigned_to") ?? ""}
          onChange={(event) => update({ assigned_to: event.target.value })}
          data-testid="filter-assignee"
        >
          <option value="">Anyone</option>
          <option value="me">Mine</option>
          {lookup.users.map((user) => (
            <option key={user.uid} value={user.uid}>
              {user.display_name || user.username}
            </option>
          ))}
        </select>
        <select
          aria-label="Stage"
          value={params.get("stage") ?? ""}
          onChange={(event) => update({ stage: event.target.value })}
          data-testid="filter-stage"
        >
          <option value="">All stages</option>
          {[...(stages.data ?? [])]
            .sort((a, b) => a.order - b.order)
            .map((stage: Stage) => (
              <option key={stage.uid} value={stage.uid}>
                {stage.name}
              </option>
            ))}
        </select>
        <StatusFilterSelect value={params.get("status") ?? ""} onChange={(status) => update({ status })} />
        <input
          className="list-tag"
          placeholder="Tag"
          aria-label="Tag"
          list="known-tags"
          value={tag}
          onChange={(event) => setTag(event.target.value)}
          data-testid="filter-tag"
        />
        <datalist id="known-tags">
          {knownTags.map((known) => (
            <option key={known} value={known} />
          ))}
        </datalist>
        <FlagFilter label="Overdue" name="overdue" value={params.get("overdue") ?? ""} onChange={flagChange} />
        <FlagFilter label="Stale" name="stale" value={params.get("stale") ?? ""} onChange={flagChange} />
        <ViewsMenu
          target="list"
          filters={viewFilters(new URLSearchParams(listFilters))}
          sort={sort as ViewDraft["sort"]}
          onApply={(view) => setParams(viewParams(view))}
        />
        {filtered ? (
          <button
            type="button"
            className="btn btn-ghost btn-small"
            onClick={() => update(Object.fromEntries(FILTERS.map((name) => [name, null])))}
          >
            Clear filters
          </button>
        ) : null}
      </div>

      {params.get("entered_stage") ? (
        <p className="entered-notice" data-testid="entered-notice">
          Leads that entered{" "}
          <strong>{stageByUid.get(params.get("entered_stage") ?? "")?.name ?? params.get("entered_stage")}</strong>
          {params.get("entered_from") ? ` from ${params.get("entered_from")}` : ""}
          {params.get("entered_to") ? ` to ${params.get("entered_to")}` : ""}
          {params.get("source") ? `, source ${params.get("source")}` : ""} (from the reports&apos; funnel).{" "}
          <button
            type="button"
            className="btn-link"
            onClick={() => update({ entered_stage: null, entered_from: null, entered_to: null, source: null })}
          >
            Show all leads
          </button>
        </p>
      ) : null}
      {page.isError ? <ErrorBanner error={page.error} onRetry={() => void page.refetch()} /> : null}
      {page.isPending ? <Spinner label="Loading leads" /> : null}

      {page.data && rows.length === 0 ? (
        filtered ? (
          <EmptyState title="No leads match these filters">
            Try another search, or{" "}
            <button
              type="button"
              className="btn-link"
              onClick={() => update(Object.fromEntries(FILTERS.map((name) => [name, null])))}
            >
              clear the filters
            </button>
            .
          </EmptyState>
        ) : (
          <EmptyState title="No leads yet">
            {canWrite ? (
              <>
                <Link to="/leads/new">Create the first lead</Link> or add one from the board.
              </>
            ) : (
              "Leads your team adds will show up here."
            )}
          </EmptyState>
        )
      ) : null}

      {canWrite ? <BulkBar selection={selection} morePages={Boolean(page.data?.next_cursor || page.data?.previous_cursor)} /> : null}
      {rows.length > 0 ? (
        <div className={`table-wrap${page.isPlaceholderData ? " is-loading" : ""}`}>
          <table className="table lead-table" data-testid="lead-table">
            <thead>
              <tr>
                {canWrite ? (
                  <th className="cell-select">
                    <input
                      type="checkbox"
                      aria-label="Select every lead on this page"
                      checked={selection.pageSelected}
                      onChange={selection.togglePage}
                      data-testid="select-page"
                    />
                  </th>
                ) : null}
                {sortHeader("name", "Name")}
                <th>Company</th>
                <th>Email</th>
                <th>Stage</th>
                <th>Status</th>
                <th>Assignees</th>
                <th>Next due</th>
                {sortHeader("created_at", "Created")}
                {sortHeader("updated_at", "Updated")}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <LeadRow
                  key={row.uid}
                  row={row}
                  stage={stageByUid.get(row.current_stage)}
                  lookup={lookup}
                  selectable={canWrite}
                  selected={selection.selected.has(row.uid)}
                  onSelect={(shift) => selection.click(row.uid, shift)}
                  onOpen={() => navigate(`/leads/${row.uid}`)}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}

      {page.data && (page.data.previous_cursor || page.data.next_cursor) ? (
        <ListPager
          previous={page.data.previous_cursor}
          next={page.data.next_cursor}
          loading={page.isPlaceholderData}
          onPage={goTo}
        />
      ) : null}
    </div>
  );
}
