// What every settings form shares: reading typed input back, and checking for errors.

/** `value` when it is one of `choices` (a <select>'s value read back as its type), else undefined. */
export function oneOf<T extends string>(choices: readonly T[], value: string): T | undefined {
  return choices.find((choice) => choice === value);
}

/** What a number input shows for a stored number ("" for none). */
export const numberText = (value: number | null | undefined) =>
  value === null || value === undefined ? "" : String(value);

/** A typed number: null when blank, "invalid" when not a number. */
export function parseNumber(text: string): number | null | "invalid" {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : "invalid";
}

/** A typed count (a whole number from 0 to a million): null when blank, else "invalid". */
export function parseCount(text: string): number | null | "invalid" {
  const value = parseNumber(text);
  if (value === null || value === "invalid") return value;
  return Number.isInteger(value) && value >= 0 && value <= 1_000_000 ? value : "invalid";
}

/** Whether a form's errors hold any message, nested groups (such as template rows) included. */
export function hasErrors(errors: object): boolean {
  return Object.values(errors).some((value) =>
    typeof value === "object" && value !== null ? hasErrors(value) : Boolean(value),
  );
}
