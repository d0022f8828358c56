// Add or edit one custom field definition; saving PATCHes the whole field list.
import { useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import type { Config } from "../api/types";
import { useToast } from "../ui/toast";
import { useUpdateConfig } from "./api";
import { buildVariablesPatch, sortedFields, upsertField } from "./config";
import { DraftField } from "./DraftField";
import { ChoiceSelect } from "./ChoiceSelect";
import { hasErrors } from "./drafts";
import { FieldDefaultInput } from "./FieldDefaultInput";
import {
  buildFieldDefinition,
  emptyFieldDraft,
  fieldDraftFrom,
  fieldErrorsFromServer,
  retypeDraft,
  type FieldDraft,
  type FieldErrors,
} from "./fieldForm";
import { FieldOptionsEditor } from "./FieldOptionsEditor";
import { FieldRulesInputs } from "./FieldRulesInputs";
import {
  allowedInputTypes,
  FIELD_TYPE_LABELS,
  FIELD_TYPES,
  INPUT_TYPE_LABELS,
  isChoiceType,
  isNumericType,
  isTextType,
  LOCK_REASON,
  suggestFieldKey,
} from "./fieldTypes";
import { CheckboxChoice } from "./controls";
import { errorMessage, Field, FormDialog, NO_PROBLEM, type FormProblem } from "./shared";

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
  const save = useUpdateConfig();
  const fields = sortedFields(config.variables);
  const original = fieldKey === null ? undefined : fields.find((f) => f.field_key === fieldKey);
  const isNew = original === undefined;
  const typeLocked = !isNew && config.locked;
  const [draft, setDraft] = useState<FieldDraft>(() =>
    original ? fieldDraftFrom(original) : emptyFieldDraft(),
  );
  // A new field's key follows its label until the admin types a key of their own.
  const [keyTouched, setKeyTouched] = useState(!isNew);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<FormProblem>(NO_PROBLEM);

  const update = (changes: Partial<FieldDraft>) => {
    setDraft((current) => ({ ...current, ...changes }));
    // An error is about what was there: editing that input clears it ("Add at least one
    // option" goes once options are entered); the check runs again on submit.
    setErrors((current) => {
      const edited = Object.keys(changes).filter((key) => key in current);
      if (edited.length === 0) return current;
      const next = { ...current };
      for (const key of edited) delete next[key as keyof FieldErrors];
      return next;
    });
  };

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
  const form = { draft, update, errors };

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
          <ChoiceSelect
            name="field_type"
            choices={FIELD_TYPES}
            label={(fieldType) => FIELD_TYPE_LABELS[fieldType]}
            value={type}
            disabled={typeLocked}
            onChange={(fieldType) => setDraft((d) => retypeDraft(d, fieldType))}
          />
        </Field>
        <Field
          label="Input"
          error={errors.input_type}
          help={inputTypes.length === 1 ? "The only input that fits this type." : "How forms ask for it."}
        >
          <ChoiceSelect
            name="input_type"
            choices={inputTypes}
            label={(inputType) => INPUT_TYPE_LABELS[inputType]}
            value={draft.input_type}
            disabled={inputTypes.length === 1}
            onChange={(inputType) => update({ input_type: inputType })}
          />
        </Field>
      </div>

      <CheckboxChoice
        className="choice required-choice"
        name="required"
        checked={draft.required}
        onChange={(required) => update({ required })}
      >
        Required on every lead
        <small className="muted">
          (to require it only from a stage on, tick it in that stage’s “Required to enter”)
        </small>
      </CheckboxChoice>

      {isChoiceType(type) ? (
        <FieldOptionsEditor
          draft={draft}
          error={errors.options}
          onChange={(options) => update({ options })}
        />
      ) : null}

      <FieldRulesInputs draft={draft} errors={errors} update={update} />

      <div className="form-grid">
        <Field
          label="Default value"
          error={errors.default}
          help="New leads get it when the field is left out."
          group={type === "multi_select"}
        >
          <FieldDefaultInput draft={draft} onChange={(value) => update({ default: value })} />
        </Field>
        {isTextType(type) || isNumericType(type) ? (
          <DraftField form={form} name="placeholder" label="Placeholder" help="Grey hint inside the empty input."
            maxLength={200} />
        ) : null}
      </div>
      <DraftField form={form} name="help_text" label="Help text" help="Shown under the input on lead forms."
        maxLength={500} />
    </FormDialog>
  );
}
