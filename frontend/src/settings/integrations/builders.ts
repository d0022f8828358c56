// Webhooks and deliveries as the server sends them, for this folder's tests. Test files only.
import type { Attempt, Delivery, Webhook } from "./api";

const AT = "2026-11-30T12:00:00Z";

export function webhook(uid: string, overrides: Partial<Webhook> = {}): Webhook {
  return {
    uid,
    url: `https://hooks.example.com/${uid}`,
    events: ["*"],
    active: true,
    description: "",
    state: { disabled_reason: null, failing_since: null, last_success_at: null, last_failure_at: null, last_error: null },
    version: 1,
    created_at: AT,
    updated_at: AT,
    ...overrides,
  };
}

export function attempt(overrides: Partial<Attempt> = {}): Attempt {
  return { at: AT, ok: true, status_code: 200, duration_ms: 12, error: null, ...overrides };
}

export function delivery(id: string, overrides: Partial<Delivery> = {}): Delivery {
  return {
    id,
    event: "lead.moved",
    seq: 7,
    subject: "LEAD-202611-00001",
    status: "delivered",
    occurred_at: AT,
    created_at: AT,
    next_attempt_at: null,
    finished_at: AT,
    attempt_count: 1,
    attempts: [attempt()],
    ...overrides,
  };
}
