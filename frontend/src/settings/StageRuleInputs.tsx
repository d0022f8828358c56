// The rules of a stage, as checkboxes: the stages its leads may move to, and the custom fields a
// lead must fill in to enter it.
import { Link } from "react-router-dom";
import type { FieldDefinition, Stage } from "../api/types";

const toggle = (list: readonly string[], value: string) =>
  list.includes(value) ? list.filter((item) => item !== value) : [...list, value];

export function NextStagesInputs({
  stage,
  others,
  selected,
  error,
  onChange,
}: {
  stage: Stage;
  /** Every stage but `stage`, in pipeline order. */
  others: Stage[];
  selected: string[];
  error: string | undefined;
  onChange: (uids: string[]) => void;
}) {
  return (
    <fieldset className={`form-section${error ? " field-invalid" : ""}`}>
      <legend>Leads may move to</legend>
      <p className="field-help">
        The stages a lead in “{stage.name}” may move to next. With none checked, leads cannot
        leave this stage.
      </p>
      {others.length === 0 ? (
        <p className="muted">There are no other stages yet.</p>
      ) : (
        <div className="check-grid">
          {others.map((other) => (
            <label className="choice" key={other.uid}>
              <input
                type="checkbox"
                name="allowed_next_stages"
                value={other.uid}
                checked={selected.includes(other.uid)}
                onChange={() => onChange(toggle(selected, other.uid))}
              />
              <span className="chip-dot" style={{ background: other.color }} aria-hidden="true" />
              {other.name}
              {other.kind !== "open" && other.name.toLowerCase() !== other.kind ? (
                <small className="muted">({other.kind})</small>
              ) : null}
            </label>
          ))}
        </div>
      )}
      {error ? <span className="field-error">{error}</span> : null}
    </fieldset>
  );
}

export function RequiredFieldsInputs({
  stage,
  fields,
  selected,
  error,
  onChange,
}: {
  stage: Stage;
  /** The custom fields, in form order. */
  fields: FieldDefinition[];
  selected: string[];
  error: string | undefined;
  onChange: (keys: string[]) => void;
}) {
  return (
    <fieldset className={`form-section${error ? " field-invalid" : ""}`}>
      <legend>Required to enter</legend>
      <p className="field-help">
        A lead may enter “{stage.name}” only when these custom fields hold a value; the board
        asks for them during the move.
      </p>
      {fields.length === 0 ? (
        <p className="muted">
          No custom fields yet. <Link to="/settings/fields">Add them on the Custom fields tab</Link>.
        </p>
      ) : (
        <div className="check-grid">
          {fields.map((field) => (
            <label className="choice" key={field.field_key} title={field.field_key}>
              <input
                type="checkbox"
                name="required_fields"
                value={field.field_key}
                checked={selected.includes(field.field_key)}
                onChange={() => onChange(toggle(selected, field.field_key))}
              />
              {field.label}
            </label>
          ))}
        </div>
      )}
      {error ? <span className="field-error">{error}</span> : null}
    </fieldset>
  );
}
