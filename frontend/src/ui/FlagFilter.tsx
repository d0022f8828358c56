// A yes/no filter of a list or the board, as a toggle button ("Overdue", "Stale").
/** A yes/no filter as a toggle button ("Overdue", "Stale"). */
export function FlagFilter<K extends string>({
  label,
  name,
  value,
  onChange,
}: {
  label: string;
  name: K;
  value: string;
  onChange: (key: K, value: string) => void;
}) {
  const on = value === "true";
  return (
    <button
      type="button"
      className={`btn btn-small filter-flag${on ? " filter-flag-on" : ""}`}
      aria-pressed={on}
      data-testid={`filter-${name}`}
      onClick={() => onChange(name, on ? "" : "true")}
    >
      {label}
    </button>
  );
}
