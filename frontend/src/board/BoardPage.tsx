// The home page: the pipeline as a Kanban board, with its totals, filters and loading and error
// states. The board itself, where cards are dragged, is BoardCanvas.
import { useCallback, useMemo, type ReactNode } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { ApiError } from "../api/client";
import type { FieldDefinition, User } from "../api/types";
import { useAuth } from "../app/auth";
import { formatMoney, useConfig, useUsers } from "../app/queries";
import { EmptyState, ErrorBanner } from "../ui/components";
import type { LostReasonOption } from "../moves/LostReasonInputs";
import { useBoardQuery } from "./api";
import { BoardCanvas } from "./BoardCanvas";
import type { UsersById } from "./BoardCard";
import { BoardToolbar } from "./BoardToolbar";
import { filterQuery, filtersFromParams, hasFilters, withFilter, type BoardFilters } from "./filters";
import { ViewsMenu } from "../views/ViewsMenu";
import { viewFilters, viewParams } from "../views/api";
import "./board.css";

const NO_USERS: User[] = [];
const NO_FIELDS: FieldDefinition[] = [];
const NO_REASONS: LostReasonOption[] = [];

export function BoardPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const paramString = searchParams.toString();
  const filters = useMemo(() => filtersFromParams(new URLSearchParams(paramString)), [paramString]);
  const boardQuery = useBoardQuery(filters);
  const usersQuery = useUsers();
  const configQuery = useConfig();
  const { canWrite, isAdmin, user } = useAuth();
  const users = usersQuery.data ?? NO_USERS;
  const usersById = useMemo<UsersById>(() => new Map(users.map((u) => [u.uid, u])), [users]);
  const board = boardQuery.data;

  const setFilter = useCallback(
    (key: keyof BoardFilters, value: string) =>
      setSearchParams((current) => withFilter(current, key, value), { replace: true }),
    [setSearchParams],
  );
  const clearFilters = useCallback(() => setSearchParams({}, { replace: true }), [setSearchParams]);

  const totals = useMemo(() => {
    const columns = board?.columns ?? [];
    return {
      count: columns.reduce((sum, c) => sum + c.count, 0),
      value: columns.reduce((sum, c) => sum + c.value_total, 0),
      weighted: columns.reduce((sum, c) => sum + c.weighted_total, 0),
    };
  }, [board]);

  let content: ReactNode;
  if (boardQuery.isPending) {
    content = <BoardSkeleton />;
  } else if (!board) {
    content = <ErrorBanner error={loadError(boardQuery.error)} onRetry={() => void boardQuery.refetch()} />;
  } else if (board.columns.length === 0) {
    content = (
      <EmptyState title="The pipeline has no stages yet">
        {isAdmin ? (
          <>
            Add the first stage in <Link to="/settings">Settings</Link>.
          </>
        ) : (
          "An admin sets up the stages."
        )}
      </EmptyState>
    );
  } else {
    content = (
      <>
        {boardQuery.isError ? (
          <ErrorBanner error={loadError(boardQuery.error)} onRetry={() => void boardQuery.refetch()} />
        ) : null}
        <BoardCanvas
          board={board}
          filters={filters}
          filtered={hasFilters(filters)}
          // The board of the previous filters stays on screen while the new one loads; it is
          // not the cache entry a move would update, so it cannot be dragged meanwhile.
          canDrag={canWrite && !boardQuery.isPlaceholderData}
          canWrite={canWrite}
          users={usersById}
          variables={configQuery.data?.variables ?? NO_FIELDS}
          lostReasons={configQuery.data?.lost_reasons ?? NO_REASONS}
          userUid={user.uid}
        />
      </>
    );
  }

  return (
    <div className="board-page">
      <div className="board-header">
        <div className="board-heading">
          <h1>Pipeline</h1>
          {board ? (
            <span className="board-summary muted" data-testid="board-summary">
              {totals.count} {totals.count === 1 ? "lead" : "leads"} · {formatMoney(totals.value)} ·{" "}
              {formatMoney(totals.weighted)} weighted
              {boardQuery.isFetching && boardQuery.isPlaceholderData ? (
                <span className="board-updating"> · Updating…</span>
              ) : null}
            </span>
          ) : null}
        </div>
        <BoardToolbar filters={filters} users={users} onChange={setFilter} onClear={clearFilters} />
        <ViewsMenu
          target="board"
          filters={viewFilters(new URLSearchParams(filterQuery(filters)))}
          onApply={(view) => setSearchParams(viewParams(view))}
        />
        {canWrite ? (
          <Link to="/leads/new" className="btn btn-primary board-new">
            New lead
          </Link>
        ) : null}
      </div>
      {content}
    </div>
  );
}

/** A failed board load in words: a server error's bare "Error 500" says nothing useful. */
function loadError(error: unknown): ApiError {
  if (error instanceof ApiError && error.status > 0 && error.status < 500) return error;
  const status = error instanceof ApiError ? error.status : 0;
  return new ApiError(status, {
    code: "board_unavailable",
    message:
      status === 0
        ? "The board could not be loaded: the server cannot be reached."
        : `The board could not be loaded (server error ${status}). Try again in a moment.`,
  });
}

function BoardSkeleton() {
  return (
    <div className="board board-loading" role="status" aria-label="Loading the board">
      {[6, 4, 5, 2, 3].map((cards, index) => (
        <div className="column column-skeleton" key={index}>
          <div className="column-header">
            <span className="skeleton-line skeleton-title" />
            <span className="skeleton-line skeleton-sub" />
          </div>
          <div className="column-body">
            {Array.from({ length: cards }, (_, card) => (
              <div className="card card-skeleton" key={card}>
                <span className="skeleton-line" />
                <span className="skeleton-line skeleton-short" />
              </div>
            ))}
          </div>
        </div>
      ))}
    </div>
  );
}
