// The rules a custom field's values must follow: a range for numbers, a length (or number of
// choices) for text and multi-selects, a pattern for text. Nothing for the other types.
import type { FieldDraft, FieldErrors } from "./fieldForm";
import { hasLengthRules, isNumericType, isTextType } from "./fieldTypes";
import { DraftField } from "./DraftField";

export function FieldRulesInputs({
  draft,
  errors,
  update,
}: {
  draft: FieldDraft;
  errors: FieldErrors;
  update: (changes: Partial<FieldDraft>) => void;
}) {
  const type = draft.field_type;
  if (!isNumericType(type) && !hasLengthRules(type)) return null;
  const form = { draft, update, errors };
  const choices = type === "multi_select";
  return (
    <fieldset className="form-section">
      <legend>Rules</legend>
      <div className="form-grid form-grid-3">
        {isNumericType(type) ? (
          <>
            <DraftField form={form} name="min" label="Minimum" type="number" step="any" />
            <DraftField form={form} name="max" label="Maximum" type="number" step="any" />
          </>
        ) : null}
        {hasLengthRules(type) ? (
          <>
            <DraftField form={form} name="min_length" label={choices ? "Fewest choices" : "Minimum length"}
              type="number" min={0} step={1} />
            <DraftField form={form} name="max_length" label={choices ? "Most choices" : "Maximum length"}
              type="number" min={1} step={1} />
          </>
        ) : null}
        {isTextType(type) ? (
          <DraftField
            form={form}
            name="pattern"
            label="Pattern"
            help="A regular expression the whole value must match."
            className="mono"
            maxLength={500}
            spellCheck={false}
            placeholder="e.g. [A-Z]{2}[0-9]{6}"
          />
        ) : null}
      </div>
    </fieldset>
  );
}
