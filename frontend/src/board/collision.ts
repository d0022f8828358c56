// Where a dragged card is over, for dnd-kit: the column or card under the pointer, the nearest
// card when over a column that has some, and the last answer while the DOM settles after the
// card moved to another column (asking again then makes the card flicker between columns).
import {
  closestCenter,
  getFirstCollision,
  pointerWithin,
  rectIntersection,
  type Active,
  type CollisionDetection,
  type Over,
  type UniqueIdentifier,
} from "@dnd-kit/core";
import type { MutableRefObject } from "react";
import type { Board } from "../api/types";
import { COLUMN_PREFIX } from "./BoardColumn";
import { findCard } from "./boardModel";
import { DROP_BAR_PREFIX } from "./DropBar";

/** The stage a droppable id stands for: a column id, a drop bar zone, or the column a card id
 * is in. */
export function stageOf(board: Board, id: UniqueIdentifier): string | null {
  const text = String(id);
  if (text.startsWith(COLUMN_PREFIX)) return text.slice(COLUMN_PREFIX.length);
  if (text.startsWith(DROP_BAR_PREFIX)) return text.slice(DROP_BAR_PREFIX.length);
  return findCard(board, text)?.stage ?? null;
}

/** A column or a drop bar zone: a drop there lands at the end of the stage's cards. */
export function isColumnId(id: UniqueIdentifier): boolean {
  return String(id).startsWith(COLUMN_PREFIX) || isDropBarId(id);
}

export function isDropBarId(id: UniqueIdentifier): boolean {
  return String(id).startsWith(DROP_BAR_PREFIX);
}

/** Where in `stage` the dragged card lands when dropped over `over`: at the end when over the
 * column itself, else above or below the card it is over, by which half it is in. */
export function dropIndex(board: Board, stage: string, active: Active, over: Over): number {
  const cards = board.columns.find((column) => column.uid === stage)?.leads ?? [];
  const overId = String(over.id);
  if (isColumnId(overId)) return cards.length;
  const overIndex = cards.findIndex((card) => card.uid === overId);
  if (overIndex < 0) return cards.length;
  const dragged = active.rect.current.translated;
  const below = dragged !== null && dragged.top > over.rect.top + over.rect.height / 2;
  return overIndex + (below ? 1 : 0);
}

export interface CollisionRefs {
  /** The board as the drag shows it, or null when nothing is dragged. */
  board: MutableRefObject<Board | null>;
  /** The last droppable answered. */
  lastOver: MutableRefObject<UniqueIdentifier | null>;
  /** The card just moved to another column and the DOM has not caught up yet. */
  justMoved: MutableRefObject<boolean>;
}

export function boardCollision({ board, lastOver, justMoved }: CollisionRefs): CollisionDetection {
  return (args) => {
    if (justMoved.current && lastOver.current !== null) return [{ id: lastOver.current }];
    const pointer = pointerWithin(args);
    // The drop bar lies over the columns: under the pointer, it is what the card is over.
    const bar = pointer.find((hit) => isDropBarId(hit.id));
    if (bar) {
      lastOver.current = bar.id;
      return [{ id: bar.id }];
    }
    const hits = pointer.length > 0 ? pointer : rectIntersection(args);
    let overId = getFirstCollision(hits, "id");
    if (overId === null) return lastOver.current !== null ? [{ id: lastOver.current }] : [];
    const shown = board.current;
    if (shown && String(overId).startsWith(COLUMN_PREFIX)) {
      // Over a column with cards: the nearest card of that column is the better answer.
      const stage = String(overId).slice(COLUMN_PREFIX.length);
      const inColumn = new Set(
        shown.columns.find((column) => column.uid === stage)?.leads.map((card) => card.uid) ?? [],
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
  };
}
