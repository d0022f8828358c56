// The form a move opens when the target stage's required fields are all that stand in its way
// (the server's `missing_required_fields`): the values, and an optional note, go with the move.
import { useState } from "react";
import type { FieldDefinition, Lead } from "../api/types";
import { FieldInput, fromServerValue, toServerValue, validateFieldValue, withoutError, type FieldValue } from "../fields";
import { Modal, ModalActions } from "../ui/components";

export function MoveFieldsDialog({
  lead,
  stageName,
  fields,
  busy,
  onCancel,
  onSubmit,
}: {
  lead: Lead;
  stageName: string;
  fields: FieldDefinition[];
  busy: boolean;
  onCancel: () => void;
  onSubmit: (data: Record<string, unknown>, note: string | null) => Promise<Record<string, string> | null>;
}) {
  const [values, setValues] = useState<Record<string, FieldValue>>(() =>
    Object.fromEntries(
      fields.map((definition) => [definition.field_key, fromServerValue(definition, lead.data[definition.field_key])]),
    ),
  );
  const [note, setNote] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});

  const submit = async () => {
    const found: Record<string, string> = {};
    for (const definition of fields) {
      // Entering the stage needs a value even where the field itself is optional.
      const message = validateFieldValue({ ...definition, required: true }, values[definition.field_key]);
      if (message) found[`data.${definition.field_key}`] = message;
    }
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const data = Object.fromEntries(
      fields.map((definition) => [
        definition.field_key,
        toServerValue(definition, values[definition.field_key] ?? null),
      ]),
    );
    const serverErrors = await onSubmit(data, note.trim() || null);
    if (serverErrors) setErrors(serverErrors);
  };

  return (
    <Modal
      title={`Move to ${stageName}`}
      onClose={onCancel}
      footer={
        <ModalActions
          onCancel={onCancel}
          cancelClassName="btn btn-ghost"
          form="move-fields"
          label={`Move to ${stageName}`}
          busyLabel="Moving…"
          busy={busy}
          testId="confirm-move"
        />
      }
    >
      <form
        id="move-fields"
        noValidate
        data-testid="move-fields-form"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <p className="muted modal-intro">
          {stageName} needs {fields.length === 1 ? "this field" : "these fields"} before a lead can enter
          it; {fields.length === 1 ? "it is" : "they are"} saved with the move.
        </p>
        {fields.map((definition) => (
          <FieldInput
            key={definition.field_key}
            id={`move-field-${definition.field_key}`}
            definition={{ ...definition, required: true }}
            value={values[definition.field_key] ?? null}
            onChange={(value) => {
              setValues((current) => ({ ...current, [definition.field_key]: value }));
              setErrors((current) => withoutError(current, `data.${definition.field_key}`));
            }}
            error={errors[`data.${definition.field_key}`]}
          />
        ))}
        <label className="field">
          <span className="field-label">Note (optional)</span>
          <textarea rows={2} value={note} onChange={(event) => setNote(event.target.value)} placeholder="Why it moves now" />
        </label>
      </form>
    </Modal>
  );
}
