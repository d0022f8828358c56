// How the screens read the moves the server sends with every lead and card (`moves`, and the
// `reasons` of a refused move's 409). The server decides; this only sorts its answer into what
// a screen does with a target: offer it, offer it with a form for the missing fields, or show it
// refused with the server's sentences.
import type { FieldRef, Move, MoveReason, TaskRef } from "../api/types";

export type MoveState = "open" | "fields" | "refused";

/** The reason codes a client answers with the move itself (the server's ANSWERABLE): values
 * for the target's required fields, a lost reason. */
export const ANSWERABLE: readonly MoveReason["code"][] = ["missing_required_fields", "lost_reason_required"];

/** A target whose reasons are all answerable can still be made by sending the answers with
 * the move: such a target asks for them (one form, one request) instead of refusing. */
export function asksInline(reasons: readonly MoveReason[]): boolean {
  return reasons.length > 0 && reasons.every((reason) => ANSWERABLE.includes(reason.code));
}

/** The server wants to know why the lead was lost. */
export function needsLostReason(reasons: readonly MoveReason[]): boolean {
  return reasons.some((reason) => reason.code === "lost_reason_required");
}

export function moveState(move: Move): MoveState {
  if (move.allowed) return "open";
  return asksInline(move.reasons) ? "fields" : "refused";
}

/** What a target asks before it takes the lead, in words: "Asks for Budget, a lost reason". */
export function askText(reasons: readonly MoveReason[]): string {
  const asks = reasonFields(reasons).map((field) => field.label);
  if (needsLostReason(reasons)) asks.push("a lost reason");
  return `Asks for ${asks.join(", ")}`;
}

/** The fields the reasons name (missing_required_fields), each once. */
export function reasonFields(reasons: readonly MoveReason[]): FieldRef[] {
  const byKey = new Map<string, FieldRef>();
  for (const reason of reasons) for (const field of reason.fields ?? []) byKey.set(field.key, field);
  return [...byKey.values()];
}

/** The tasks the reasons name (blocking_tasks), each once. */
export function reasonTasks(reasons: readonly MoveReason[]): TaskRef[] {
  const byUid = new Map<string, TaskRef>();
  for (const reason of reasons) for (const task of reason.tasks ?? []) byUid.set(task.uid, task);
  return [...byUid.values()];
}

/** The server's sentences for a refused move, as one line. */
export function reasonText(reasons: readonly MoveReason[]): string {
  return reasons.map((reason) => reason.message).join(" ");
}

/** The moves by target stage, to look one up while dragging. */
export function movesByStage(moves: readonly Move[]): ReadonlyMap<string, Move> {
  return new Map(moves.map((move) => [move.to_stage, move]));
}
