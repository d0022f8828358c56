// A drag on the board as plain data: which card, where it came from, where the cards are while
// it goes on, and what each column does with it, read from the card's own `moves` (the server's
// answer; nothing here decides a move). Pure, so the drop rules of the screen can be tested
// without a browser.
import type { Board, Card, Move, MoveReason } from "../api/types";
import { askText, moveState, movesByStage, reasonText, type MoveState } from "../app/moves";
import type { MoveRequest } from "./api";
import { findCard } from "./boardModel";
import {
  groupDropNote,
  groupDropState,
  groupOf,
  planGroupDrop,
  type GroupMember,
  type GroupPlan,
} from "./groupDrag";

/** What a column does with the dragged card: its own column takes it back (a reorder). */
export type DropState = "source" | MoveState;

export interface DragState {
  uid: string;
  card: Card;
  source: string;
  /** The card's moves by target stage, as the server sent them with the card. */
  moves: ReadonlyMap<string, Move>;
  /** Where the cards are while the drag goes on (the card follows the pointer across columns). */
  board: Board;
  /** Dropped, and the board shows the drop until the cache update reaches the screen. */
  dropped: boolean;
  byKeyboard: boolean;
  /** The selected cards dragged along with this one (it among them); null: it goes alone. */
  group: GroupMember[] | null;
}

export function startDrag(
  board: Board,
  uid: string,
  byKeyboard: boolean,
  selected: ReadonlySet<string> = new Set(),
): DragState | null {
  const place = findCard(board, uid);
  if (!place) return null;
  return {
    group: groupOf(board, selected, uid),
    uid,
    card: place.card,
    source: place.stage,
    moves: movesByStage(place.card.moves),
    board,
    dropped: false,
    byKeyboard,
  };
}

/** A stage the card has no move to (a stage added since the board loaded) is refused: the
 * server would be asked about a move nobody was shown. */
export function dropState(drag: DragState, stage: string): DropState {
  if (drag.group) return groupDropState(drag.group, stage);
  if (stage === drag.source) return "source";
  const move = drag.moves.get(stage);
  return move ? moveState(move) : "refused";
}

export function accepts(drag: DragState, stage: string): boolean {
  return dropState(drag, stage) !== "refused";
}

const UNKNOWN_STAGE: MoveReason[] = [
  { code: "not_allowed", message: "The board has changed: reload it to move here.", tasks: null, fields: null },
];

/** The server's reasons against moving the card to `stage` (none when it may go there). */
export function dropReasons(drag: DragState, stage: string): MoveReason[] {
  if (stage === drag.source) return [];
  return drag.moves.get(stage)?.reasons ?? UNKNOWN_STAGE;
}

/** What a column says while the card is over the board: the refusal, or the fields it asks. */
export function dropNote(drag: DragState, stage: string): string | null {
  if (drag.group) return groupDropNote(drag.group, stage);
  switch (dropState(drag, stage)) {
    case "refused":
      return reasonText(dropReasons(drag, stage));
    case "fields":
      return askText(dropReasons(drag, stage));
    default:
      return null;
  }
}

export type DropOutcome =
  | { kind: "none" }
  | { kind: "refuse"; stage: string; reasons: MoveReason[] }
  | { kind: "move"; request: MoveRequest }
  | { kind: "ask"; request: MoveRequest; reasons: MoveReason[] }
  | { kind: "group"; plan: GroupPlan };

/**
 * What a drop on `target` does, `final` being the board with the card where it landed: nothing
 * when it is back in its place, a refusal the card's moves give, a form for what the target asks
 * (fields, a lost reason), or the move.
 */
export function dropOutcome(drag: DragState, origin: Board, final: Board, target: string): DropOutcome {
  if (drag.group) {
    const plan = planGroupDrop(drag.group, final, drag.uid, target);
    return plan.uids.length > 0 ? { kind: "group", plan } : { kind: "none" };
  }
  const state = dropState(drag, target);
  if (state === "refused") return { kind: "refuse", stage: target, reasons: dropReasons(drag, target) };
  const landed = findCard(final, drag.uid);
  const before = findCard(origin, drag.uid);
  if (!landed || !before || (landed.stage === before.stage && landed.index === before.index)) {
    return { kind: "none" };
  }
  const request: MoveRequest = { uid: drag.uid, toStage: landed.stage, index: landed.index };
  if (state === "fields") return { kind: "ask", request, reasons: dropReasons(drag, target) };
  return { kind: "move", request };
}
