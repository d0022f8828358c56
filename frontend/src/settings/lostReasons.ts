// The config's lost reasons as the workflow form edits them: a list of labels. A stored reason
// keeps its value when its label changes (leads and reports refer to the value); a new one gets
// a value derived from its label.
import type { Schemas } from "../api/client";

type Option = Schemas["FieldOption"];

export interface LostReasonDraft {
  /** A key for React that stays put while rows are added and removed. */
  key: string;
  /** The stored value; null for a reason added in this form. */
  value: string | null;
  label: string;
}

let keys = 0;
export function newLostReasonDraft(): LostReasonDraft {
  keys += 1;
  return { key: `new-reason-${keys}`, value: null, label: "" };
}

export function lostReasonDrafts(options: readonly Option[]): LostReasonDraft[] {
  return options.map((option) => ({ key: option.value, value: option.value, label: option.label }));
}

/** "Went with a competitor" -> "went_with_a_competitor". */
export function reasonValue(label: string): string {
  const slug = label
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 60);
  return slug || "reason";
}

/** The options to save (blank rows dropped; new values made unique), or an error sentence. */
export function lostReasonOptions(drafts: readonly LostReasonDraft[]): { options: Option[]; error: string | null } {
  const rows = drafts.filter((draft) => draft.label.trim() !== "");
  const labels = rows.map((draft) => draft.label.trim().toLowerCase());
  const twice = labels.find((label, index) => labels.indexOf(label) !== index);
  if (twice) return { options: [], error: `“${rows[labels.indexOf(twice)]?.label.trim()}” is listed twice.` };
  const taken = new Set(rows.flatMap((draft) => (draft.value ? [draft.value] : [])));
  const options = rows.map((draft) => {
    if (draft.value) return { value: draft.value, label: draft.label.trim() };
    const base = reasonValue(draft.label);
    let value = base;
    for (let n = 2; taken.has(value); n += 1) value = `${base}_${n}`;
    taken.add(value);
    return { value, label: draft.label.trim() };
  });
  return { options, error: null };
}

export function sameOptions(a: readonly Option[], b: readonly Option[]): boolean {
  return a.length === b.length && a.every((option, index) => option.value === b[index]?.value && option.label === b[index]?.label);
}
