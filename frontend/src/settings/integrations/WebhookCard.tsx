// One webhook: where it sends, what it hears, whether it is on (and why the service switched it
// off), its last success and failure; switch it on or off, send a test, edit, delete, and open
// its recent deliveries.
import { useState } from "react";
import { useToast } from "../../ui/toast";
import { errorMessage } from "../shared";
import { DeliveriesPanel } from "./DeliveriesPanel";
import { PingResult } from "./PingResult";
import { type Webhook, useSendTest, useUpdateWebhook } from "./api";
import { eventsLabel, historyLabel, webhookState } from "./format";

export function WebhookCard({
  webhook,
  onEdit,
  onDelete,
}: {
  webhook: Webhook;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const toast = useToast();
  const update = useUpdateWebhook();
  const sendTest = useSendTest();
  const [open, setOpen] = useState(false);
  // The ping this screen sent last: its row is marked in the deliveries below.
  const [ping, setPing] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const state = webhookState(webhook);
  const disabledReason = webhook.state.disabled_reason;

  const setActive = (active: boolean) => {
    setProblem(null);
    update.mutate(
      { uid: webhook.uid, patch: { active, version: webhook.version } },
      {
        onSuccess: () => toast(active ? "Webhook on: deliveries go out again." : "Webhook paused.", "success"),
        onError: (error) => setProblem(errorMessage(error)),
      },
    );
  };
  const test = () => {
    setProblem(null);
    sendTest.mutate(webhook.uid, {
      onSuccess: (delivery) => {
        setPing(delivery.id);
        setOpen(true);
        toast("Test ping queued: its result shows in the deliveries.", "info");
      },
      onError: (error) => setProblem(errorMessage(error)),
    });
  };

  return (
    <article className="webhook-card" data-testid="webhook-card" data-uid={webhook.uid}>
      <div className="webhook-head">
        <div className="webhook-main">
          <div className="webhook-url mono" title={webhook.url} data-testid="webhook-card-url">
            {webhook.url}
          </div>
          <div className="webhook-meta">
            <span className={`tone tone-${state.tone}`} data-testid="webhook-state">
              {state.label}
            </span>
            <span className="muted">{eventsLabel(webhook.events)}</span>
            {webhook.description ? <span className="muted">· {webhook.description}</span> : null}
          </div>
        </div>
        <div className="webhook-actions">
          <label className="choice webhook-toggle">
            <input
              type="checkbox"
              checked={webhook.active}
              disabled={update.isPending}
              onChange={(event) => setActive(event.target.checked)}
              data-testid="webhook-active"
            />
            Active
          </label>
          <button type="button" className="btn btn-small" onClick={test} disabled={sendTest.isPending} data-testid="send-test">
            {sendTest.isPending ? "Sending…" : "Send test"}
          </button>
          <button type="button" className="btn btn-small" onClick={onEdit} data-testid="edit-webhook">
            Edit
          </button>
          <button type="button" className="btn btn-small btn-ghost btn-danger-ghost" onClick={onDelete} data-testid="delete-webhook">
            Delete
          </button>
        </div>
      </div>
      {disabledReason ? (
        <div className="banner banner-error webhook-disabled" role="alert" data-testid="webhook-disabled">
          <span>
            Switched off by the service: {disabledReason}. Its waiting deliveries are kept and go out in order once
            you switch it on.
          </span>
        </div>
      ) : null}
      {problem ? (
        <div className="banner banner-error" role="alert">
          <span>{problem}</span>
        </div>
      ) : null}
      <div className="webhook-foot">
        {ping ? <PingResult uid={webhook.uid} id={ping} /> : null}
        <span className="muted webhook-history" data-testid="webhook-history">
          {historyLabel(webhook.state)}
        </span>
        <button
          type="button"
          className="btn btn-small btn-ghost"
          onClick={() => setOpen(!open)}
          aria-expanded={open}
          data-testid="toggle-deliveries"
        >
          {open ? "Hide deliveries" : "Show deliveries"}
        </button>
      </div>
      {open ? <DeliveriesPanel uid={webhook.uid} highlight={ping} /> : null}
    </article>
  );
}
