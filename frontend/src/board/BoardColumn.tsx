// One stage of the board: its header (color, count, totals, collapse), its cards in rank order,
// and loading more of them on scroll or with a button. Collapsed, it is a narrow strip with its
// name and count that still takes drops.
import { useDroppable } from "@dnd-kit/core";
import { SortableContext, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { memo, useCallback, useEffect, useRef, useState } from "react";
import type { BoardColumn as Column, Card, FieldDefinition, Lead } from "../api/types";
import { formatMoney } from "../app/queries";
import { SortableCard, StaticCard, type UsersById } from "./BoardCard";
import type { DropState } from "./dragState";
import { QuickAdd } from "./QuickAdd";

/** Droppable ids of columns, apart from card ids (lead uids). */
export const COLUMN_PREFIX = "column:";
export const columnId = (stage: string) => `${COLUMN_PREFIX}${stage}`;

interface Props {
  column: Column;
  /** The cards to show: the column's, or where a drag in progress has put them. */
  cards: Card[];
  users: UsersById;
  /** What this column does with the card being dragged (from the card's moves); null when
   * nothing is dragged. */
  drop: DropState | null;
  /** The server's reason against the drop, or the fields it asks for first. */
  note: string | null;
  canDrag: boolean;
  filtered: boolean;
  /** Quick-add lives at the top of the first column. */
  quickAdd: boolean;
  variables: FieldDefinition[];
  onCreate: (name: string, data: Record<string, unknown> | undefined) => Promise<Lead>;
  onLoadMore: (stage: string, cursor: string) => Promise<void>;
  onOpen: (uid: string) => void;
  /** The selected cards, and the ones carried along in a drag (faded where they are). */
  selected: ReadonlySet<string>;
  carried: ReadonlySet<string> | null;
  onSelect: (uid: string) => void;
  collapsed: boolean;
  onToggle: (column: Column) => void;
}

function emptyText(column: Column, filtered: boolean): string {
  if (filtered) return "No leads here match the filters.";
  if (column.kind === "won") return "No won deals yet.";
  if (column.kind === "lost") return "No lost leads. Keep it that way.";
  return "No leads in this stage.";
}

export const BoardColumn = memo(function BoardColumn({
  column,
  cards,
  users,
  drop,
  note,
  canDrag,
  filtered,
  quickAdd,
  variables,
  onCreate,
  onLoadMore,
  onOpen,
  selected,
  carried,
  onSelect,
  collapsed,
  onToggle,
}: Props) {
  const { setNodeRef } = useDroppable({ id: columnId(column.uid), disabled: !canDrag });
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState(false);
  const scroller = useRef<HTMLDivElement>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const cursor = column.next_cursor;

  const loadMore = useCallback(async () => {
    if (!cursor || loading) return;
    setLoading(true);
    setLoadError(false);
    try {
      await onLoadMore(column.uid, cursor);
    } catch {
      setLoadError(true);
    } finally {
      setLoading(false);
    }
  }, [column.uid, cursor, loading, onLoadMore]);

  useEffect(() => {
    // Scrolling near the column's end loads the next cards, as the button would.
    const target = sentinel.current;
    if (!cursor || loadError || !target || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) void loadMore();
      },
      { root: scroller.current, rootMargin: "0px 0px 240px 0px" },
    );
    observer.observe(target);
    return () => observer.disconnect();
  }, [cursor, loadError, loadMore]);

  const ids = cards.map((card) => card.uid);
  const remaining = Math.max(0, column.count - cards.length);
  const dimmed = drop === "refused";
  const accepting = drop === "open" || drop === "fields";
  const dropClasses = `${dimmed ? " column-dimmed" : ""}${accepting ? " column-accepting" : ""}`;

  if (collapsed) {
    return (
      <section
        ref={setNodeRef}
        className={`column column-collapsed${dropClasses}`}
        style={{ borderTopColor: column.color }}
        data-testid={`column-${column.uid}`}
        data-collapsed="true"
        data-dimmed={dimmed ? "true" : "false"}
        data-drop={drop ?? "idle"}
        title={note ?? `${column.name}: ${column.count} leads`}
        aria-label={`${column.name}: ${column.count} leads (collapsed)`}
      >
        <button
          type="button"
          className="column-toggle"
          data-testid={`column-toggle-${column.uid}`}
          aria-expanded="false"
          aria-label={`Expand ${column.name}`}
          title={`Expand ${column.name}`}
          onClick={() => onToggle(column)}
        >
          ›
        </button>
        <span className="column-count" data-testid={`column-count-${column.uid}`}>
          {column.count}
        </span>
        <h2 className="column-collapsed-name">{column.name}</h2>
      </section>
    );
  }

  return (
    <section
      ref={setNodeRef}
      className={`column${dropClasses}`}
      style={{ borderTopColor: column.color }}
      data-testid={`column-${column.uid}`}
      data-dimmed={dimmed ? "true" : "false"}
      data-drop={drop ?? "idle"}
      title={note ?? undefined}
      aria-label={`${column.name}: ${column.count} leads`}
    >
      <header className="column-header">
        <div className="column-title">
          <span className="column-dot" style={{ background: column.color }} aria-hidden="true" />
          <h2 title={column.name}>{column.name}</h2>
          <span className="column-count" data-testid={`column-count-${column.uid}`}>
            {column.count}
          </span>
          <button
            type="button"
            className="column-toggle"
            data-testid={`column-toggle-${column.uid}`}
            aria-expanded="true"
            aria-label={`Collapse ${column.name}`}
            title={`Collapse ${column.name}`}
            onClick={() => onToggle(column)}
          >
            ‹
          </button>
        </div>
        <div className="column-totals">
          <span title="Total value of the leads in this stage">{formatMoney(column.value_total)}</span>
          <span className="muted" title={`Value weighted by the stage's ${column.probability}% probability`}>
            {formatMoney(column.weighted_total)} weighted
          </span>
        </div>
      </header>
      <div className="column-body" ref={scroller}>
        {note ? (
          <div className={`column-note column-note-${drop ?? "idle"}`} data-testid={`column-note-${column.uid}`}>
            {note}
          </div>
        ) : null}
        {quickAdd ? <QuickAdd variables={variables} onCreate={onCreate} /> : null}
        <SortableContext id={column.uid} items={ids} strategy={verticalListSortingStrategy}>
          <div className="column-cards">
            {cards.map((card) =>
              canDrag ? (
                <SortableCard
                  key={card.uid}
                  card={card}
                  users={users}
                  onOpen={onOpen}
                  selected={selected.has(card.uid)}
                  carried={carried?.has(card.uid) ?? false}
                  onSelect={onSelect}
                />
              ) : (
                <StaticCard key={card.uid} card={card} users={users} onOpen={onOpen} />
              ),
            )}
          </div>
        </SortableContext>
        {cards.length === 0 ? (
          <div className={`column-empty${accepting ? " column-empty-drop" : ""}`}>
            {accepting ? (
              <strong>Drop here to move to {column.name}</strong>
            ) : (
              <>
                <strong>{emptyText(column, filtered)}</strong>
                {canDrag && !filtered ? <span>Drag a card here to move it.</span> : null}
              </>
            )}
          </div>
        ) : null}
        {cursor ? (
          <div className="column-more">
            <div ref={sentinel} aria-hidden="true" />
            {loadError ? <div className="field-error">The next cards could not be loaded.</div> : null}
            <button
              type="button"
              className="btn btn-small btn-block"
              data-testid={`load-more-${column.uid}`}
              onClick={() => void loadMore()}
              disabled={loading}
            >
              {loading ? "Loading…" : loadError ? "Retry" : `Load more${remaining ? ` (${remaining})` : ""}`}
            </button>
          </div>
        ) : null}
      </div>
    </section>
  );
});
