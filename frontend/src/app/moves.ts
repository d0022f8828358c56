// How the screens read the moves the server sends with every lead and card (`moves`, and the
// `reasons` of a refused move's 409). The server decides; this only sorts its answer into what
// a screen does with a target: offer it, offer it with a form for the missing fields, or show it
// refused with the server's sentences.
import type { FieldRef, Move, MoveReason, TaskRef } from "../api/types";

export type MoveState = "open" | "fields" | "refused";

/** A target whose only reasons are missing required fields can still be made by sending those
 * fields with the move: such a target asks for them instead of refusing. */
export function asksOnlyForFields(reasons: readonly MoveReason[]): boolean {
  return reasons.length > 0 && reasons.every((reason) => reason.code === "missing_required_fields");
}

export function moveState(move: Move): MoveState {
  if (move.allowed) return "open";
  return asksOnlyForFields(move.reasons) ? "fields" : "refused";
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
