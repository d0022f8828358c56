// How an audit entry reads in the table: the words for its kind and action, who did it, and
// its changed fields old -> new. The server's summary sentence is shown as it is.
import type { AuditAction, AuditEntry } from "../../api/types";

export const AUDIT_KINDS = [
  { value: "stage", label: "Stages" },
  { value: "config", label: "Config" },
  { value: "user", label: "Users" },
  { value: "webhook", label: "Webhooks" },
  { value: "rule", label: "Automation rules" },
  { value: "auth", label: "Sign-ins" },
] as const;

export type AuditKind = (typeof AUDIT_KINDS)[number]["value"];

const ACTION_LABELS: Record<AuditAction, string> = {
  "stage.created": "Stage added",
  "stage.updated": "Stage changed",
  "stage.deleted": "Stage deleted",
  "stage.reordered": "Stages reordered",
  "config.updated": "Config changed",
  "user.created": "User added",
  "user.updated": "Profile changed",
  "user.role_changed": "Role changed",
  "user.deactivated": "User deactivated",
  "user.reactivated": "User reactivated",
  "user.password_reset": "Password reset",
  "webhook.created": "Webhook added",
  "webhook.updated": "Webhook changed",
  "webhook.deleted": "Webhook deleted",
  "rule.created": "Rule added",
  "rule.updated": "Rule changed",
  "rule.deleted": "Rule deleted",
  "auth.signed_in": "Signed in",
  "auth.sign_in_failed": "Sign-in failed",
  "auth.sign_in_throttled": "Sign-in refused",
  "auth.signed_out": "Signed out",
};

export function actionLabel(action: AuditAction): string {
  return ACTION_LABELS[action];
}

/** Failed and refused sign-ins read as warnings; everything else is plain. */
export function isWarning(action: AuditAction): boolean {
  return action === "auth.sign_in_failed" || action === "auth.sign_in_throttled";
}

/** Who: the user, the username someone tried (no account behind it), or a command. */
export function actorLabel(entry: AuditEntry): { name: string; note: string | null } {
  if (entry.actor_username && entry.actor_uid) return { name: entry.actor_username, note: null };
  if (entry.actor_username) return { name: entry.actor_username, note: "username tried" };
  return { name: "System", note: "a command on the server" };
}

function shown(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.length ? value.map(shown).join(", ") : "none";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** One line per changed field: `name: New → Fresh`; a value first set reads `name: Demo`. */
export function changeLines(entry: AuditEntry): string[] {
  return Object.entries(entry.changes).map(([field, change]) => {
    const label = field.replaceAll("_", " ");
    if (change.old === null || change.old === undefined) return `${label}: ${shown(change.new)}`;
    return `${label}: ${shown(change.old)} → ${shown(change.new)}`;
  });
}

// Most specific first: Edge's agent names Chrome and Safari too, Chrome's names Safari.
const AGENTS = ["Edg", "Firefox", "HeadlessChrome", "Chrome", "Safari", "curl", "python-requests"];

/** The browser or tool, by name; the full user agent goes in a tooltip. */
export function agentLabel(agent: string | null): string | null {
  if (!agent) return null;
  const found = AGENTS.find((name) => agent.includes(`${name}/`));
  if (found) return found === "Edg" ? "Edge" : found;
  return agent.split(/[\s/]/)[0] || agent;
}
