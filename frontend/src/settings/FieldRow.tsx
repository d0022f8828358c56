// One custom field in the list: order buttons, what it is, and its actions.
import type { FieldDefinition } from "../api/types";
import { FIELD_TYPE_LABELS, INPUT_TYPE_LABELS, LOCK_REASON } from "./fieldTypes";
import { RowActions } from "./controls";

export function FieldRow({
  field,
  index,
  count,
  isValueField,
  requiredBy,
  locked,
  busy,
  onMove,
  onEdit,
  onRemove,
}: {
  field: FieldDefinition;
  index: number;
  count: number;
  isValueField: boolean;
  requiredBy: string[];
  locked: boolean;
  busy: boolean;
  onMove: (from: number, to: number) => void;
  onEdit: () => void;
  onRemove: () => void;
}) {
  const options = field.options ?? [];
  return (
    <tr data-testid={`field-row-${field.field_key}`}>
      <td className="col-order">
        <span className="order-buttons">
          <button
            type="button"
            className="btn-icon"
            aria-label={`Move ${field.label} up`}
            disabled={busy || index === 0}
            onClick={() => onMove(index, index - 1)}
          >
            ↑
          </button>
          <button
            type="button"
            className="btn-icon"
            aria-label={`Move ${field.label} down`}
            disabled={busy || index === count - 1}
            onClick={() => onMove(index, index + 1)}
          >
            ↓
          </button>
        </span>
      </td>
      <td>
        <div className="field-label-cell">
          <strong>{field.label}</strong>
          {isValueField ? <span className="badge badge-open">Board value</span> : null}
        </div>
        {requiredBy.length ? (
          <small className="muted">Required to enter {requiredBy.join(", ")}</small>
        ) : field.help_text ? (
          <small className="muted">{field.help_text}</small>
        ) : null}
      </td>
      <td>
        <code className="field-key">{field.field_key}</code>
      </td>
      <td>{FIELD_TYPE_LABELS[field.field_type]}</td>
      <td className="muted">{field.input_type ? INPUT_TYPE_LABELS[field.input_type] : "—"}</td>
      <td>
        {field.required ? (
          <span className="badge badge-open">Required</span>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td className="numeric">{options.length ? options.length : <span className="muted">—</span>}</td>
      <td>
        <div className="row-actions">
          <RowActions
            onEdit={onEdit}
            editTestId={`edit-field-${field.field_key}`}
            onRemove={onRemove}
            removeLabel="Remove"
            removeTestId={`remove-field-${field.field_key}`}
            removeDisabled={locked}
            removeTitle={locked ? LOCK_REASON : `Remove ${field.label}`}
          />
        </div>
      </td>
    </tr>
  );
}
