// Add or edit one custom field definition; saving PATCHes the whole field list.
import { useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import type { Config } from "../api/types";
import { useToast } from "../ui/toast";
import {
  allowedInputTypes,
  buildFieldDefinition,
  buildVariablesPatch,
  emptyFieldDraft,
  FIELD_TYPE_LABELS,
  FIELD_TYPES,
  fieldDraftFrom,
  fieldErrorsFromServer,
  hasErrors,
  hasLengthRules,
  INPUT_TYPE_LABELS,
  isChoiceType,
  isNumericType,
  isTextType,
  LOCK_REASON,
  moveItem,
  retypeDraft,
  sortedFields,
  suggestFieldKey,
  suggestOptionValue,
  upsertField,
  type FieldDraft,
  type FieldErrors,
  type FieldType,
  type InputType,
} from "./logic";
import { errorMessage, Field, FormDialog, NO_PROBLEM, useSaveConfig, type FormProblem } from "./shared";

export function FieldFormDialog({
  config,
  fieldKey,
  onClose,
}: {
  config: Config;
  /** The field edited, or null to add one. */
  fieldKey: string | null;
  onClose: () => void;
}) {
  const toast = useToast();
  const save = useSaveConfig();
  const fields = sortedFields(config.variables);
  const original = fieldKey === null ? undefined : fields.find((f) => f.field_key === fieldKey);
  const isNew = original === undefined;
  const typeLocked = !isNew && (config.locked ?? false);
  const [draft, setDraft] = useState<FieldDraft>(() =>
    original ? fieldDraftFrom(original) : emptyFieldDraft(),
  );
  // A new field's key follows its label until the admin types a key of their own.
  const [keyTouched, setKeyTouched] = useState(!isNew);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<FormProblem>(NO_PROBLEM);

  const update = (changes: Partial<FieldDraft>) => setDraft((current) => ({ ...current, ...changes }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(NO_PROBLEM);
    const order = original?.order ?? fields.length;
    const otherKeys = fields.map((f) => f.field_key).filter((key) => key !== fieldKey);
    const built = buildFieldDefinition(draft, { order, otherKeys });
    setErrors(built.errors);
    if (hasErrors(built.errors)) return;
    const variables = upsertField(fields, fieldKey, built.definition);
    const index = variables.findIndex((f) => f.field_key === built.definition.field_key);
    try {
      await save.mutateAsync(buildVariablesPatch(config, variables));
    } catch (error) {
      const server = error instanceof ApiError ? fieldErrorsFromServer(error.fields, index) : null;
      setErrors(server?.byInput ?? {});
      setProblem({
        message: server?.byInput.form ?? errorMessage(error),
        lines: server?.rest ?? [],
      });
      return;
    }
    toast(`Field “${built.definition.label}” ${isNew ? "added" : "saved"}.`, "success");
    onClose();
  };

  const inputTypes = allowedInputTypes(draft.field_type);
  const type = draft.field_type;

  return (
    <FormDialog
      title={isNew ? "Add a custom field" : `Edit field: ${original.label}`}
      onClose={onClose}
      onSubmit={(event) => void submit(event)}
      submitLabel={isNew ? "Add field" : "Save field"}
      busyLabel="Saving…"
      busy={save.isPending}
      problem={problem}
      className="field-form"
      testId="field-form"
    >
      <div className="form-grid">
        <Field label="Label" error={errors.label} required help="What people see on lead forms.">
          <input
            name="label"
            value={draft.label}
            maxLength={120}
            onChange={(event) => {
              const label = event.target.value;
              update(keyTouched ? { label } : { label, field_key: suggestFieldKey(label) });
            }}
          />
        </Field>
        <Field
          label="Key"
          error={errors.field_key}
          required
          help={
            isNew
              ? "snake_case; leads store the value under it, so it cannot change later."
              : "Leads store their values under this key, so it cannot change."
          }
        >
          <input
            name="field_key"
            className="mono"
            value={draft.field_key}
            maxLength={64}
            readOnly={!isNew}
            spellCheck={false}
            onChange={(event) => {
              setKeyTouched(true);
              update({ field_key: event.target.value });
            }}
          />
        </Field>
        <Field
          label="Type"
          error={errors.field_type}
          required
          help={typeLocked ? `${LOCK_REASON}.` : "What kind of value the field holds."}
        >
          <select
            name="field_type"
            value={type}
            disabled={typeLocked}
            onChange={(event) => setDraft((d) => retypeDraft(d, event.target.value as FieldType))}
          >
            {FIELD_TYPES.map((fieldType) => (
              <option key={fieldType} value={fieldType}>
                {FIELD_TYPE_LABELS[fieldType]}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label="Input"
          error={errors.input_type}
          help={inputTypes.length === 1 ? "The only input that fits this type." : "How forms ask for it."}
        >
          <select
            name="input_type"
            value={draft.input_type}
            disabled={inputTypes.length === 1}
            onChange={(event) => update({ input_type: event.target.value as InputType })}
          >
            {inputTypes.map((inputType) => (
              <option key={inputType} value={inputType}>
                {INPUT_TYPE_LABELS[inputType]}
              </option>
            ))}
          </select>
        </Field>
      </div>

      <label className="choice required-choice">
        <input
          type="checkbox"
          name="required"
          checked={draft.required}
          onChange={(event) => update({ required: event.target.checked })}
        />
        Required on every lead
        <small className="muted">
          (to require it only from a stage on, tick it in that stage’s “Required to enter”)
        </small>
      </label>

      {isChoiceType(type) ? (
        <OptionsEditor draft={draft} error={errors.options} onChange={(options) => update({ options })} />
      ) : null}

      {isNumericType(type) || hasLengthRules(type) ? (
        <fieldset className="form-section">
          <legend>Rules</legend>
          <div className="form-grid form-grid-3">
            {isNumericType(type) ? (
              <>
                <Field label="Minimum" error={errors.min}>
                  <input
                    name="min"
                    type="number"
                    step="any"
                    value={draft.min}
                    onChange={(event) => update({ min: event.target.value })}
                  />
                </Field>
                <Field label="Maximum" error={errors.max}>
                  <input
                    name="max"
                    type="number"
                    step="any"
                    value={draft.max}
                    onChange={(event) => update({ max: event.target.value })}
                  />
                </Field>
              </>
            ) : null}
            {hasLengthRules(type) ? (
              <>
                <Field
                  label={type === "multi_select" ? "Fewest choices" : "Minimum length"}
                  error={errors.min_length}
                >
                  <input
                    name="min_length"
                    type="number"
                    min={0}
                    step={1}
                    value={draft.min_length}
                    onChange={(event) => update({ min_length: event.target.value })}
                  />
                </Field>
                <Field
                  label={type === "multi_select" ? "Most choices" : "Maximum length"}
                  error={errors.max_length}
                >
                  <input
                    name="max_length"
                    type="number"
                    min={1}
                    step={1}
                    value={draft.max_length}
                    onChange={(event) => update({ max_length: event.target.value })}
                  />
                </Field>
              </>
            ) : null}
            {isTextType(type) ? (
              <Field
                label="Pattern"
                error={errors.pattern}
                help="A regular expression the whole value must match."
              >
                <input
                  name="pattern"
                  className="mono"
                  value={draft.pattern}
                  maxLength={500}
                  spellCheck={false}
                  placeholder="e.g. [A-Z]{2}[0-9]{6}"
                  onChange={(event) => update({ pattern: event.target.value })}
                />
              </Field>
            ) : null}
          </div>
        </fieldset>
      ) : null}

      <div className="form-grid">
        <Field
          label="Default value"
          error={errors.default}
          help="New leads get it when the field is left out."
          group={type === "multi_select"}
        >
          <DefaultInput draft={draft} onChange={(value) => update({ default: value })} />
        </Field>
        {isTextType(type) || isNumericType(type) ? (
          <Field label="Placeholder" error={errors.placeholder} help="Grey hint inside the empty input.">
            <input
              name="placeholder"
              value={draft.placeholder}
              maxLength={200}
              onChange={(event) => update({ placeholder: event.target.value })}
            />
          </Field>
        ) : null}
      </div>
      <Field label="Help text" error={errors.help_text} help="Shown under the input on lead forms.">
        <input
          name="help_text"
          value={draft.help_text}
          maxLength={500}
          onChange={(event) => update({ help_text: event.target.value })}
        />
      </Field>
    </FormDialog>
  );
}

function OptionsEditor({
  draft,
  error,
  onChange,
}: {
  draft: FieldDraft;
  error: string | undefined;
  onChange: (options: FieldDraft["options"]) => void;
}) {
  const options = draft.options;
  const set = (index: number, changes: Partial<FieldDraft["options"][number]>) =>
    onChange(options.map((option, i) => (i === index ? { ...option, ...changes } : option)));
  return (
    <fieldset className={`form-section${error ? " field-invalid" : ""}`} data-testid="options-editor">
      <legend>Options</legend>
      <p className="field-help">
        The label is what people pick; the value is what leads store (keep it stable once used).
      </p>
      {options.length === 0 ? <p className="muted">No options yet.</p> : null}
      {options.length ? (
        <div className="option-rows">
          <div className="option-row option-head">
            <span>Label</span>
            <span>Stored value</span>
            <span />
          </div>
          {options.map((option, index) => (
            <div className="option-row" key={index} data-testid={`option-row-${index}`}>
              <input
                aria-label={`Option ${index + 1} label`}
                value={option.label}
                maxLength={200}
                onChange={(event) => set(index, { label: event.target.value })}
                onBlur={() => {
                  if (!option.value.trim() && option.label.trim()) {
                    set(index, { value: suggestOptionValue(option.label) });
                  }
                }}
              />
              <input
                aria-label={`Option ${index + 1} value`}
                className="mono"
                value={option.value}
                maxLength={100}
                spellCheck={false}
                onChange={(event) => set(index, { value: event.target.value })}
              />
              <span className="option-tools">
                <button
                  type="button"
                  className="btn-icon"
                  aria-label={`Move option ${index + 1} up`}
                  disabled={index === 0}
                  onClick={() => onChange(moveItem(options, index, index - 1))}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="btn-icon btn-icon-danger"
                  aria-label={`Remove option ${index + 1}`}
                  onClick={() => onChange(options.filter((_, i) => i !== index))}
                >
                  ×
                </button>
              </span>
            </div>
          ))}
        </div>
      ) : null}
      {error ? <span className="field-error">{error}</span> : null}
      <button
        type="button"
        className="btn btn-small"
        onClick={() => onChange([...options, { value: "", label: "" }])}
        data-testid="add-option"
      >
        + Add option
      </button>
    </fieldset>
  );
}

/** The default value, asked for with an input that fits the field's type. */
function DefaultInput({
  draft,
  onChange,
}: {
  draft: FieldDraft;
  onChange: (value: string | string[]) => void;
}) {
  const value = draft.default;
  const text = Array.isArray(value) ? "" : value;
  const named = draft.options.filter((option) => option.value.trim());
  switch (draft.field_type) {
    case "multi_select": {
      const chosen = Array.isArray(value) ? value : [];
      if (named.length === 0) return <span className="muted">Add options first.</span>;
      return (
        <span className="choices">
          {named.map((option) => (
            <label className="choice" key={option.value}>
              <input
                type="checkbox"
                checked={chosen.includes(option.value)}
                onChange={(event) =>
                  onChange(
                    event.target.checked
                      ? [...chosen, option.value]
                      : chosen.filter((item) => item !== option.value),
                  )
                }
              />
              {option.label || option.value}
            </label>
          ))}
        </span>
      );
    }
    case "select":
      return (
        <select name="default" value={text} onChange={(event) => onChange(event.target.value)}>
          <option value="">No default</option>
          {named.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label || option.value}
            </option>
          ))}
        </select>
      );
    case "boolean":
      return (
        <select name="default" value={text} onChange={(event) => onChange(event.target.value)}>
          <option value="">No default</option>
          <option value="true">Yes</option>
          <option value="false">No</option>
        </select>
      );
    case "integer":
    case "decimal":
    case "currency":
      return (
        <input
          name="default"
          type="number"
          step={draft.field_type === "integer" ? 1 : "any"}
          value={text}
          onChange={(event) => onChange(event.target.value)}
        />
      );
    case "date":
      return <input name="default" type="date" value={text} onChange={(event) => onChange(event.target.value)} />;
    case "datetime":
      return (
        <input
          name="default"
          type="datetime-local"
          value={text}
          onChange={(event) => onChange(event.target.value)}
        />
      );
    default:
      return <input name="default" value={text} onChange={(event) => onChange(event.target.value)} />;
  }
}
