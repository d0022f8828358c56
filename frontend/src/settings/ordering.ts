// Putting things in order: moving a row, the stage order after a drop, and which stages lead
// into which.
import type { Stage } from "../api/types";

/** `list` with the item at `from` moved to `to` (a new array; the input is left alone). */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const result = [...list];
  if (from < 0 || from >= result.length || to < 0 || to >= result.length || from === to) {
    return result;
  }
  result.splice(to, 0, ...result.splice(from, 1));
  return result;
}

/** The uids after dropping `activeId` onto `overId`, or null when nothing moves. */
export function reorderUids(
  uids: readonly string[],
  activeId: string,
  overId: string | null,
): string[] | null {
  if (overId === null || activeId === overId) return null;
  const from = uids.indexOf(activeId);
  const to = uids.indexOf(overId);
  if (from < 0 || to < 0) return null;
  return moveItem(uids, from, to);
}

/** `stages` put in the order of `uids` (stages the list does not name keep their place last). */
export function applyOrder(stages: readonly Stage[], uids: readonly string[]): Stage[] {
  const position = new Map(uids.map((uid, index) => [uid, index]));
  return [...stages]
    .sort(
      (a, b) =>
        (position.get(a.uid) ?? Number.MAX_SAFE_INTEGER) -
        (position.get(b.uid) ?? Number.MAX_SAFE_INTEGER),
    )
    .map((stage, index) => ({ ...stage, order: index }));
}

/** How many stages list each stage as an allowed next stage. */
export function incomingCounts(stages: readonly Stage[]): Map<string, number> {
  const counts = new Map<string, number>(stages.map((stage) => [stage.uid, 0]));
  for (const stage of stages) {
    for (const next of stage.allowed_next_stages ?? []) {
      if (next !== stage.uid && counts.has(next)) counts.set(next, (counts.get(next) ?? 0) + 1);
    }
  }
  return counts;
}

/** `selected` in the order of `all` (pipeline order for stages, field order for fields). */
export function inOrderOf(selected: readonly string[], all: readonly string[]): string[] {
  const chosen = new Set(selected);
  return all.filter((item) => chosen.has(item));
}
