// A currency field's input: shows the amount formatted ("201,000.00") while it is not being
// edited, and the plain number while it is, so "201000" never reads as a raw figure. The value
// it reports is the plain number as text (commas dropped), or BAD_NUMBER when it is not one.
import { useState, type InputHTMLAttributes } from "react";
import { BAD_NUMBER } from "./validation";
import type { FieldValue } from "./values";

const GROUPED = new Intl.NumberFormat("en-US", { minimumFractionDigits: 0, maximumFractionDigits: 2 });

/** "201000" -> "201,000"; text that is not a number stays as typed. */
export function formatAmount(text: string): string {
  const plain = text.replace(/,/g, "").trim();
  if (plain === "" || !Number.isFinite(Number(plain))) return text;
  return GROUPED.format(Number(plain));
}

/** What the user typed as the form's value: commas dropped, BAD_NUMBER for non-numbers. */
export function amountValue(text: string): FieldValue {
  const plain = text.replace(/,/g, "").trim();
  if (plain === "") return "";
  return Number.isFinite(Number(plain)) ? plain : BAD_NUMBER;
}

export function MoneyInput({
  value,
  onChange,
  ...common
}: Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange"> & {
  value: string;
  onChange: (value: FieldValue) => void;
}) {
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <input
      {...common}
      type="text"
      inputMode="decimal"
      autoComplete="off"
      value={editing ?? formatAmount(value)}
      onFocus={() => setEditing(value)}
      onBlur={() => setEditing(null)}
      onChange={(event) => {
        setEditing(event.target.value);
        onChange(amountValue(event.target.value));
      }}
    />
  );
}
