// The home page: the pipeline as a Kanban board. Cards are dragged with dnd-kit (pointer or
// keyboard); a drop moves the card in the cache at once and tells the server, and a refusal
// puts it back with the reason (or, when only the target's required fields are missing, asks
// for them and saves them with the move).
import {
  closestCenter,
  DndContext,
  DragOverlay,
  getFirstCollision,
  KeyboardCode,
  KeyboardSensor,
  PointerSensor,
  pointerWithin,
  rectIntersection,
  useSensor,
  useSensors,
  type Active,
  type Announcements,
  type CollisionDetection,
  type DragEndEvent,
  type DragOverEvent,
  type DragStartEvent,
  type Over,
  type SensorDescriptor,
  type SensorOptions,
  type UniqueIdentifier,
} from "@dnd-kit/core";
import { sortableKeyboardCoordinates } from "@dnd-kit/sortable";
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { ApiError } from "../api/client";
import type { Board, Card, FieldDefinition, User } from "../api/types";
import { useAuth } from "../app/auth";
import { formatMoney, useConfig, useUsers } from "../app/queries";
import { EmptyState, ErrorBanner } from "../ui/components";
import { useToast } from "../ui/toast";
import { CardBody, type UsersById } from "./BoardCard";
import { BoardColumn, COLUMN_PREFIX } from "./BoardColumn";
import { allowedTargets, findCard, moveCard, refusal } from "./boardModel";
import { BoardToolbar } from "./BoardToolbar";
import { filtersFromParams, hasFilters, withFilter, type BoardFilters } from "./filters";
import { missingFields, moveReason, MoveRefusal } from "./moveMessages";
import { RequiredFieldsModal, requiredDefinitions, type RequiredFieldsRequest } from "./RequiredFields";
import { useBoardActions, useBoardQuery, type MoveRequest } from "./useBoard";
import "./board.css";

const NO_USERS: User[] = [];
const NO_FIELDS: FieldDefinition[] = [];
const NO_SENSORS: SensorDescriptor<SensorOptions>[] = [];

export function BoardPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const paramString = searchParams.toString();
  const filters = useMemo(() => filtersFromParams(new URLSearchParams(paramString)), [paramString]);
  const boardQuery = useBoardQuery(filters);
  const usersQuery = useUsers();
  const configQuery = useConfig();
  const { canWrite, isAdmin } = useAuth();
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
          isAdmin={isAdmin}
          users={usersById}
          variables={configQuery.data?.variables ?? NO_FIELDS}
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

// ---- the drag-and-drop board --------------------------------------------------------

interface DragState {
  uid: string;
  card: Card;
  source: string;
  /** Stages the card may be dropped into (its own included); the others are dimmed. */
  allowed: ReadonlySet<string>;
  /** Where the cards are while the drag goes on (the card follows the pointer across columns). */
  board: Board;
  /** Dropped, and the board shows the drop until the cache update reaches this component. */
  dropped: boolean;
  byKeyboard: boolean;
}

interface CanvasProps {
  board: Board;
  filters: BoardFilters;
  filtered: boolean;
  canDrag: boolean;
  canWrite: boolean;
  isAdmin: boolean;
  users: UsersById;
  variables: FieldDefinition[];
}

interface AskFields extends RequiredFieldsRequest {
  move: MoveRequest;
}

/** The stage a droppable id stands for: a column id, or the column a card id is in. */
function stageOf(board: Board, id: UniqueIdentifier): string | null {
  const text = String(id);
  if (text.startsWith(COLUMN_PREFIX)) return text.slice(COLUMN_PREFIX.length);
  return findCard(board, text)?.stage ?? null;
}

/** Where in `stage` the dragged card lands when dropped over `over`: at the end when over the
 * column itself, else above or below the card it is over, by which half it is in. */
function dropIndex(board: Board, stage: string, active: Active, over: Over): number {
  const cards = board.columns.find((column) => column.uid === stage)?.leads ?? [];
  const overId = String(over.id);
  if (overId.startsWith(COLUMN_PREFIX)) return cards.length;
  const overIndex = cards.findIndex((card) => card.uid === overId);
  if (overIndex < 0) return cards.length;
  const dragged = active.rect.current.translated;
  const below = dragged !== null && dragged.top > over.rect.top + over.rect.height / 2;
  return overIndex + (below ? 1 : 0);
}

function focusCard(uid: string) {
  requestAnimationFrame(() =>
    document.querySelector<HTMLElement>(`[data-testid="card-${CSS.escape(uid)}"]`)?.focus(),
  );
}

function BoardCanvas({ board, filters, filtered, canDrag, canWrite, isAdmin, users, variables }: CanvasProps) {
  const navigate = useNavigate();
  const toast = useToast();
  const { move, loadMore, create } = useBoardActions(filters);
  const [drag, setDrag] = useState<DragState | null>(null);
  const [ask, setAsk] = useState<AskFields | null>(null);
  // Handlers read the drag through a ref: dnd-kit calls them between renders.
  const dragRef = useRef<DragState | null>(null);
  const lastOver = useRef<UniqueIdentifier | null>(null);
  const justMoved = useRef(false);
  const updateDrag = useCallback((next: DragState | null) => {
    dragRef.current = next;
    setDrag(next);
  }, []);

  const sensors = useSensors(
    // A few pixels of movement before a drag starts, so a click still opens the card.
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor, {
      coordinateGetter: sortableKeyboardCoordinates,
      // Enter is left to open the card; Space picks it up and drops it.
      keyboardCodes: {
        start: [KeyboardCode.Space],
        cancel: [KeyboardCode.Esc],
        end: [KeyboardCode.Space, KeyboardCode.Enter],
      },
    }),
  );

  // The cache update of a drop reaches this component a tick after the drop: until it does,
  // the dropped positions stay on screen, so the card does not flash back to where it was.
  useEffect(() => {
    if (dragRef.current?.dropped) updateDrag(null);
  }, [board, updateDrag]);
  useEffect(() => {
    if (!drag?.dropped) return;
    const timer = window.setTimeout(() => {
      if (dragRef.current?.dropped) updateDrag(null);
    }, 500);
    return () => window.clearTimeout(timer);
  }, [drag, updateDrag]);

  useEffect(() => {
    // After a move the card is somewhere else in the DOM: let the collision check settle.
    justMoved.current = false;
  }, [drag?.board]);

  const collisionDetection: CollisionDetection = useCallback((args) => {
    const current = dragRef.current;
    if (justMoved.current && lastOver.current !== null) return [{ id: lastOver.current }];
    const pointer = pointerWithin(args);
    const hits = pointer.length > 0 ? pointer : rectIntersection(args);
    let overId = getFirstCollision(hits, "id");
    if (overId !== null) {
      const id = String(overId);
      if (current && id.startsWith(COLUMN_PREFIX)) {
        // Over a column with cards: the nearest card of that column is the better answer.
        const stage = id.slice(COLUMN_PREFIX.length);
        const inColumn = new Set(
          current.board.columns.find((column) => column.uid === stage)?.leads.map((c) => c.uid) ?? [],
        );
        if (inColumn.size > 0) {
          const closest = closestCenter({
            ...args,
            droppableContainers: args.droppableContainers.filter((c) => inColumn.has(String(c.id))),
          });
          overId = closest[0]?.id ?? overId;
        }
      }
      lastOver.current = overId;
      return [{ id: overId }];
    }
    return lastOver.current !== null ? [{ id: lastOver.current }] : [];
  }, []);

  const onDragStart = useCallback(
    ({ active, activatorEvent }: DragStartEvent) => {
      const place = findCard(board, String(active.id));
      if (!place) return;
      lastOver.current = null;
      updateDrag({
        uid: place.card.uid,
        card: place.card,
        source: place.stage,
        allowed: allowedTargets(board.columns, place.stage, isAdmin),
        board,
        dropped: false,
        byKeyboard: activatorEvent instanceof KeyboardEvent,
      });
    },
    [board, isAdmin, updateDrag],
  );

  const onDragOver = useCallback(
    ({ active, over }: DragOverEvent) => {
      const current = dragRef.current;
      if (!current || !over || current.dropped) return;
      const target = stageOf(current.board, over.id);
      const place = findCard(current.board, current.uid);
      // Only across columns: inside one, SortableContext shows the new order by itself.
      if (!target || !place || target === place.stage) return;
      // A column the card may not enter keeps it where it was (and stays dimmed).
      if (!current.allowed.has(target)) return;
      const index = dropIndex(current.board, target, active, over);
      justMoved.current = true;
      updateDrag({ ...current, board: moveCard(current.board, current.uid, target, index) });
    },
    [updateDrag],
  );

  const stageNames = useMemo(() => new Map(board.columns.map((c) => [c.uid, c.name])), [board]);

  const runMove = useCallback(
    async (request: MoveRequest, card: Card, byKeyboard: boolean) => {
      const stageName = stageNames.get(request.toStage) ?? request.toStage;
      try {
        await move(request);
      } catch (error) {
        if (byKeyboard) focusCard(card.uid);
        if (error instanceof ApiError && moveReason(error) === "missing_required_fields") {
          const keys = missingFields(error).map((field) => field.key);
          const definitions = requiredDefinitions(variables, keys);
          if (keys.length > 0 && definitions.length === keys.length) {
            setAsk({ move: request, leadName: card.name, stageName, definitions });
            return;
          }
        }
        toast(
          <MoveRefusal leadName={card.name} leadUid={card.uid} targetName={stageName} error={error} />,
          "error",
        );
      }
    },
    [move, stageNames, toast, variables],
  );

  const onDragEnd = useCallback(
    ({ active, over }: DragEndEvent) => {
      const current = dragRef.current;
      if (!current) return;
      const target = over ? stageOf(current.board, over.id) : null;
      if (!over || !target) {
        updateDrag(null);
        return;
      }
      if (!current.allowed.has(target)) {
        updateDrag(null);
        const source = board.columns.find((c) => c.uid === current.source);
        const goal = board.columns.find((c) => c.uid === target);
        const reason = source && goal ? refusal(source, goal, isAdmin, stageNames) : null;
        toast(
          <div className="move-refusal" data-testid="move-refusal">
            <strong className="move-refusal-title">
              “{current.card.name}” cannot move to {goal?.name ?? target}
            </strong>
            <div>{reason ?? "That stage is not a next step from here."}</div>
          </div>,
          "error",
        );
        if (current.byKeyboard) focusCard(current.uid);
        return;
      }
      let final = current.board;
      const place = findCard(final, current.uid);
      if (!place) {
        updateDrag(null);
        return;
      }
      if (target !== place.stage) {
        final = moveCard(final, current.uid, target, dropIndex(final, target, active, over));
      } else if (!String(over.id).startsWith(COLUMN_PREFIX)) {
        // A reorder inside the column: the card takes the place of the one it is over.
        const cards = final.columns.find((c) => c.uid === target)?.leads ?? [];
        const overIndex = cards.findIndex((c) => c.uid === String(over.id));
        if (overIndex >= 0 && overIndex !== place.index) {
          final = moveCard(final, current.uid, target, overIndex);
        }
      }
      const landed = findCard(final, current.uid);
      const origin = findCard(board, current.uid);
      if (!landed || !origin || (landed.stage === origin.stage && landed.index === origin.index)) {
        updateDrag(null);
        return;
      }
      updateDrag({ ...current, board: final, dropped: true });
      void runMove({ uid: current.uid, toStage: landed.stage, index: landed.index }, current.card, current.byKeyboard);
      if (current.byKeyboard) focusCard(current.uid);
    },
    [board, isAdmin, runMove, stageNames, toast, updateDrag],
  );

  const onDragCancel = useCallback(() => {
    const current = dragRef.current;
    updateDrag(null);
    if (current?.byKeyboard) focusCard(current.uid);
  }, [updateDrag]);

  const onOpen = useCallback((uid: string) => navigate(`/leads/${encodeURIComponent(uid)}`), [navigate]);

  const closeAsk = useCallback(() => setAsk(null), []);
  const submitAsk = useCallback(
    async (data: Record<string, unknown>) => {
      if (!ask) return;
      try {
        await move({ ...ask.move, data });
        setAsk(null);
      } catch (error) {
        // Values the server refused stay in the form, on their fields; any other refusal
        // closes it and says why.
        if (error instanceof ApiError && Object.keys(error.fields).some((k) => k.startsWith("data."))) {
          throw error;
        }
        setAsk(null);
        toast(
          <MoveRefusal leadName={ask.leadName} leadUid={ask.move.uid} targetName={ask.stageName} error={error} />,
          "error",
        );
      }
    },
    [ask, move, toast],
  );

  const announcements = useMemo<Announcements>(() => {
    const cardName = (id: UniqueIdentifier) =>
      dragRef.current?.card.name ?? findCard(board, String(id))?.card.name ?? "the card";
    const overName = (id: UniqueIdentifier) => {
      const stage = dragRef.current ? stageOf(dragRef.current.board, id) : stageOf(board, id);
      const name = stage ? stageNames.get(stage) ?? stage : "the board";
      const refused = stage && dragRef.current && !dragRef.current.allowed.has(stage);
      return refused ? `${name}, where it cannot move` : name;
    };
    return {
      onDragStart: ({ active }) => `Picked up ${cardName(active.id)}.`,
      onDragOver: ({ active, over }) =>
        over ? `${cardName(active.id)} is over ${overName(over.id)}.` : `${cardName(active.id)} is not over a column.`,
      onDragEnd: ({ active, over }) =>
        over ? `${cardName(active.id)} was dropped in ${overName(over.id)}.` : `${cardName(active.id)} was put back.`,
      onDragCancel: ({ active }) => `Moving ${cardName(active.id)} was cancelled; it is back in place.`,
    };
  }, [board, stageNames]);

  const dragging = drag !== null && !drag.dropped;
  const shownCards = useMemo(
    () => (drag ? new Map(drag.board.columns.map((c) => [c.uid, c.leads])) : null),
    [drag],
  );

  return (
    <DndContext
      // Viewers get no sensors at all. dnd-kit wants the same number of sensors on every
      // render, so the context is remounted if the role ever changes; while the board of the
      // previous filters is shown (canDrag false) the cards are simply not draggable.
      key={canWrite ? "write" : "read"}
      sensors={canWrite ? sensors : NO_SENSORS}
      collisionDetection={collisionDetection}
      onDragStart={onDragStart}
      onDragOver={onDragOver}
      onDragEnd={onDragEnd}
      onDragCancel={onDragCancel}
      accessibility={{
        announcements,
        screenReaderInstructions: {
          draggable:
            "Press Space to pick up the lead card, the arrow keys to move it within a column or to " +
            "another stage, Space to drop it, Escape to cancel. Press Enter to open the lead.",
        },
      }}
    >
      <div className={`board${dragging ? " board-dragging" : ""}`} data-testid="board">
        {board.columns.map((column, index) => {
          const dimmed = dragging && !drag.allowed.has(column.uid);
          return (
            <BoardColumn
              key={column.uid}
              column={column}
              cards={shownCards?.get(column.uid) ?? column.leads}
              users={users}
              dimmed={dimmed}
              accepting={dragging && !dimmed && column.uid !== drag.source}
              canDrag={canDrag}
              filtered={filtered}
              quickAdd={canWrite && index === 0}
              variables={variables}
              onCreate={create}
              onLoadMore={loadMore}
              onOpen={onOpen}
            />
          );
        })}
      </div>
      <DragOverlay dropAnimation={null}>
        {dragging ? (
          // dnd-kit measures the overlay's first element for collisions and keyboard moves:
          // that frame stays upright, only the card inside it is tilted.
          <div className="card-overlay-frame" data-testid="drag-overlay">
            <div className="card card-overlay">
              <CardBody card={drag.card} users={users} />
            </div>
          </div>
        ) : null}
      </DragOverlay>
      {ask ? <RequiredFieldsModal request={ask} onSubmit={submitAsk} onClose={closeAsk} /> : null}
    </DndContext>
  );
}
