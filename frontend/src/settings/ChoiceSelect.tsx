// A <select> over a fixed list of typed choices: it hands back the choice as its type, never a
// bare string.
import type { ReactNode, SelectHTMLAttributes } from "react";
import { oneOf } from "./drafts";

export function ChoiceSelect<T extends string>({
  choices,
  label,
  value,
  onChange,
  children,
  ...select
}: {
  choices: readonly T[];
  /** The text an option shows for its choice. */
  label: (choice: T) => string;
  value: T | "";
  onChange: (choice: T) => void;
  /** Options shown before the choices, e.g. a disabled prompt. */
  children?: ReactNode;
} & Omit<SelectHTMLAttributes<HTMLSelectElement>, "value" | "onChange" | "children">) {
  return (
    <select
      {...select}
      value={value}
      onChange={(event) => {
        const choice = oneOf(choices, event.target.value);
        if (choice !== undefined) onChange(choice);
      }}
    >
      {children}
      {choices.map((choice) => (
        <option key={choice} value={choice}>
          {label(choice)}
        </option>
      ))}
    </select>
  );
}
