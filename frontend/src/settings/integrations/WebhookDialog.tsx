// Add or edit a webhook: its URL, a note, the events it hears (all, or some), on or paused.
// The server checks the URL; its refusals show beside the input they name.
import { useState, type FormEvent } from "react";
import { ApiError } from "../../api/client";
import { useToast } from "../../ui/toast";
import { CheckboxChoice } from "../controls";
import { errorMessage, Field, FormDialog, type FormProblem, NO_PROBLEM } from "../shared";
import { useCreateWebhook, useUpdateWebhook, type Webhook, type WebhookCreated } from "./api";
import {
  createBody,
  draftOf,
  EMPTY_DRAFT,
  errorsFromServer,
  EVENT_CHOICES,
  patchBody,
  setAllEvents,
  toggleEvent,
  type WebhookDraft,
  type WebhookErrors,
} from "./webhookForm";

export function WebhookDialog({
  webhook,
  onClose,
  onCreated,
}: {
  /** The webhook to edit; none to add one. */
  webhook: Webhook | null;
  onClose: () => void;
  /** Called with the creation's answer, the one place its secret is shown. */
  onCreated: (created: WebhookCreated) => void;
}) {
  const toast = useToast();
  const create = useCreateWebhook();
  const update = useUpdateWebhook();
  const [draft, setDraft] = useState<WebhookDraft>(webhook ? draftOf(webhook) : EMPTY_DRAFT);
  const [errors, setErrors] = useState<WebhookErrors>({});
  const [problem, setProblem] = useState<FormProblem>(NO_PROBLEM);
  const change = (changes: Partial<WebhookDraft>) => setDraft((current) => ({ ...current, ...changes }));

  const refused = (error: Error) => {
    const placed = error instanceof ApiError ? errorsFromServer(error.fields) : { errors: {}, lines: [] };
    setErrors(placed.errors);
    const onInputs = Object.keys(placed.errors).length > 0 && placed.lines.length === 0;
    setProblem({ message: onInputs ? null : errorMessage(error), lines: placed.lines });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setProblem(NO_PROBLEM);
    if (!webhook) {
      create.mutate(createBody(draft), { onSuccess: onCreated, onError: refused });
      return;
    }
    const patch = patchBody(webhook, draft);
    if (!patch) {
      onClose();
      return;
    }
    update.mutate(
      { uid: webhook.uid, patch },
      {
        onSuccess: () => {
          toast("Webhook saved.", "success");
          onClose();
        },
        onError: refused,
      },
    );
  };

  return (
    <FormDialog
      title={webhook ? "Edit webhook" : "Add a webhook"}
      onClose={onClose}
      onSubmit={submit}
      submitLabel={webhook ? "Save" : "Add webhook"}
      busyLabel="Saving…"
      busy={create.isPending || update.isPending}
      problem={problem}
      className="webhook-form"
      testId="webhook-form"
    >
      <Field label="URL" error={errors.url} required help="Where each event is POSTed, signed with the webhook's secret.">
        <input
          name="url"
          type="url"
          value={draft.url}
          onChange={(event) => change({ url: event.target.value })}
          placeholder="https://example.com/hooks/crm"
          maxLength={2000}
          autoComplete="off"
          aria-invalid={errors.url ? true : undefined}
          data-testid="webhook-url"
        />
      </Field>
      <Field label="Events" error={errors.events} group>
        <CheckboxChoice
          checked={draft.allEvents}
          onChange={(on) => setDraft((current) => setAllEvents(current, on))}
          name="all-events"
          className="choice webhook-all-events"
        >
          All events, including kinds added later
        </CheckboxChoice>
        <div className="webhook-event-choices" data-testid="webhook-events">
          {EVENT_CHOICES.map((choice) => (
            <label key={choice.value} className="choice" title={choice.hint || undefined}>
              <input
                type="checkbox"
                name={choice.value}
                checked={draft.allEvents || draft.events.includes(choice.value)}
                disabled={draft.allEvents}
                onChange={(event) => setDraft((current) => toggleEvent(current, choice.value, event.target.checked))}
              />
              <span>
                {choice.label} <code className="webhook-kind">{choice.value}</code>
              </span>
            </label>
          ))}
        </div>
      </Field>
      <Field label="Note" error={errors.description} help="Optional: what receives these, for the next admin.">
        <input
          name="description"
          value={draft.description}
          onChange={(event) => change({ description: event.target.value })}
          maxLength={500}
        />
      </Field>
      <CheckboxChoice checked={draft.active} onChange={(active) => change({ active })} name="active">
        Active: send deliveries
      </CheckboxChoice>
      {errors.active ? <span className="field-error">{errors.active}</span> : null}
    </FormDialog>
  );
}
