// The rules of a stage, as checkboxes: the stages its leads may move to, and the custom fields a
// lead must fill in to enter it.
import type { ReactNode } from "react";
import { Link } from "react-router-dom";
import type { FieldDefinition, Stage } from "../api/types";

const toggle = (list: readonly string[], value: string) =>
  list.includes(value) ? list.filter((item) => item !== value) : [...list, value];

interface Choice {
  value: string;
  label: ReactNode;
  title?: string;
}

/** What each rule's inputs take: the stage edited, what is checked, the error, the setter. */
interface RuleProps {
  stage: Stage;
  selected: string[];
  error: string | undefined;
  onChange: (values: string[]) => void;
}

/** A titled set of checkboxes named `name`, with what to say when there is nothing to check. */
function CheckboxSet({
  legend,
  help,
  empty,
  name,
  choices,
  selected,
  error,
  onChange,
}: Omit<RuleProps, "stage"> & {
  legend: string;
  help: ReactNode;
  empty: ReactNode;
  name: string;
  choices: Choice[];
}) {
  return (
    <fieldset className={`form-section${error ? " field-invalid" : ""}`}>
      <legend>{legend}</legend>
      <p className="field-help">{help}</p>
      {choices.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <div className="check-grid">
          {choices.map((choice) => (
            <label className="choice" key={choice.value} title={choice.title}>
              <input
                type="checkbox"
                name={name}
                value={choice.value}
                checked={selected.includes(choice.value)}
                onChange={() => onChange(toggle(selected, choice.value))}
              />
              {choice.label}
            </label>
          ))}
        </div>
      )}
      {error ? <span className="field-error">{error}</span> : null}
    </fieldset>
  );
}

export function NextStagesInputs({
  stage,
  others,
  ...checked
}: RuleProps & {
  /** Every stage but `stage`, in pipeline order. */
  others: Stage[];
}) {
  const choices = others.map((other) => ({
    value: other.uid,
    label: (
      <>
        <span className="chip-dot" style={{ background: other.color }} aria-hidden="true" />
        {other.name}
        {other.kind !== "open" && other.name.toLowerCase() !== other.kind ? (
          <small className="muted">({other.kind})</small>
        ) : null}
      </>
    ),
  }));
  return (
    <CheckboxSet
      legend="Leads may move to"
      help={
        <>
          The stages a lead in “{stage.name}” may move to next. With none checked, leads cannot
          leave this stage.
        </>
      }
      empty="There are no other stages yet."
      name="allowed_next_stages"
      choices={choices}
      {...checked}
    />
  );
}

export function RequiredFieldsInputs({
  stage,
  fields,
  ...checked
}: RuleProps & {
  /** The custom fields, in form order. */
  fields: FieldDefinition[];
}) {
  return (
    <CheckboxSet
      legend="Required to enter"
      help={
        <>
          A lead may enter “{stage.name}” only when these custom fields hold a value; the board
          asks for them during the move.
        </>
      }
      empty={
        <>
          No custom fields yet. <Link to="/settings/fields">Add them on the Custom fields tab</Link>.
        </>
      }
      name="required_fields"
      choices={fields.map((field) => ({ value: field.field_key, label: field.label, title: field.field_key }))}
      {...checked}
    />
  );
}
