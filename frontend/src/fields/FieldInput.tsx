// One custom field as a form control, chosen by its definition's input_type.
import { MoneyInput } from "./MoneyInput";
import type { ChangeEvent, ReactNode } from "react";
import type { Schemas } from "../api/client";
import type { FieldDefinition } from "../api/types";
import { BAD_NUMBER } from "./validation";
import type { FieldValue } from "./values";
import "./fields.css";

type InputType = Schemas["InputType"];

// The server's default input for each field type (INPUT_TYPES_BY_FIELD_TYPE's first entry),
// for a definition that names none.
const DEFAULT_INPUT: Record<FieldDefinition["field_type"], InputType> = {
  text: "text",
  long_text: "textarea",
  integer: "number",
  decimal: "number",
  currency: "number",
  boolean: "checkbox",
  date: "date",
  datetime: "datetime",
  email: "email",
  phone: "tel",
  url: "url",
  select: "select",
  multi_select: "multiselect",
};

export function inputTypeOf(definition: FieldDefinition): InputType {
  return definition.input_type ?? DEFAULT_INPUT[definition.field_type];
}

export interface FieldInputProps {
  definition: FieldDefinition;
  value: FieldValue;
  onChange: (value: FieldValue) => void;
  error?: string | null;
  disabled?: boolean;
  /** The control's id (and the base of its help and error ids). */
  id?: string;
}

function textOf(value: FieldValue): string {
  return typeof value === "string" ? value : "";
}

function listOf(value: FieldValue): string[] {
  return Array.isArray(value) ? value : [];
}

function numberStep(definition: FieldDefinition): string {
  if (definition.field_type === "integer") return "1";
  if (definition.field_type === "currency") return "0.01";
  return "any";
}

export function FieldInput({ definition, value, onChange, error, disabled, id }: FieldInputProps) {
  const key = definition.field_key;
  const controlId = id ?? `field-input-${key}`;
  const helpId = `${controlId}-help`;
  const errorId = `${controlId}-error`;
  const describedBy =
    [definition.help_text || definition.placeholder ? helpId : null, error ? errorId : null].filter(Boolean).join(" ") ||
    undefined;
  const inputType = inputTypeOf(definition);
  const common = {
    id: controlId,
    name: key,
    disabled,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy,
    "aria-required": definition.required || undefined,
  } as const;
  const onText = (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) =>
    onChange(event.target.value);

  const footer = (
    <>
      {definition.help_text || definition.placeholder ? (
        <span className="field-help" id={helpId}>
          {definition.help_text}
          {/* An example is a hint under the input, never a placeholder that looks filled in. */}
          {definition.placeholder ? `${definition.help_text ? " " : ""}e.g. ${definition.placeholder}` : null}
        </span>
      ) : null}
      {error ? (
        <span className="field-error" id={errorId} role="alert" data-testid={`field-error-${key}`}>
          {error}
        </span>
      ) : null}
    </>
  );
  const wrapperClass = `field custom-field${error ? " field-invalid" : ""}`;
  const label = (
    <span className={`field-label${definition.required ? " field-required" : ""}`}>
      {definition.label}
    </span>
  );

  // Groups of choices are a fieldset, so the label names the whole group for screen readers.
  const group = (choices: ReactNode, extra?: ReactNode) => (
    <fieldset
      className={`${wrapperClass} field-group`}
      data-testid={`field-${key}`}
      aria-describedby={describedBy}
      disabled={disabled}
    >
      <legend>{label}</legend>
      {choices}
      {extra}
      {footer}
    </fieldset>
  );

  const clearButton =
    !definition.required && value !== null && value !== "" && !disabled ? (
      <button type="button" className="btn-link field-clear" onClick={() => onChange(null)}>
        Clear
      </button>
    ) : null;

  // One radio per choice (a yes/no or an option's value); Clear empties an optional field.
  const radioGroup = (choices: readonly { value: string | boolean; label: string }[]) =>
    group(
      <div className="choices" role="radiogroup">
        {choices.map((choice) => (
          <label className="choice" key={String(choice.value)}>
            <input
              type="radio"
              name={controlId}
              value={typeof choice.value === "string" ? choice.value : undefined}
              checked={value === choice.value}
              onChange={() => onChange(choice.value)}
              aria-invalid={error ? true : undefined}
            />
            {choice.label}
          </label>
        ))}
      </div>,
      clearButton,
    );

  if (definition.field_type === "boolean" && inputType === "radio") {
    return radioGroup([
      { value: true, label: "Yes" },
      { value: false, label: "No" },
    ]);
  }

  if (definition.field_type === "boolean") {
    return (
      <div className={`${wrapperClass} field-checkbox`} data-testid={`field-${key}`}>
        <label className="choice">
          <input
            type="checkbox"
            {...common}
            checked={value === true}
            onChange={(event) => onChange(event.target.checked)}
          />
          {label}
        </label>
        {footer}
      </div>
    );
  }

  if (definition.field_type === "multi_select") {
    const chosen = listOf(value);
    const toggle = (option: string, on: boolean) =>
      onChange(on ? [...chosen, option] : chosen.filter((item) => item !== option));
    const options = definition.options ?? [];
    const boxed = inputType === "multiselect";
    const choices = (
      <div className={boxed ? "choices choice-box" : "choices"}>
        {options.map((option) => (
          <label className="choice" key={option.value}>
            <input
              type="checkbox"
              name={key}
              value={option.value}
              checked={chosen.includes(option.value)}
              onChange={(event) => toggle(option.value, event.target.checked)}
              aria-invalid={error ? true : undefined}
            />
            {option.label}
          </label>
        ))}
      </div>
    );
    return group(choices);
  }

  if (inputType === "radio") return radioGroup(definition.options ?? []);

  let control: ReactNode;
  switch (inputType) {
    case "textarea":
      control = (
        <textarea {...common} rows={3} value={textOf(value)} onChange={onText} />
      );
      break;
    case "select": {
      const current = textOf(value);
      const known = (definition.options ?? []).some((option) => option.value === current);
      control = (
        <select {...common} value={current} onChange={onText}>
          {definition.required ? (
            // A required select still starts empty, so nobody saves the first option by accident.
            <option value="" disabled>
              Choose…
            </option>
          ) : (
            <option value="">—</option>
          )}
          {(definition.options ?? []).map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
          {current && !known ? <option value={current}>{current}</option> : null}
        </select>
      );
      break;
    }
    case "number":
      if (definition.field_type === "currency") {
        control = <MoneyInput {...common} value={textOf(value)} onChange={onChange} />;
        break;
      }
      control = (
        <input
          {...common}
          type="number"
          inputMode={definition.field_type === "integer" ? "numeric" : "decimal"}
          step={numberStep(definition)}
          min={definition.min ?? undefined}
          max={definition.max ?? undefined}
         
          // Rendering "" while the browser holds text it cannot parse leaves that text alone.
          value={textOf(value)}
          onChange={(event) =>
            onChange(event.target.validity.badInput ? BAD_NUMBER : event.target.value)
          }
        />
      );
      break;
    case "date":
      control = <input {...common} type="date" value={textOf(value)} onChange={onText} />;
      break;
    case "datetime":
      control = <input {...common} type="datetime-local" value={textOf(value)} onChange={onText} />;
      break;
    case "email":
    case "tel":
    case "url":
      control = (
        <input
          {...common}
          type={inputType}
          autoComplete="off"
          value={textOf(value)}
         
          onChange={onText}
        />
      );
      break;
    default:
      control = (
        <input {...common} type="text" value={textOf(value)} onChange={onText} />
      );
  }

  return (
    <div className={wrapperClass} data-testid={`field-${key}`}>
      <label htmlFor={controlId} className={`field-label${definition.required ? " field-required" : ""}`}>
        {definition.label}
      </label>
      {control}
      {footer}
    </div>
  );
}
