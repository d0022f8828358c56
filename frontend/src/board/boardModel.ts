// The board's logic as pure functions over the Kanban payload, so the optimistic move and its
// revert can be tested without a browser. Where a card may go is not decided here: each card
// carries the server's `moves`. Every function returns a new
// board that shares the columns and cards it did not change: memoized columns and cards keep
// their identity and do not re-render.
import type { Board, BoardColumn, Card, Lead } from "../api/types";

export interface Neighbours {
  /** The card that ends up directly above the moved one (null: it is first). */
  above: string | null;
  /** The card that ends up directly below the moved one (null: it is last). */
  below: string | null;
}

/** The neighbours the server needs to place `movedUid`, read from the target column's cards
 * in their order AFTER the move. */
export function neighbours(cards: readonly Pick<Card, "uid">[], movedUid: string): Neighbours {
  const index = cards.findIndex((card) => card.uid === movedUid);
  if (index < 0) throw new Error(`${movedUid} is not in the target column`);
  return {
    above: cards[index - 1]?.uid ?? null,
    below: cards[index + 1]?.uid ?? null,
  };
}

export interface CardPlace {
  columnIndex: number;
  column: BoardColumn;
  stage: string;
  index: number;
  card: Card;
}

export function findCard(board: Board, uid: string): CardPlace | null {
  for (const [columnIndex, column] of board.columns.entries()) {
    const index = column.leads.findIndex((card) => card.uid === uid);
    const card = column.leads[index];
    if (card) return { columnIndex, column, stage: column.uid, index, card };
  }
  return null;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A column with one more (sign 1) or one fewer (sign -1) card of `value` in its totals. */
function adjustTotals(column: BoardColumn, card: Card, sign: 1 | -1): BoardColumn {
  const value = typeof card.value === "number" ? card.value : 0;
  return {
    ...column,
    count: Math.max(0, column.count + sign),
    value_total: round2(column.value_total + sign * value),
    weighted_total: round2(column.weighted_total + (sign * value * column.probability) / 100),
  };
}

function clamp(index: number, length: number): number {
  return Math.min(Math.max(0, index), length);
}

/** The board with card `uid` at position `index` of column `toStage` (the position it holds
 * once moved). Across columns, counts and value totals follow the card; an unknown card or
 * column leaves the board as it is. */
export function moveCard(board: Board, uid: string, toStage: string, index: number): Board {
  const from = findCard(board, uid);
  const toIndex = board.columns.findIndex((column) => column.uid === toStage);
  const target = board.columns[toIndex];
  if (!from || !target) return board;
  const columns = [...board.columns];
  const source = from.column;
  const remaining = source.leads.filter((card) => card.uid !== uid);
  if (from.columnIndex === toIndex) {
    const at = clamp(index, remaining.length);
    if (at === from.index) return board;
    remaining.splice(at, 0, from.card);
    columns[toIndex] = { ...source, leads: remaining };
    return { ...board, columns };
  }
  const leads = [...target.leads];
  leads.splice(clamp(index, leads.length), 0, from.card);
  columns[from.columnIndex] = { ...adjustTotals(source, from.card, -1), leads: remaining };
  columns[toIndex] = { ...adjustTotals(target, from.card, 1), leads };
  return { ...board, columns };
}

/** Undo an optimistic move of `uid` that the server refused.
 *
 * When nothing else touched the board since the move (`current` is still `optimistic`), the
 * snapshot comes back as it was. Otherwise (another move or a refetch landed meanwhile) only
 * this card goes back to its old column and place, as it was in the snapshot, so the other
 * change is not undone with it. */
export function revertMove(current: Board, snapshot: Board, optimistic: Board, uid: string): Board {
  if (current === optimistic) return snapshot;
  const before = findCard(snapshot, uid);
  if (!before) return current;
  const moved = moveCard(current, uid, before.stage, before.index);
  return replaceCard(moved, before.card);
}

/** The board with the card of the same uid replaced (e.g. by the server's version). */
export function replaceCard(board: Board, card: Card): Board {
  const place = findCard(board, card.uid);
  if (!place) return board;
  const columns = [...board.columns];
  const leads = [...place.column.leads];
  leads[place.index] = card;
  columns[place.columnIndex] = { ...place.column, leads };
  return { ...board, columns };
}

/** A new card at `index` (default: the top) of column `stage`, counted in its totals. */
export function insertCard(board: Board, stage: string, card: Card, index = 0): Board {
  const columnIndex = board.columns.findIndex((column) => column.uid === stage);
  const column = board.columns[columnIndex];
  if (!column || findCard(board, card.uid)) return board;
  const leads = [...column.leads];
  leads.splice(clamp(index, leads.length), 0, card);
  const columns = [...board.columns];
  columns[columnIndex] = { ...adjustTotals(column, card, 1), leads };
  return { ...board, columns };
}

/** Column `page` (one column's next cards, from `?stage=&cursor=`) appended to its column.
 * Cards already on the board are skipped (a card dropped into this column meanwhile); the
 * totals and cursor come from the page, the freshest numbers there are. */
export function appendPage(board: Board, page: BoardColumn): Board {
  const columnIndex = board.columns.findIndex((column) => column.uid === page.uid);
  const column = board.columns[columnIndex];
  if (!column) return board;
  const known = new Set(board.columns.flatMap((c) => c.leads.map((card) => card.uid)));
  const fresh = page.leads.filter((card) => !known.has(card.uid));
  const columns = [...board.columns];
  columns[columnIndex] = {
    ...column,
    count: page.count,
    value_total: page.value_total,
    weighted_total: page.weighted_total,
    oldest_entered_at: page.oldest_entered_at,
    leads: [...column.leads, ...fresh],
    next_cursor: page.next_cursor,
  };
  return { ...board, columns };
}

/** How many cards the longest column holds: a refetch asks for at least that many per column,
 * so cards people loaded with "Load more" do not vanish when the board refreshes. */
export function loadedDepth(board: Board | undefined): number {
  if (!board) return 0;
  return board.columns.reduce((depth, column) => Math.max(depth, column.leads.length), 0);
}

/** The card the server describes in a lead (a move's or a quick-add's answer), as the board
 * shows it: its task counts and moves are the server's, as on every card. */
export function cardFromLead(lead: Lead, valueField: string | null): Card {
  const raw = valueField ? lead.data[valueField] : undefined;
  return {
    uid: lead.uid,
    name: lead.name,
    email: lead.email,
    company: lead.company,
    assigned_to: lead.assigned_to,
    status: lead.status,
    rank: lead.rank,
    version: lead.version,
    value: typeof raw === "number" ? raw : null,
    tasks: lead.task_counts,
    updated_at: lead.updated_at,
    entered_stage_at: lead.stage_entered_at,
    next_due_at: lead.next_due_at,
    overdue: lead.overdue,
    stale_days: lead.stale_days,
    moves: lead.moves,
  };
}
