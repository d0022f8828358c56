// Small pieces shared by the lead screens: stage and status badges, people, tags, core fields.
import { useMemo, useState, type CSSProperties, type KeyboardEvent } from "react";
import type { FieldDefinition, Lead, Stage, User } from "../api/types";
import { formatDateTime, initials, useUsers } from "../app/queries";
import { STATUS_LABELS } from "../app/statuses";
import { Avatar } from "../ui/components";
import { CORE_LABELS, MAX_TAG_LENGTH, type CoreKey, type CoreValues } from "./logic";

/** What the lead page hands its panels: the lead, the pipeline and the custom fields. */
export interface LeadPageData {
  lead: Lead;
  stages: Stage[];
  definitions: FieldDefinition[];
}

/** A style that sets CSS custom properties, which React's CSSProperties does not list. */
type CssVariables = CSSProperties & { [name: `--${string}`]: string };

/** The `--stage-color` the stage dots and buttons are drawn in (grey for an unknown stage). */
export function stageColorStyle(color: string | undefined): CssVariables {
  return { "--stage-color": color ?? "#94a3b8" };
}

export function StageBadge({ stage, fallback }: { stage: Stage | undefined; fallback?: string }) {
  return (
    <span className="stage-badge" style={stageColorStyle(stage?.color)}>
      <span className="stage-dot" aria-hidden="true" />
      {stage?.name ?? fallback ?? "Unknown stage"}
    </span>
  );
}

export function StatusBadge({ status }: { status: Lead["status"] }) {
  const tone = status === "won" ? "badge-won" : status === "lost" ? "badge-lost" : status === "open" ? "badge-open" : "";
  return (
    <span className={`badge ${tone}`} data-testid="lead-status">
      {STATUS_LABELS[status]}
    </span>
  );
}

export interface UserLookup {
  users: User[];
  byUid: Map<string, User>;
  /** `ruleName`: the name the API gives with a rule's change (`by_name`, `actor_name`). */
  name: (uid: string | null | undefined, ruleName?: string | null) => string;
}

/** The team, and a way to name anyone by uid (people who left show as "Former user"). */
export function useUserLookup(): UserLookup {
  const users = useUsers();
  return useMemo(() => {
    const list = users.data ?? [];
    const byUid = new Map(list.map((user) => [user.uid, user]));
    return {
      users: list,
      byUid,
      name: (uid, ruleName) => {
        if (!uid) return "System";
        // Automation rules act as `rule:<uid>` (leads/domain/automation.py); only admins may read rules.
        if (uid.startsWith("rule:")) return ruleName ? `Rule “${ruleName}”` : "Automation rule";
        const user = byUid.get(uid);
        if (user) return user.display_name || user.username;
        return users.isPending ? "…" : "Former user";
      },
    };
  }, [users.data, users.isPending]);
}

export function PersonAvatar({ uid, lookup }: { uid: string; lookup: UserLookup }) {
  const user = lookup.byUid.get(uid);
  return <Avatar label={user ? initials(user) : "?"} title={lookup.name(uid)} />;
}

export function AvatarStack({ uids, lookup, max = 3 }: { uids: string[]; lookup: UserLookup; max?: number }) {
  if (uids.length === 0) return <span className="muted">—</span>;
  const shown = uids.slice(0, max);
  return (
    <span className="avatar-stack" title={uids.map((uid) => lookup.name(uid)).join(", ")}>
      {shown.map((uid) => (
        <PersonAvatar key={uid} uid={uid} lookup={lookup} />
      ))}
      {uids.length > max ? <span className="avatar avatar-more">+{uids.length - max}</span> : null}
    </span>
  );
}

/** "just now", "5 min ago", "3 h ago", "2 days ago", then the date. */
export function timeAgo(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return "—";
  const seconds = Math.round((now.getTime() - Date.parse(iso)) / 1000);
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days < 7) return days === 1 ? "yesterday" : `${days} days ago`;
  return formatDate(iso);
}

/** When something happened, as `timeAgo` says it, with the full date and time on hover. */
export function TimeAgo({ at, className = "muted" }: { at: string | null; className?: string }) {
  return (
    <time className={className} dateTime={at ?? undefined} title={formatDateTime(at)}>
      {timeAgo(at)}
    </time>
  );
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });
}

export function TagsInput({
  id,
  tags,
  onChange,
  invalid,
  describedBy,
}: {
  id: string;
  tags: string[];
  onChange: (tags: string[]) => void;
  invalid?: boolean;
  describedBy?: string;
}) {
  const [draft, setDraft] = useState("");
  const commit = (text: string) => {
    const additions = text
      .split(",")
      .map((tag) => tag.trim())
      .filter((tag) => tag && !tags.includes(tag));
    if (additions.length > 0) onChange([...tags, ...additions]);
    setDraft("");
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter" || event.key === ",") {
      event.preventDefault();
      commit(draft);
    } else if (event.key === "Backspace" && draft === "" && tags.length > 0) {
      onChange(tags.slice(0, -1));
    }
  };
  return (
    <div className={`tags-input${invalid ? " tags-input-invalid" : ""}`}>
      {tags.map((tag) => (
        <span className="tag-chip" key={tag}>
          {tag}
          <button
            type="button"
            aria-label={`Remove tag ${tag}`}
            onClick={() => onChange(tags.filter((other) => other !== tag))}
          >
            ×
          </button>
        </span>
      ))}
      <input
        id={id}
        value={draft}
        maxLength={MAX_TAG_LENGTH}
        placeholder={tags.length ? "" : "Add a tag and press Enter"}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        onChange={(event) => {
          // A pasted "a, b, c" becomes three tags at once.
          if (event.target.value.includes(",")) commit(event.target.value);
          else setDraft(event.target.value);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => commit(draft)}
      />
    </div>
  );
}

const CORE_INPUTS: Record<Exclude<CoreKey, "tags">, { type: string; placeholder: string; autoComplete: string }> = {
  name: { type: "text", placeholder: "Ada Lovelace", autoComplete: "off" },
  company: { type: "text", placeholder: "Analytical Engines Ltd", autoComplete: "off" },
  email: { type: "email", placeholder: "ada@example.com", autoComplete: "off" },
  phone: { type: "tel", placeholder: "+44 20 7946 0000", autoComplete: "off" },
  source: { type: "text", placeholder: "Website, Referral, Trade show…", autoComplete: "off" },
};

/** One core field of a lead (name, email ...), laid out like a FieldInput. */
export function CoreField({
  name,
  values,
  onChange,
  error,
  idPrefix,
  withPlaceholder = true,
}: {
  name: CoreKey;
  values: CoreValues;
  onChange: (name: CoreKey, value: string | string[]) => void;
  error?: string;
  idPrefix: string;
  /** Examples help an empty form; on a saved lead they would read like stored values. */
  withPlaceholder?: boolean;
}) {
  const id = `${idPrefix}-${name}`;
  const errorId = `${id}-error`;
  return (
    <div className={`field${error ? " field-invalid" : ""}`} data-testid={`field-${name}`}>
      <label htmlFor={id} className={`field-label${name === "name" ? " field-required" : ""}`}>
        {CORE_LABELS[name]}
      </label>
      {name === "tags" ? (
        <TagsInput
          id={id}
          tags={values.tags}
          onChange={(tags) => onChange("tags", tags)}
          invalid={Boolean(error)}
          describedBy={error ? errorId : undefined}
        />
      ) : (
        <input
          id={id}
          name={name}
          type={CORE_INPUTS[name].type}
          autoComplete={CORE_INPUTS[name].autoComplete}
          placeholder={withPlaceholder ? CORE_INPUTS[name].placeholder : undefined}
          value={values[name]}
          aria-invalid={error ? true : undefined}
          aria-required={name === "name" || undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(event) => onChange(name, event.target.value)}
        />
      )}
      {error ? (
        <span className="field-error" id={errorId} role="alert" data-testid={`field-error-${name}`}>
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** Moves focus to the first field with a message, in page order. */
export function focusFirstError(errors: Record<string, string>) {
  const keys = Object.keys(errors);
  if (keys.length === 0) return;
  window.requestAnimationFrame(() => {
    const wrappers = keys
      .map((key) => document.querySelector<HTMLElement>(`[data-testid="field-${key.replace(/^data\./, "")}"]`))
      .filter((element): element is HTMLElement => element !== null)
      .sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    const first = wrappers[0];
    if (!first) return;
    // Centred, so the sticky top bar never hides the field's label and message.
    first.scrollIntoView?.({ block: "center" });
    first.querySelector<HTMLElement>("input, select, textarea")?.focus({ preventScroll: true });
  });
}

/** The next open task's due date, marked when overdue (the server's flag). */
export function DueCell({ due, overdue }: { due: string | null; overdue: boolean }) {
  if (!due) return <span className="muted">—</span>;
  return (
    <span className={overdue ? "due-overdue" : undefined} data-overdue={overdue ? "true" : "false"}>
      {overdue ? "Overdue · " : ""}
      {formatDate(due)}
    </span>
  );
}
