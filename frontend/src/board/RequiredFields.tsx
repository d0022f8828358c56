// Asking for what a move or a quick-add needs, right on the board: the custom fields, rendered
// from the config's definitions and checked as the server will check them, and for a lost stage
// the lost reason. All of it goes with the move, in one request.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import type { FieldDefinition } from "../api/types";
import {
  checkFields,
  describeProblem,
  fieldsData,
  FieldsInputs,
  initialFields,
  type FieldsFormState,
} from "../fields";
import {
  askIntro,
  checkLostAnswer,
  LostReasonInputs,
  NO_LOST_ANSWER,
  type LostAnswer,
  type LostReasonOption,
} from "../moves/LostReasonInputs";
import { Modal, ModalActions } from "../ui/components";

/** The definitions for `keys`, marked required: a stage may require a field the config itself
 * leaves optional, and here the value is needed either way. Unknown keys are left out. */
export function requiredDefinitions(
  variables: readonly FieldDefinition[],
  keys: readonly string[],
): FieldDefinition[] {
  const byKey = new Map(variables.map((definition) => [definition.field_key, definition]));
  return keys.flatMap((key) => {
    const definition = byKey.get(key);
    return definition ? [{ ...definition, required: true }] : [];
  });
}

/** The server's `fields` ({"data.budget": ["is required"]}) keyed by field key, as sentences. */
export function serverFieldErrors(
  error: ApiError,
  definitions: readonly FieldDefinition[],
): Record<string, string> {
  const labels = new Map(definitions.map((d) => [d.field_key, d.label]));
  const errors: Record<string, string> = {};
  for (const [path, messages] of Object.entries(error.fields)) {
    if (!path.startsWith("data.")) continue;
    const key = path.slice("data.".length);
    errors[key] = describeProblem(labels.get(key) ?? key, messages.join("; "));
  }
  return errors;
}

export interface RequiredFieldsRequest {
  leadName: string;
  stageName: string;
  definitions: FieldDefinition[];
  /** The config's lost reasons when the target asks for one; null when it does not. */
  lostReasons: LostReasonOption[] | null;
}

export interface MoveAnswers {
  data: Record<string, unknown> | null;
  lost: LostAnswer | null;
}

/** The modal a move opens when what the target asks (required fields, a lost reason) is all it
 * lacks. `onSubmit` makes the move with the answers; it throws the server's error when refused. */
export function RequiredFieldsModal({
  request,
  onSubmit,
  onClose,
}: {
  request: RequiredFieldsRequest;
  onSubmit: (answers: MoveAnswers) => Promise<void>;
  onClose: () => void;
}) {
  const { definitions, leadName, stageName, lostReasons } = request;
  const [state, setState] = useState<FieldsFormState>(() => initialFields(definitions));
  const [lost, setLost] = useState<LostAnswer | null>(lostReasons ? NO_LOST_ANSWER : null);
  const [lostError, setLostError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    // The modal focuses its first button (the close ×); the first field is what to fill in.
    const frame = requestAnimationFrame(() =>
      form.current?.querySelector<HTMLElement>("input, select, textarea")?.focus(),
    );
    return () => cancelAnimationFrame(frame);
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const errors = checkFields(definitions, state.values);
    const lostProblem = checkLostAnswer(lost);
    setLostError(lostProblem);
    if (Object.keys(errors).length > 0 || lostProblem) {
      setState({ ...state, errors });
      return;
    }
    setSaving(true);
    setFailure(null);
    try {
      await onSubmit({ data: definitions.length > 0 ? fieldsData(definitions, state.values) : null, lost });
    } catch (error) {
      // Only a refusal of the answers keeps the form open; anything else was reported by the
      // board and closed the form.
      if (error instanceof ApiError) {
        const errors = serverFieldErrors(error, definitions);
        const lostMessage = error.fields.lost_reason?.join("; ") ?? null;
        setState((current) => ({ ...current, errors }));
        setLostError(lostMessage);
        setFailure(Object.keys(errors).length > 0 || lostMessage ? null : error.message);
      }
      setSaving(false);
    }
  };

  return (
    <Modal
      title={`Move to ${stageName}`}
      onClose={onClose}
      footer={
        <ModalActions
          onCancel={onClose}
          cancelDisabled={saving}
          form="required-fields-form"
          label="Save and move"
          busyLabel="Moving…"
          busy={saving}
          testId="required-fields-submit"
        />
      }
    >
      <form
        ref={form}
        id="required-fields-form"
        data-testid="required-fields-form"
        className="required-fields-form"
        onSubmit={(event) => void submit(event)}
        noValidate
      >
        <p className="required-fields-intro" data-testid="move-ask-intro">
          {askIntro(leadName, stageName, definitions.length, lost !== null)}
        </p>
        {failure ? <div className="banner banner-error">{failure}</div> : null}
        <FieldsInputs
          definitions={definitions}
          state={state}
          onChange={setState}
          idPrefix="move-field"
          disabled={saving}
        />
        {lost && lostReasons ? (
          <LostReasonInputs
            options={lostReasons}
            answer={lost}
            error={lostError}
            disabled={saving}
            onChange={(answer) => {
              setLost(answer);
              if (answer.reason) setLostError(null);
            }}
          />
        ) : null}
      </form>
    </Modal>
  );
}
