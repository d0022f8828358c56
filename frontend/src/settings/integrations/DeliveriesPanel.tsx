// A webhook's recent deliveries, newest first: the event, how it went, the receiver's answer and
// how long it took, the error, the attempts; a finished one can be sent again. Read again every
// few seconds while open, every second while one is on its way.
import { useState } from "react";
import { EmptyState, ErrorBanner, Spinner } from "../../ui/components";
import { useToast } from "../../ui/toast";
import { errorMessage } from "../shared";
import { type Delivery, useDeliveries, useRedeliver } from "./api";
import { answerLabel, canRedeliver, deliveryStatus, durationLabel, lastAttempt, momentLabel } from "./format";

export function DeliveriesPanel({ uid, highlight }: { uid: string; highlight: string | null }) {
  const deliveries = useDeliveries(uid);
  const list = deliveries.data?.results ?? [];
  return (
    <div className="webhook-deliveries" data-testid="deliveries">
      <h3>Recent deliveries</h3>
      {deliveries.isPending ? (
        <Spinner label="Loading deliveries" />
      ) : deliveries.isError && list.length === 0 ? (
        <ErrorBanner error={deliveries.error} onRetry={() => void deliveries.refetch()} />
      ) : list.length === 0 ? (
        <EmptyState title="No deliveries yet">
          Events after the webhook was added show here as they are sent. “Send test” sends a ping.
        </EmptyState>
      ) : (
        <table className="table delivery-table">
          <thead>
            <tr>
              <th>Event</th>
              <th>Status</th>
              <th>Answer</th>
              <th>Took</th>
              <th>Attempts</th>
              <th>Error</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {list.map((delivery) => (
              <DeliveryRow key={delivery.id} uid={uid} delivery={delivery} highlighted={delivery.id === highlight} />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function DeliveryRow({ uid, delivery, highlighted }: { uid: string; delivery: Delivery; highlighted: boolean }) {
  const toast = useToast();
  const redeliver = useRedeliver();
  const [open, setOpen] = useState(false);
  const status = deliveryStatus(delivery);
  const last = lastAttempt(delivery);
  const again = () =>
    redeliver.mutate(
      { uid, id: delivery.id },
      {
        onSuccess: () => toast("Sent again: the same delivery id, so the receiver can tell.", "success"),
        onError: (error) => toast(errorMessage(error), "error"),
      },
    );
  return (
    <>
      <tr
        className={highlighted ? "delivery-highlight" : undefined}
        data-testid="delivery-row"
        data-event={delivery.event}
        data-status={delivery.status}
      >
        <td>
          <div className="mono">{delivery.event}</div>
          <div className="muted delivery-small">
            {delivery.subject ? `${delivery.subject} · ` : ""}
            <time dateTime={delivery.occurred_at}>{momentLabel(delivery.occurred_at)}</time>
          </div>
        </td>
        <td>
          <span className={`tone tone-${status.tone}`}>{status.label}</span>
          {delivery.status === "pending" && delivery.next_attempt_at && delivery.attempt_count > 0 ? (
            <div className="muted delivery-small">next {momentLabel(delivery.next_attempt_at)}</div>
          ) : null}
        </td>
        <td className="numeric" data-testid="delivery-code">
          {answerLabel(last)}
        </td>
        <td className="numeric">{durationLabel(last)}</td>
        <td className="numeric">
          {delivery.attempt_count > 0 ? (
            <button type="button" className="btn-link" onClick={() => setOpen(!open)} aria-expanded={open}>
              {delivery.attempt_count} {open ? "▴" : "▾"}
            </button>
          ) : (
            0
          )}
        </td>
        <td className="delivery-error">{last?.error ?? ""}</td>
        <td>
          {canRedeliver(delivery) ? (
            <button
              type="button"
              className="btn btn-small"
              onClick={again}
              disabled={redeliver.isPending}
              data-testid="redeliver"
            >
              {redeliver.isPending ? "Sending…" : "Redeliver"}
            </button>
          ) : null}
        </td>
      </tr>
      {open ? (
        <tr className="delivery-attempts">
          <td colSpan={7}>
            <ul>
              {delivery.attempts.map((attempt) => (
                <li key={attempt.at}>
                  <time dateTime={attempt.at}>{momentLabel(attempt.at)}</time> ·{" "}
                  <span className={attempt.ok ? "tone-text-ok" : "tone-text-bad"}>{answerLabel(attempt)}</span> ·{" "}
                  {durationLabel(attempt)}
                  {attempt.error ? ` · ${attempt.error}` : ""}
                </li>
              ))}
            </ul>
          </td>
        </tr>
      ) : null}
    </>
  );
}
