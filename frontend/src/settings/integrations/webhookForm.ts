// A webhook form's draft, the body it sends, and where the server's refusals go. The rules a URL
// must meet (http(s), no credentials, a public address) are the server's: its 400 names `url`
// and the form shows the message there.
import type { Schemas } from "../../api/client";
import type { Webhook, WebhookCreate, WebhookPatch } from "./api";

export type EventKind = Schemas["EventKind"];
export const ALL_EVENTS = "*";

/** Every event kind a webhook can ask for, in the order the form lists them. */
export const EVENT_CHOICES: { value: EventKind; label: string; hint: string }[] = [
  { value: "lead.created", label: "Lead created", hint: "a lead is added, by hand, import or the API" },
  { value: "lead.updated", label: "Lead updated", hint: "its fields, tasks, tags or people change" },
  { value: "lead.moved", label: "Lead moved", hint: "it changes stage (with the previous stage)" },
  { value: "lead.deleted", label: "Lead deleted", hint: "" },
  { value: "stage.changed", label: "Stage changed", hint: "a stage is added, edited, reordered or removed" },
  { value: "config.changed", label: "Config changed", hint: "custom fields, lost reasons and the like" },
];

export interface WebhookDraft {
  url: string;
  description: string;
  allEvents: boolean;
  events: EventKind[];
  active: boolean;
  /** Editing: replace the secret with a new one, made here and shown once after saving. */
  newSecret: boolean;
}

export type WebhookErrors = Partial<Record<"url" | "events" | "description" | "active" | "secret", string>>;

export const EMPTY_DRAFT: WebhookDraft = {
  url: "",
  description: "",
  allEvents: true,
  events: [],
  active: true,
  newSecret: false,
};

function isEventKind(value: string): value is EventKind {
  return EVENT_CHOICES.some((choice) => choice.value === value);
}

export function draftOf(webhook: Webhook): WebhookDraft {
  const allEvents = webhook.events.includes(ALL_EVENTS);
  return {
    url: webhook.url,
    description: webhook.description,
    allEvents,
    events: allEvents ? [] : webhook.events.filter(isEventKind),
    active: webhook.active,
    newSecret: false,
  };
}

/** The events as the server takes them: ["*"], or the kinds in the form's order. */
export function eventsOf(draft: WebhookDraft): string[] {
  if (draft.allEvents) return [ALL_EVENTS];
  return EVENT_CHOICES.map((choice) => choice.value).filter((kind) => draft.events.includes(kind));
}

export function toggleEvent(draft: WebhookDraft, kind: EventKind, on: boolean): WebhookDraft {
  const events = draft.events.filter((event) => event !== kind);
  return { ...draft, events: on ? [...events, kind] : events };
}

export function createBody(draft: WebhookDraft): WebhookCreate {
  return {
    url: draft.url.trim(),
    events: eventsOf(draft),
    description: draft.description.trim(),
    active: draft.active,
    secret: null,
  };
}

function sameEvents(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

/**
 * Only what the admin changed (and `secret`, when replacing it), with the version the form was
 * opened on; null when nothing did.
 */
export function patchBody(webhook: Webhook, draft: WebhookDraft, secret?: string): WebhookPatch | null {
  const patch: WebhookPatch = secret ? { secret } : {};
  const url = draft.url.trim();
  const description = draft.description.trim();
  const events = eventsOf(draft);
  if (url !== webhook.url) patch.url = url;
  if (description !== webhook.description) patch.description = description;
  if (!sameEvents(events, webhook.events)) patch.events = events;
  if (draft.active !== webhook.active) patch.active = draft.active;
  if (Object.keys(patch).length === 0) return null;
  return { ...patch, version: webhook.version };
}

const FORM_FIELDS = ["url", "events", "description", "active", "secret"] as const;

/**
 * The server's field errors placed on the form's inputs (`events.2` belongs to the events); what
 * belongs to no input comes back as lines to show above the form.
 */
export function errorsFromServer(fields: Record<string, string[]>): { errors: WebhookErrors; lines: string[] } {
  const errors: WebhookErrors = {};
  const lines: string[] = [];
  for (const [path, messages] of Object.entries(fields)) {
    const head = path.split(".")[0];
    const field = FORM_FIELDS.find((name) => name === head);
    const text = messages.join(" ");
    if (field) errors[field] = errors[field] ? `${errors[field]} ${text}` : text;
    else lines.push(`${path}: ${text}`);
  }
  return { errors, lines };
}

/** "All events" off starts from every kind ticked, so the admin unticks what they do not want. */
export function setAllEvents(draft: WebhookDraft, on: boolean): WebhookDraft {
  if (on) return { ...draft, allEvents: true };
  const events = draft.events.length ? draft.events : EVENT_CHOICES.map((choice) => choice.value);
  return { ...draft, allEvents: false, events };
}

/** A new signing secret: 32 random bytes, base64url (43 characters; the server takes 16-200). */
export function generateSecret(random: (bytes: Uint8Array) => Uint8Array = (bytes) => crypto.getRandomValues(bytes)): string {
  const bytes = random(new Uint8Array(32));
  const text = btoa(String.fromCharCode(...bytes));
  return text.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
