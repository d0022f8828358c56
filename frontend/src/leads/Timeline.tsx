// The lead's activity timeline (newest first, paged) and the form to log a note, call, email or
// meeting.
import { useState, type FormEvent, type ReactNode } from "react";
import { errorText, type Schemas } from "../api/client";
import type { Activity, FieldDefinition, Lead, Stage } from "../api/types";
import { formatDateTime } from "../app/queries";
import { fromLocalInput } from "../fields";
import { ErrorBanner, Spinner } from "../ui/components";
import { useToast } from "../ui/toast";
import { logActivity, useActivities, useRefreshLead } from "./api";
import { ActivityIcon } from "./icons";
import { changedFieldLabel } from "./logic";
import { StageBadge, timeAgo, useUserLookup, type UserLookup } from "./ui";

type LoggedType = Schemas["TypeEnum"];

const TYPE_LABELS: Record<LoggedType, string> = {
  note: "Note",
  call: "Call",
  email: "Email",
  meeting: "Meeting",
};

const OUTCOMES: Record<LoggedType, string[]> = {
  note: [],
  call: ["Connected", "Left voicemail", "No answer", "Call back later"],
  email: ["Sent", "Replied"],
  meeting: ["Held", "No-show", "Rescheduled"],
};

const BODY_PLACEHOLDERS: Record<LoggedType, string> = {
  note: "What should the team know?",
  call: "What was discussed?",
  email: "Subject and gist of the email",
  meeting: "Who attended, what was agreed",
};

export function Timeline({
  lead,
  stages,
  definitions,
  canWrite,
}: {
  lead: Lead;
  stages: Stage[];
  definitions: FieldDefinition[];
  canWrite: boolean;
}) {
  const activities = useActivities(lead.uid);
  const lookup = useUserLookup();
  const items = activities.data?.pages.flatMap((page) => page.results) ?? [];
  const total = activities.data?.pages[0]?.total ?? lead.activity_count;

  return (
    <section className="panel lead-panel" aria-labelledby="activity-title">
      <header className="panel-header">
        <h2 id="activity-title">
          Activity <span className="count">{total}</span>
        </h2>
      </header>
      {canWrite ? <ActivityForm lead={lead} /> : null}
      {activities.isPending ? <Spinner label="Loading the timeline" /> : null}
      {activities.isError ? <ErrorBanner error={activities.error} onRetry={() => void activities.refetch()} /> : null}
      <ol className="timeline" data-testid="timeline">
        {items.map((activity) => (
          <ActivityItem
            key={activity.uid}
            activity={activity}
            lead={lead}
            stages={stages}
            definitions={definitions}
            lookup={lookup}
          />
        ))}
      </ol>
      {activities.hasNextPage ? (
        <div className="timeline-more">
          <button
            type="button"
            className="btn btn-small"
            onClick={() => void activities.fetchNextPage()}
            disabled={activities.isFetchingNextPage}
            data-testid="load-older"
          >
            {activities.isFetchingNextPage ? "Loading…" : "Load older"}
          </button>
          <span className="muted">
            {items.length} of {total}
          </span>
        </div>
      ) : null}
    </section>
  );
}

function ActivityItem({
  activity,
  lead,
  stages,
  definitions,
  lookup,
}: {
  activity: Activity;
  lead: Lead;
  stages: Stage[];
  definitions: FieldDefinition[];
  lookup: UserLookup;
}) {
  const who = <strong>{lookup.name(activity.actor)}</strong>;
  const details = activity.details ?? {};
  const stageOf = (uid: unknown) => stages.find((stage) => stage.uid === uid);
  let title: ReactNode;
  let body: string | null = activity.body || null;
  const meta: string[] = [];

  switch (activity.type) {
    case "note":
      title = <>{who} added a note</>;
      break;
    case "call":
    case "email":
    case "meeting":
      title = (
        <>
          {who} logged {activity.type === "email" ? "an" : "a"} {activity.type}
        </>
      );
      if (activity.outcome) meta.push(activity.outcome);
      if (activity.duration_minutes) meta.push(`${activity.duration_minutes} min`);
      break;
    case "stage_change":
      title = (
        <>
          {who} moved it from <StageBadge stage={stageOf(details.from_stage)} fallback={String(details.from_stage ?? "?")} />{" "}
          to <StageBadge stage={stageOf(details.to_stage)} fallback={String(details.to_stage ?? "?")} />
        </>
      );
      body = typeof details.note === "string" && details.note ? details.note : null;
      if (Array.isArray(details.fields) && details.fields.length > 0) {
        meta.push(`set ${details.fields.map((field) => changedFieldLabel(String(field), definitions)).join(", ")}`);
      }
      break;
    case "task": {
      const task = (lead.tasks ?? []).find((candidate) => candidate.uid === details.task_uid);
      const event = typeof details.event === "string" ? details.event : "updated";
      title = task ? (
        <>
          {who} {event} the task “{task.title}”
        </>
      ) : (
        <>
          {who} · {activity.body || `${event} a task`}
        </>
      );
      body = null;
      break;
    }
    case "field_change": {
      const fields = Array.isArray(details.fields) ? details.fields.map((field) => changedFieldLabel(String(field), definitions)) : [];
      title = (
        <>
          {who} changed {fields.length ? fields.join(", ") : "the lead"}
        </>
      );
      body = null;
      break;
    }
    case "assignment": {
      const before = Array.isArray(details.old) ? details.old.map(String) : [];
      const after = Array.isArray(details.new) ? details.new.map(String) : [];
      const added = after.filter((uid) => !before.includes(uid)).map((uid) => lookup.name(uid));
      const removed = before.filter((uid) => !after.includes(uid)).map((uid) => lookup.name(uid));
      const parts = [
        added.length ? `assigned ${added.join(", ")}` : null,
        removed.length ? `unassigned ${removed.join(", ")}` : null,
      ].filter(Boolean);
      title = (
        <>
          {who} {parts.length ? parts.join(" and ") : "changed the assignees"}
        </>
      );
      body = null;
      break;
    }
    default:
      title =
        details.event === "created" ? (
          <>
            {who} created the lead in <StageBadge stage={stageOf(details.stage)} fallback={String(details.stage ?? "?")} />
          </>
        ) : (
          <>{activity.body || "System event"}</>
        );
      body = null;
  }

  const when = activity.occurred_at ?? activity.created_at ?? null;
  return (
    <li className={`timeline-item timeline-${activity.type}`} data-testid={`activity-${activity.uid}`}>
      <ActivityIcon type={activity.type} />
      <div className="timeline-content">
        <div className="timeline-title">
          <span>{title}</span>
          <time dateTime={when ?? undefined} title={formatDateTime(when)} className="muted timeline-time">
            {timeAgo(when)}
          </time>
        </div>
        {meta.length > 0 ? <div className="timeline-meta">{meta.join(" · ")}</div> : null}
        {body ? <div className="timeline-body">{body}</div> : null}
      </div>
    </li>
  );
}

function ActivityForm({ lead }: { lead: Lead }) {
  const toast = useToast();
  const refresh = useRefreshLead(lead.uid);
  const [type, setType] = useState<LoggedType>("note");
  const [body, setBody] = useState("");
  const [outcome, setOutcome] = useState("");
  const [duration, setDuration] = useState("");
  const [when, setWhen] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const timed = type === "call" || type === "meeting";

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const text = body.trim();
    if (type === "note" && !text) {
      setError("Write the note first.");
      return;
    }
    let minutes: number | null = null;
    if (timed && duration.trim()) {
      minutes = Number(duration);
      if (!Number.isInteger(minutes) || minutes < 0 || minutes > 1440) {
        setError("Duration must be a whole number of minutes between 0 and 1440.");
        return;
      }
    }
    setSaving(true);
    setError(null);
    try {
      await logActivity(lead.uid, {
        type,
        body: text,
        outcome: outcome.trim() || null,
        duration_minutes: minutes,
        occurred_at: when ? fromLocalInput(when) : null,
      });
      setBody("");
      setOutcome("");
      setDuration("");
      setWhen("");
      refresh(null);
      toast(`${TYPE_LABELS[type]} logged.`, "success");
    } catch (caught) {
      setError(errorText(caught, "The activity could not be logged."));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="activity-form" onSubmit={(event) => void submit(event)} noValidate data-testid="activity-form">
      <div className="segmented" role="radiogroup" aria-label="Activity type">
        {(Object.keys(TYPE_LABELS) as LoggedType[]).map((option) => (
          <button
            key={option}
            type="button"
            role="radio"
            aria-checked={type === option}
            className={type === option ? "segment active" : "segment"}
            onClick={() => {
              setType(option);
              setError(null);
            }}
            data-testid={`activity-type-${option}`}
          >
            <ActivityIcon type={option} />
            {TYPE_LABELS[option]}
          </button>
        ))}
      </div>
      <textarea
        aria-label={`${TYPE_LABELS[type]} text`}
        rows={3}
        value={body}
        maxLength={10_000}
        placeholder={BODY_PLACEHOLDERS[type]}
        onChange={(event) => {
          setBody(event.target.value);
          setError(null);
        }}
        data-testid="activity-body"
      />
      {type !== "note" ? (
        <div className="activity-extra">
          <label className="field">
            <span className="field-label">Outcome</span>
            <input
              value={outcome}
              maxLength={200}
              list={`outcomes-${type}`}
              onChange={(event) => setOutcome(event.target.value)}
              placeholder={OUTCOMES[type][0]}
              data-testid="activity-outcome"
            />
            <datalist id={`outcomes-${type}`}>
              {OUTCOMES[type].map((option) => (
                <option key={option} value={option} />
              ))}
            </datalist>
          </label>
          {timed ? (
            <label className="field">
              <span className="field-label">Minutes</span>
              <input
                type="number"
                min={0}
                max={1440}
                step={1}
                value={duration}
                onChange={(event) => setDuration(event.target.value)}
                data-testid="activity-duration"
              />
            </label>
          ) : null}
          <label className="field">
            <span className="field-label">When</span>
            <input type="datetime-local" value={when} onChange={(event) => setWhen(event.target.value)} />
          </label>
        </div>
      ) : null}
      {error ? (
        <div className="field-error" role="alert">
          {error}
        </div>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={saving} data-testid="log-activity">
          {saving ? "Logging…" : `Log ${TYPE_LABELS[type].toLowerCase()}`}
        </button>
      </div>
    </form>
  );
}
