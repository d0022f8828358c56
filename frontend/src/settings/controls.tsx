// Small controls the settings tabs repeat: a checkbox with its text, a section's add button, and
// a table row's Edit and remove buttons.
import type { ReactNode } from "react";

/** A checkbox with its text after it. */
export function CheckboxChoice({
  checked,
  onChange,
  name,
  className = "choice",
  children,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  name?: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <label className={className}>
      <input type="checkbox" name={name} checked={checked} onChange={(event) => onChange(event.target.checked)} />
      {children}
    </label>
  );
}

/** A table row's Edit button and the one that removes the row, labelled `removeLabel`. */
export function RowActions({
  onEdit,
  editTestId,
  onRemove,
  removeLabel,
  removeTestId,
  removeDisabled,
  removeTitle,
}: {
  onEdit: () => void;
  editTestId: string;
  onRemove: () => void;
  removeLabel: string;
  removeTestId: string;
  removeDisabled?: boolean;
  removeTitle?: string;
}) {
  return (
    <>
      <button type="button" className="btn btn-small" onClick={onEdit} data-testid={editTestId}>
        Edit
      </button>
      <button
        type="button"
        className="btn btn-small btn-ghost btn-danger-ghost"
        onClick={onRemove}
        disabled={removeDisabled}
        title={removeTitle}
        data-testid={removeTestId}
      >
        {removeLabel}
      </button>
    </>
  );
}

/** The button at the right of a section that adds one more of what it lists. */
export function AddButton({ label, onClick, testId }: { label: string; onClick: () => void; testId: string }) {
  return (
    <button type="button" className="btn btn-primary" onClick={onClick} data-testid={testId}>
      {label}
    </button>
  );
}
