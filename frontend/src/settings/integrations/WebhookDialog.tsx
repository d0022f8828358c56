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
  generateSecret,
  patchBody,
  setAllEvents,
  toggleEvent,
  type WebhookDraft,
  type WebhookErrors,
} from "./webhookForm";

export function WebhookDialog({
  webhook,
  onClose,
  onSecret,
}: {
  /** The webhook to edit; none to add one. */
  webhook: Webhook | null;
  onClose: () => void;
  /** Called with the webhook and its new secret (created, or its secret replaced): shown once. */
  onSecret: (created: WebhookCreated, replaced: boolean) => void;
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
      create.mutate(createBody(draft), { onSuccess: (created) => onSecret(created, false), onError: refused });
      return;
    }
    const secret = draft.newSecret ? generateSecret() : undefined;
    const patch = patchBody(webhook, draft, secret);
    if (!patch) {
      onClose();
      return;
    }
    update.mutate(
      { uid: webhook.uid, patch },
      {
        onSuccess: (saved) => {
          toast("Webhook saved.", "success");
          if (secret) onSecret({ ...saved, secret }, true);
          else onClose();
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
      {webhook ? (
        <div className="webhook-new-secret">
          <CheckboxChoice checked={draft.newSecret} onChange={(newSecret) => change({ newSecret })} name="new-secret">
            Replace the secret with a new one (shown once, after saving)
          </CheckboxChoice>
          {errors.secret ? <span className="field-error">{errors.secret}</span> : null}
        </div>
      ) : null}
    </FormDialog>
  );
}
