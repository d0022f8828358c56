// Picking leads for a bulk action, and reading its answer: pure functions, tested without a
// screen. The rules each lead is held to are the server's; this only keeps track of which.
import type { Schemas } from "../api/client";

/** The most leads one bulk request takes (the server refuses more with a 400). */
export const BULK_LIMIT = 500;

export type BulkRequest = Schemas["LeadBulkRequest"];
export type BulkAnswer = Schemas["BulkOut"];
export type BulkAction = BulkRequest["action"];

/** A request for `action` carrying only `fields` (the generated type lists every field: the
 * others go as null, which the server reads as absent). */
export function bulkRequest(uids: string[], action: BulkAction, fields: Partial<BulkRequest>): BulkRequest {
  return {
    to_stage: null,
    note: null,
    lost_reason: null,
    lost_note: null,
    above: null,
    below: null,
    user_ids: null,
    mode: null,
    tags: null,
    ...fields,
    uids,
    action,
  };
}

export interface Selection {
  /** Selected uids, in the order they were picked. */
  uids: string[];
  /** The row a shift-click extends from: the last one clicked without shift. */
  anchor: string | null;
}

export const NO_SELECTION: Selection = { uids: [], anchor: null };

/**
 * A click on row `uid` of the rows shown (`order`): toggles it; with shift, selects every row
 * from the anchor to it (or clears them, when the clicked row was selected), as file managers
 * do. Never more than BULK_LIMIT.
 */
export function clickRow(selection: Selection, order: readonly string[], uid: string, shift: boolean): Selection {
  const selected = new Set(selection.uids);
  const from = selection.anchor === null ? -1 : order.indexOf(selection.anchor);
  const to = order.indexOf(uid);
  if (shift && from >= 0 && to >= 0) {
    const range = order.slice(Math.min(from, to), Math.max(from, to) + 1);
    const select = !selected.has(uid);
    const uids = select
      ? [...selection.uids, ...range.filter((other) => !selected.has(other))]
      : selection.uids.filter((other) => !range.includes(other));
    return { uids: uids.slice(0, BULK_LIMIT), anchor: selection.anchor };
  }
  const uids = selected.has(uid) ? selection.uids.filter((other) => other !== uid) : [...selection.uids, uid];
  return { uids: uids.slice(0, BULK_LIMIT), anchor: uid };
}

/** Every row shown selected, or (when they all are) none of them. */
export function togglePage(selection: Selection, order: readonly string[]): Selection {
  const selected = new Set(selection.uids);
  if (order.length > 0 && order.every((uid) => selected.has(uid))) {
    return { uids: selection.uids.filter((uid) => !order.includes(uid)), anchor: null };
  }
  const uids = [...selection.uids, ...order.filter((uid) => !selected.has(uid))];
  return { uids: uids.slice(0, BULK_LIMIT), anchor: selection.anchor };
}

export interface Refusal {
  uid: string;
  name: string;
  message: string;
}

export interface BulkSummary {
  /** Leads the action changed. */
  done: number;
  /** Leads that already were as asked. */
  unchanged: number;
  failed: Refusal[];
}

/** The answer, told as people read it: counts, and each refused lead by name with its reason. */
export function summarize(answer: BulkAnswer, names: ReadonlyMap<string, string>): BulkSummary {
  const failed: Refusal[] = [];
  let done = 0;
  let unchanged = 0;
  for (const item of answer.results) {
    if (item.ok) {
      if (item.changed) done += 1;
      else unchanged += 1;
    } else {
      failed.push({
        uid: item.uid,
        name: names.get(item.uid) ?? item.uid,
        message: item.error?.message ?? "Refused.",
      });
    }
  }
  return { done, unchanged, failed };
}

const VERBS: Record<BulkAction, string> = {
  move: "moved",
  assign: "assigned",
  tag: "tagged",
  untag: "untagged",
  delete: "deleted",
};

/** "3 leads moved, 1 already so, 2 refused." */
export function summaryLine(action: BulkAction, summary: BulkSummary): string {
  const plural = (count: number) => `${count} lead${count === 1 ? "" : "s"}`;
  const parts = [`${plural(summary.done)} ${VERBS[action]}`];
  if (summary.unchanged > 0) parts.push(`${summary.unchanged} already so`);
  if (summary.failed.length > 0) parts.push(`${summary.failed.length} refused`);
  return `${parts.join(", ")}.`;
}
