// The form a move opens when what the target asks is all that stands in its way (the server's
// `missing_required_fields`, `lost_reason_required`): the values, the lost reason and an optional
// note go with the move, in one request.
import { useMemo, useState } from "react";
import type { FieldDefinition, Lead } from "../api/types";
import { checkFields, fieldsData, FieldsInputs, initialFields, type FieldsFormState } from "../fields";
import {
  askIntro,
  checkLostAnswer,
  LostReasonInputs,
  NO_LOST_ANSWER,
  type LostAnswer,
  type LostReasonOption,
} from "../moves/LostReasonInputs";
import { Modal, ModalActions } from "../ui/components";

function byFieldKey(errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([path, message]) => [path.replace(/^data\./, ""), message]));
}

export interface MoveFormAnswers {
  data: Record<string, unknown> | null;
  note: string | null;
  lost: LostAnswer | null;
}

export function MoveFieldsDialog({
  lead,
  stageName,
  fields,
  lostReasons,
  busy,
  onCancel,
  onSubmit,
}: {
  lead: Lead;
  stageName: string;
  fields: FieldDefinition[];
  /** The config's lost reasons when the target asks for one; null when it does not. */
  lostReasons: LostReasonOption[] | null;
  busy: boolean;
  onCancel: () => void;
  /** Resolves to the server's errors by path ("data.budget", "lost_reason"), or null. */
  onSubmit: (answers: MoveFormAnswers) => Promise<Record<string, string> | null>;
}) {
  // Entering the stage needs a value even where the field itself is optional.
  const required = useMemo(() => fields.map((definition) => ({ ...definition, required: true })), [fields]);
  const [state, setState] = useState<FieldsFormState>(() => initialFields(required, lead.data));
  const [note, setNote] = useState("");
  const [lost, setLost] = useState<LostAnswer | null>(lostReasons ? NO_LOST_ANSWER : null);
  const [lostError, setLostError] = useState<string | null>(null);

  const submit = async () => {
    const errors = checkFields(required, state.values);
    const lostProblem = checkLostAnswer(lost);
    setState((current) => ({ ...current, errors }));
    setLostError(lostProblem);
    if (Object.keys(errors).length > 0 || lostProblem) return;
    const serverErrors = await onSubmit({
      data: required.length > 0 ? fieldsData(required, state.values) : null,
      note: note.trim() || null,
      lost,
    });
    // The server's messages are keyed by path ("data.budget"); the form's by field key.
    if (serverErrors) {
      const { lost_reason: lostMessage, ...rest } = serverErrors;
      setState((current) => ({ ...current, errors: byFieldKey(rest) }));
      setLostError(lostMessage ?? null);
    }
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
        <p className="modal-intro" data-testid="move-ask-intro">
          {askIntro(lead.name, stageName, required.length, lost !== null)}
        </p>
        <FieldsInputs definitions={required} state={state} onChange={setState} idPrefix="move-field" />
        {lost && lostReasons ? (
          <LostReasonInputs
            options={lostReasons}
            answer={lost}
            error={lostError}
            onChange={(answer) => {
              setLost(answer);
              if (answer.reason) setLostError(null);
            }}
          />
        ) : (
          <label className="field">
            <span className="field-label">Note (optional)</span>
            <textarea rows={2} value={note} onChange={(event) => setNote(event.target.value)} />
          </label>
        )}
      </form>
    </Modal>
  );
}
