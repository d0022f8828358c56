// The lead's activity timeline, newest first and paged, with the form to log one on top.
import type { ReactNode } from "react";
import type { Activity } from "../api/types";
import { ErrorBanner, Spinner } from "../ui/components";
import { ActivityForm } from "./ActivityForm";
import { useActivities } from "./api";
import { ActivityIcon } from "./icons";
import { changedFieldLabel } from "./logic";
import { StageBadge, TimeAgo, useUserLookup, type LeadPageData, type UserLookup } from "./ui";

export function Timeline({
  lead,
  stages,
  definitions,
  canWrite,
}: LeadPageData & { canWrite: boolean }) {
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
}: LeadPageData & { activity: Activity; lookup: UserLookup }) {
  const who = <strong>{lookup.name(activity.actor, activity.actor_name)}</strong>;
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
          <TimeAgo at={when} className="muted timeline-time" />
        </div>
        {meta.length > 0 ? <div className="timeline-meta">{meta.join(" · ")}</div> : null}
        {body ? <div className="timeline-body">{body}</div> : null}
      </div>
    </li>
  );
}
