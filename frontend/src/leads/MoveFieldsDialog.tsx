// The form a move opens when the target stage's required fields are all that stand in its way
// (the server's `missing_required_fields`): the values, and an optional note, go with the move.
import { useMemo, useState } from "react";
import type { FieldDefinition, Lead } from "../api/types";
import { checkFields, fieldsData, FieldsInputs, initialFields, type FieldsFormState } from "../fields";
import { Modal, ModalActions } from "../ui/components";

function byFieldKey(errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([path, message]) => [path.replace(/^data\./, ""), message]));
}

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
  // Entering the stage needs a value even where the field itself is optional.
  const required = useMemo(() => fields.map((definition) => ({ ...definition, required: true })), [fields]);
  const [state, setState] = useState<FieldsFormState>(() => initialFields(required, lead.data));
  const [note, setNote] = useState("");

  const submit = async () => {
    const errors = checkFields(required, state.values);
    setState((current) => ({ ...current, errors }));
    if (Object.keys(errors).length > 0) return;
    const serverErrors = await onSubmit(fieldsData(required, state.values), note.trim() || null);
    // The server's messages are keyed by path ("data.budget"); the form's by field key.
    if (serverErrors) setState((current) => ({ ...current, errors: byFieldKey(serverErrors) }));
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
        <FieldsInputs definitions={required} state={state} onChange={setState} idPrefix="move-field" />
        <label className="field">
          <span className="field-label">Note (optional)</span>
          <textarea rows={2} value={note} onChange={(event) => setNote(event.target.value)} placeholder="Why it moves now" />
        </label>
      </form>
    </Modal>
  );
}
