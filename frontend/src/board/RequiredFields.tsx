// Asking for the custom fields a move or a quick-add needs, right on the board: the fields are
// rendered from the config's definitions and checked as the server will check them.
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
}

/** The modal a refused move opens when the target stage's required fields are all it lacks.
 * `onSubmit` makes the move with the values; it throws the server's error when refused. */
export function RequiredFieldsModal({
  request,
  onSubmit,
  onClose,
}: {
  request: RequiredFieldsRequest;
  onSubmit: (data: Record<string, unknown>) => Promise<void>;
  onClose: () => void;
}) {
  const { definitions, leadName, stageName } = request;
  const [state, setState] = useState<FieldsFormState>(() => initialFields(definitions));
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
    if (Object.keys(errors).length > 0) {
      setState({ ...state, errors });
      return;
    }
    setSaving(true);
    setFailure(null);
    try {
      await onSubmit(fieldsData(definitions, state.values));
    } catch (error) {
      // Only a refusal of the values keeps the form open; anything else was reported by the
      // board and closed the form.
      if (error instanceof ApiError) {
        const errors = serverFieldErrors(error, definitions);
        setState((current) => ({ ...current, errors }));
        setFailure(Object.keys(errors).length > 0 ? null : error.message);
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
        <p className="muted required-fields-intro">
          {stageName} needs {definitions.length === 1 ? "this field" : "these fields"} before “
          {leadName}” can enter it. They are saved with the move.
        </p>
        {failure ? <div className="banner banner-error">{failure}</div> : null}
        <FieldsInputs
          definitions={definitions}
          state={state}
          onChange={setState}
          idPrefix="move-field"
          disabled={saving}
        />
      </form>
    </Modal>
  );
}
