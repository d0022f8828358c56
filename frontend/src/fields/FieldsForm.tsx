// A form of custom fields, keyed by field key: its values and messages, the checks the server
// will make, and the `data` it sends. The board's move and quick-add and the lead page's move
// ask for fields with it.
import type { FieldDefinition } from "../api/types";
import { FieldInput } from "./FieldInput";
import { validateFieldValue } from "./validation";
import { emptyValue, fromServerValue, toServerValue, type FieldValue } from "./values";

export interface FieldsFormState {
  values: Record<string, FieldValue>;
  errors: Record<string, string>;
}

/** The fields' values from `stored` (a lead's `data`), or their defaults without it. */
export function initialFields(
  definitions: readonly FieldDefinition[],
  stored?: Record<string, unknown>,
): FieldsFormState {
  return {
    values: Object.fromEntries(
      definitions.map((d) => [d.field_key, stored ? fromServerValue(d, stored[d.field_key]) : emptyValue(d)]),
    ),
    errors: {},
  };
}

/** Messages keyed by field key for the values that would be refused, none when all fit. */
export function checkFields(
  definitions: readonly FieldDefinition[],
  values: Record<string, FieldValue>,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const definition of definitions) {
    const message = validateFieldValue(definition, values[definition.field_key] ?? null);
    if (message) errors[definition.field_key] = message;
  }
  return errors;
}

/** The values as the `data` object the server takes. */
export function fieldsData(
  definitions: readonly FieldDefinition[],
  values: Record<string, FieldValue>,
): Record<string, unknown> {
  return Object.fromEntries(
    definitions.map((d) => [d.field_key, toServerValue(d, values[d.field_key] ?? null)]),
  );
}

export function FieldsInputs({
  definitions,
  state,
  onChange,
  idPrefix,
  disabled,
}: {
  definitions: readonly FieldDefinition[];
  state: FieldsFormState;
  onChange: (state: FieldsFormState) => void;
  idPrefix: string;
  disabled?: boolean;
}) {
  return (
    <>
      {definitions.map((definition) => {
        const key = definition.field_key;
        return (
          <FieldInput
            key={key}
            id={`${idPrefix}-${key}`}
            definition={definition}
            value={state.values[key] ?? null}
            error={state.errors[key] ?? null}
            disabled={disabled}
            onChange={(value) => {
              const errors = { ...state.errors };
              delete errors[key];
              onChange({ values: { ...state.values, [key]: value }, errors });
            }}
          />
        );
      })}
    </>
  );
}
