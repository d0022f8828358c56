// Several selected cards dragged together, as plain data: which cards go, what each column
// does with them (read from each card's own `moves`: the server's answer, nothing decided
// here), where they land, and the board once some of them moved. Pure, tested without a screen.
import type { Board, Card, Move } from "../api/types";
import { movesByStage, reasonText, type MoveState } from "../app/moves";
import type { Refusal } from "../bulk/selection";
import { findCard, moveCard, replaceCard } from "./boardModel";

export interface GroupMember {
  card: Card;
  /** The stage the card is in. */
  source: string;
  moves: ReadonlyMap<string, Move>;
}

/** The selected cards on the board, in its order (column by column, top down); a group only
 * when the grabbed card is one of two or more selected (else it is dragged alone). */
export function groupOf(board: Board, selected: ReadonlySet<string>, grabbed: string): GroupMember[] | null {
  if (selected.size < 2 || !selected.has(grabbed)) return null;
  const members = board.columns.flatMap((column) =>
    column.leads
      .filter((card) => selected.has(card.uid))
      .map((card) => ({ card, source: column.uid, moves: movesByStage(card.moves) })),
  );
  return members.length >= 2 ? members : null;
}

/**
 * What one card of the group does at `stage`: it is already there; it may go; it may go once
 * told why it was lost (asked once for the whole group); or it is refused. A card whose move
 * asks for required fields is refused too: a group drop does not ask each lead for its fields,
 * the server refuses those leads and the summary names them.
 */
export type MemberDrop = "here" | "open" | "lost" | "refused";

export function memberDrop(member: GroupMember, stage: string): MemberDrop {
  if (stage === member.source) return "here";
  const move = member.moves.get(stage);
  if (!move) return "refused";
  if (move.allowed) return "open";
  const lostOnly = move.reasons.length > 0 && move.reasons.every((reason) => reason.code === "lost_reason_required");
  return lostOnly ? "lost" : "refused";
}

/** A column takes the group when at least one of its cards may go there; it asks first
 * ("fields") when one of those needs a lost reason; every card already there is a no-op. */
export function groupDropState(group: readonly GroupMember[], stage: string): "source" | MoveState {
  const drops = group.map((member) => memberDrop(member, stage));
  if (drops.every((drop) => drop === "here")) return "source";
  if (drops.includes("lost")) return "fields";
  if (drops.includes("open")) return "open";
  return "refused";
}

/** What a column says while the group is over the board: how many may go, what it asks,
 * or (none may go) the server's reason for the first card. */
export function groupDropNote(group: readonly GroupMember[], stage: string): string | null {
  const drops = group.map((member) => memberDrop(member, stage));
  const coming = drops.filter((drop) => drop !== "here").length;
  const going = drops.filter((drop) => drop === "open" || drop === "lost").length;
  if (coming === 0) return null;
  if (going === 0) {
    const first = group.find((member) => memberDrop(member, stage) === "refused");
    const reason = first ? reasonText(first.moves.get(stage)?.reasons ?? []) : "";
    return `None of the ${coming} cards can move here. ${first?.card.name ?? ""}: ${reason || "The board has changed: reload it."}`;
  }
  const parts = going < coming ? [`${going} of ${coming} cards can move here`] : [];
  if (drops.includes("lost")) parts.push(parts.length ? "asks for a lost reason" : "Asks for a lost reason");
  return parts.length ? parts.join("; ") : null;
}

export interface GroupPlan {
  stage: string;
  /** The leads to send, in the board's order: every card not already in the column. */
  uids: string[];
  /** Those the cards' moves let go (optimistically moved at once). */
  going: string[];
  /** Cards already in the column: they stay where they are. */
  here: string[];
  /** The column's cards the group lands between (not in the group; null: the top / bottom). */
  above: string | null;
  below: string | null;
  /** One of the going cards needs a lost reason: asked once, before sending. */
  asksLostReason: boolean;
  /** The cards the moves already refuse, each with the server's reason (sent all the same
   * when others go: the server's answer is the one reported). */
  refusals: Refusal[];
  /** The leads' names, for the summary. */
  names: ReadonlyMap<string, string>;
  /** The versions the board shows: a lead changed since is refused, not moved blind. */
  versions: Record<string, number>;
}

/** The drop of the group on `stage`, the grabbed card being where the pointer left it in
 * `final` (its neighbours outside the group become the group's). */
export function planGroupDrop(group: readonly GroupMember[], final: Board, grabbed: string, stage: string): GroupPlan {
  const inGroup = new Set(group.map((member) => member.card.uid));
  const leads = final.columns.find((column) => column.uid === stage)?.leads ?? [];
  const at = leads.findIndex((card) => card.uid === grabbed);
  const outside = (cards: readonly Card[]) => cards.find((card) => !inGroup.has(card.uid))?.uid ?? null;
  const above = at < 0 ? null : outside([...leads.slice(0, at)].reverse());
  const below = at < 0 ? outside(leads) : outside(leads.slice(at + 1));
  const drops = group.map((member) => [member, memberDrop(member, stage)] as const);
  const uidsWhere = (test: (drop: MemberDrop) => boolean) =>
    drops.filter(([, drop]) => test(drop)).map(([member]) => member.card.uid);
  return {
    stage,
    uids: uidsWhere((drop) => drop !== "here"),
    going: uidsWhere((drop) => drop === "open" || drop === "lost"),
    here: uidsWhere((drop) => drop === "here"),
    above,
    below,
    asksLostReason: drops.some(([, drop]) => drop === "lost"),
    refusals: drops
      .filter(([, drop]) => drop === "refused")
      .map(([member]) => ({
        uid: member.card.uid,
        name: member.card.name,
        message: reasonText(member.moves.get(stage)?.reasons ?? []) || "The board has changed: reload it.",
      })),
    names: new Map(group.map((member) => [member.card.uid, member.card.name])),
    versions: Object.fromEntries(group.map((member) => [member.card.uid, member.card.version])),
  };
}

/** The board with `uids` moved into `stage`, in that order, right below `above` (or right
 * above `below`, or on top), counts and totals following each card. */
export function moveCards(board: Board, uids: readonly string[], stage: string, above: string | null, below: string | null): Board {
  let next = board;
  let previous = above;
  for (const uid of uids) {
    const column = next.columns.find((candidate) => candidate.uid === stage);
    if (!column || !findCard(next, uid)) continue;
    const index = (uid: string | null) => (uid ? column.leads.findIndex((card) => card.uid === uid) : -1);
    const after = index(previous);
    const before = index(below);
    const at = after >= 0 ? after + 1 : before >= 0 ? before : 0;
    next = moveCard(next, uid, stage, at);
    previous = uid;
  }
  return next;
}

/** The cards of `uids` back where `snapshot` had them (the server refused them), leaving the
 * rest of `current` (the cards that did move, a refetch) as it is. */
export function putBack(current: Board, snapshot: Board, uids: readonly string[]): Board {
  const places = uids
    .map((uid) => findCard(snapshot, uid))
    .filter((place) => place !== null)
    .sort((a, b) => a.columnIndex - b.columnIndex || a.index - b.index);
  let next = current;
  for (const place of places) {
    if (!findCard(next, place.card.uid)) continue;
    next = replaceCard(moveCard(next, place.card.uid, place.stage, place.index), place.card);
  }
  return next;
}
