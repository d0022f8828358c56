// The board's drag state machine on dnd-kit: idle -> dragging (the card follows the pointer or
// the arrow keys into the columns that accept it) -> dropped (the drop stays on screen until the
// cache update arrives) -> idle. What a drop means is `dropOutcome`'s, from the card's moves;
// what is then done about it is the caller's (`onDrop`).
import {
  KeyboardCode,
  type Announcements,
  type DragEndEvent,
  type DragOverEvent,
  type DragStartEvent,
  type UniqueIdentifier,
} from "@dnd-kit/core";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Board, Card } from "../api/types";
import { useSortableSensors } from "../ui/useSortableSensors";
import { findCard, moveCard } from "./boardModel";
import { boardCollision, dropIndex, isColumnId, stageOf } from "./collision";
import { moveCards } from "./groupDrag";
import { accepts, dropOutcome, dropState, startDrag, type DragState, type DropOutcome } from "./dragState";

const NOTHING_SELECTED: ReadonlySet<string> = new Set();

/** How long a drop may wait for its cache update before the board shows the cache as it is. */
const DROP_SETTLE_MS = 500;

export function focusCard(uid: string) {
  const selector = `[data-testid="card-${uid.replace(/["\\]/g, "\\$&")}"]`;
  requestAnimationFrame(() => document.querySelector<HTMLElement>(selector)?.focus());
}

/** A pointer drag cancelled with Escape ends when the button is released, and the browser then
 * clicks the card under it: that click must not open the lead. */
function swallowClickAfterRelease() {
  const swallow = (event: MouseEvent) => {
    event.stopPropagation();
    event.preventDefault();
  };
  document.addEventListener(
    "pointerup",
    () => {
      document.addEventListener("click", swallow, { capture: true, once: true });
      // The click follows the release in the same task; a later one is a new click.
      window.setTimeout(() => document.removeEventListener("click", swallow, { capture: true }), 0);
    },
    { once: true },
  );
}

export function useDragMachine(
  board: Board,
  onDrop: (outcome: DropOutcome, card: Card, byKeyboard: boolean) => void,
  /** The selected cards: grabbing one of them drags them all. */
  selected: ReadonlySet<string> = NOTHING_SELECTED,
) {
  const [drag, setDrag] = useState<DragState | null>(null);
  // Handlers read the drag through refs: dnd-kit calls them between renders.
  const dragRef = useRef<DragState | null>(null);
  const shownBoard = useRef<Board | null>(null);
  const lastOver = useRef<UniqueIdentifier | null>(null);
  const justMoved = useRef(false);
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  const update = useCallback((next: DragState | null) => {
    dragRef.current = next;
    shownBoard.current = next?.board ?? null;
    setDrag(next);
  }, []);

  // Enter is left to open the card; Space picks it up and drops it.
  const sensors = useSortableSensors(6, {
    start: [KeyboardCode.Space],
    cancel: [KeyboardCode.Esc],
    end: [KeyboardCode.Space, KeyboardCode.Enter],
  });

  // The cache update of a drop reaches the board a tick after the drop: until it does, the
  // dropped positions stay on screen, so the card does not flash back to where it was.
  useEffect(() => {
    if (dragRef.current?.dropped) update(null);
  }, [board, update]);
  useEffect(() => {
    if (!drag?.dropped) return;
    const timer = window.setTimeout(() => {
      if (dragRef.current?.dropped) update(null);
    }, DROP_SETTLE_MS);
    return () => window.clearTimeout(timer);
  }, [drag, update]);
  useEffect(() => {
    // After a move the card is somewhere else in the DOM: let the collision check settle.
    justMoved.current = false;
  }, [drag?.board]);

  const collisionDetection = useMemo(() => boardCollision({ board: shownBoard, lastOver, justMoved }), []);

  const onDragStart = useCallback(
    ({ active, activatorEvent }: DragStartEvent) => {
      lastOver.current = null;
      update(startDrag(board, String(active.id), activatorEvent instanceof KeyboardEvent, selectedRef.current));
    },
    [board, update],
  );

  const onDragOver = useCallback(
    ({ active, over }: DragOverEvent) => {
      const current = dragRef.current;
      if (!current || !over || current.dropped) return;
      const target = stageOf(current.board, over.id);
      const place = findCard(current.board, current.uid);
      // Only across columns: inside one, SortableContext shows the new order by itself.
      if (!target || !place || target === place.stage) return;
      // A column that refuses the card leaves it where it was (and stays dimmed).
      if (!accepts(current, target)) return;
      justMoved.current = true;
      const index = dropIndex(current.board, target, active, over);
      update({ ...current, board: moveCard(current.board, current.uid, target, index) });
    },
    [update],
  );

  const onDragEnd = useCallback(
    ({ active, over }: DragEndEvent) => {
      const current = dragRef.current;
      const target = current && over ? stageOf(current.board, over.id) : null;
      if (!current || !over || !target) {
        update(null);
        return;
      }
      let final = current.board;
      const place = findCard(final, current.uid);
      if (place && accepts(current, target)) {
        if (target !== place.stage) {
          final = moveCard(final, current.uid, target, dropIndex(final, target, active, over));
        } else if (!isColumnId(over.id)) {
          // A reorder inside the column: the card takes the place of the one it is over.
          const overIndex = place.column.leads.findIndex((card) => card.uid === String(over.id));
          if (overIndex >= 0) final = moveCard(final, current.uid, target, overIndex);
        }
      }
      const outcome = dropOutcome(current, board, final, target);
      // A move keeps the drop on screen until the cache has it; anything else puts it back.
      if (outcome.kind === "move") update({ ...current, board: final, dropped: true });
      else if (outcome.kind === "group" && outcome.plan.going.length > 0 && !outcome.plan.asksLostReason) {
        const { going, stage, above, below } = outcome.plan;
        update({ ...current, board: moveCards(board, going, stage, above, below), dropped: true });
      } else update(null);
      onDrop(outcome, current.card, current.byKeyboard);
      if (current.byKeyboard) focusCard(current.uid);
    },
    [board, onDrop, update],
  );

  const onDragCancel = useCallback(() => {
    const current = dragRef.current;
    update(null);
    if (current?.byKeyboard) focusCard(current.uid);
    else if (current) swallowClickAfterRelease();
  }, [update]);

  const announcements = useMemo<Announcements>(() => {
    const stageNames = new Map(board.columns.map((column) => [column.uid, column.name]));
    const cardName = (id: UniqueIdentifier) => {
      const current = dragRef.current;
      const name = current?.card.name ?? findCard(board, String(id))?.card.name ?? "the card";
      const others = (current?.group?.length ?? 1) - 1;
      return others > 0 ? `${name} and ${others} other selected card${others === 1 ? "" : "s"}` : name;
    };
    const overName = (id: UniqueIdentifier) => {
      const current = dragRef.current;
      const stage = stageOf(current?.board ?? board, id);
      const name = stage ? (stageNames.get(stage) ?? stage) : "the board";
      const state = stage && current ? dropState(current, stage) : "source";
      if (state === "refused") return `${name}, where it cannot move`;
      if (state === "fields") return `${name}, which asks for more fields first`;
      return name;
    };
    return {
      onDragStart: ({ active }) => `Picked up ${cardName(active.id)}.`,
      onDragOver: ({ active, over }) =>
        over ? `${cardName(active.id)} is over ${overName(over.id)}.` : `${cardName(active.id)} is not over a column.`,
      onDragEnd: ({ active, over }) =>
        over ? `${cardName(active.id)} was dropped in ${overName(over.id)}.` : `${cardName(active.id)} was put back.`,
      onDragCancel: ({ active }) => `Moving ${cardName(active.id)} was cancelled; it is back in place.`,
    };
  }, [board]);

  return {
    drag,
    sensors,
    collisionDetection,
    announcements,
    handlers: { onDragStart, onDragOver, onDragEnd, onDragCancel },
  };
}
