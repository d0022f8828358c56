// How a webhook and its deliveries read: its events in words, a delivery's status, an attempt's
// answer and time.
import type { Attempt, Delivery, Webhook } from "./api";
import { ALL_EVENTS, EVENT_CHOICES } from "./webhookForm";

export function eventsLabel(events: string[]): string {
  if (events.includes(ALL_EVENTS)) return "All events";
  return events.map((kind) => EVENT_CHOICES.find((choice) => choice.value === kind)?.label ?? kind).join(", ");
}

export type Tone = "ok" | "bad" | "wait" | "off";

/** A webhook's state in a word: off by an admin, switched off by the service, failing, or on. */
export function webhookState(webhook: Webhook): { label: string; tone: Tone } {
  if (webhook.state.disabled_reason) return { label: "Disabled by the service", tone: "bad" };
  if (!webhook.active) return { label: "Paused", tone: "off" };
  if (webhook.state.failing_since) return { label: "Failing", tone: "bad" };
  return { label: "Active", tone: "ok" };
}

const STATUS: Record<Delivery["status"], { label: string; tone: Tone }> = {
  pending: { label: "Waiting", tone: "wait" },
  sending: { label: "Sending", tone: "wait" },
  delivered: { label: "Delivered", tone: "ok" },
  failed: { label: "Failed", tone: "bad" },
};

export function deliveryStatus(delivery: Delivery): { label: string; tone: Tone } {
  // A waiting delivery that was already tried is a retry: say so, it is news for the admin.
  if (delivery.status === "pending" && delivery.attempt_count > 0) return { label: "Retrying", tone: "bad" };
  return STATUS[delivery.status];
}

/** The latest attempt (the server lists them newest first), or null before the first. */
export function lastAttempt(delivery: Delivery): Attempt | null {
  return delivery.attempts[0] ?? null;
}

/** What the receiver answered: its status code, or why no answer came. */
export function answerLabel(attempt: Attempt | null): string {
  if (!attempt) return "—";
  if (attempt.status_code !== null) return String(attempt.status_code);
  return "no answer";
}

export function durationLabel(attempt: Attempt | null): string {
  if (!attempt) return "—";
  if (attempt.duration_ms < 1000) return `${attempt.duration_ms} ms`;
  return `${(attempt.duration_ms / 1000).toFixed(1)} s`;
}

/** A redelivery is for a finished delivery only; one still waiting goes out by itself. */
export function canRedeliver(delivery: Delivery): boolean {
  return delivery.status === "delivered" || delivery.status === "failed";
}

/** A delivery's moment, to the second: deliveries seconds apart must read apart. */
export function momentLabel(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleString("en-GB", {
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

/** Its last success and failure in a line: "Last delivered …", "nothing delivered yet", "never failed". */
export function historyLabel(state: Webhook["state"]): string {
  const success = state.last_success_at ? `Last delivered ${momentLabel(state.last_success_at)}` : "Nothing delivered yet";
  if (!state.last_failure_at) return `${success} · never failed`;
  const error = state.last_error ? ` (${state.last_error})` : "";
  return `${success} · last failure ${momentLabel(state.last_failure_at)}${error}`;
}
