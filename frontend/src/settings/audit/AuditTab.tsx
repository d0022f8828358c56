// The audit log (admins only): who changed the pipeline, the config or the team, and who
// signed in or tried to, from where. Newest first; "Load more" reads older pages.
import { useState } from "react";
import type { AuditEntry } from "../../api/types";
import { formatDateTime } from "../../app/queries";
import { EmptyState, ErrorBanner, Spinner } from "../../ui/components";
import { SettingsSection } from "../shared";
import { useAuditLog } from "./api";
import { AUDIT_KINDS, actionLabel, actorLabel, agentLabel, changeLines, isWarning, type AuditKind } from "./format";
import "./audit.css";

export function AuditTab() {
  const [kind, setKind] = useState<AuditKind | "">("");
  const log = useAuditLog(kind);
  const entries = log.data?.pages.flatMap((page) => page.results) ?? [];

  return (
    <SettingsSection
      titleId="audit-title"
      title="Audit log"
      intro="Changes to stages, the config, users, webhooks and automation rules, and every sign-in, newest first. Kept for a year."
      action={
        <label className="audit-filter">
          <span className="field-label">Show</span>
          <select
            value={kind}
            onChange={(event) => setKind(event.target.value as AuditKind | "")}
            data-testid="audit-kind"
          >
            <option value="">Everything</option>
            {AUDIT_KINDS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
      }
    >
      {log.isPending ? (
        <Spinner label="Loading the audit log" />
      ) : log.isError && entries.length === 0 ? (
        <ErrorBanner error={log.error} onRetry={() => void log.refetch()} />
      ) : entries.length === 0 ? (
        <EmptyState title="Nothing recorded yet">Changes and sign-ins show here as they happen.</EmptyState>
      ) : (
        <>
          <table className="table settings-table audit-table" data-testid="audit-table">
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>What</th>
                <th>Target</th>
                <th>From where</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <AuditRow key={entry.uid} entry={entry} />
              ))}
            </tbody>
          </table>
          {log.isFetchNextPageError ? <ErrorBanner error={log.error} onRetry={() => void log.fetchNextPage()} /> : null}
          {log.hasNextPage ? (
            <div className="audit-more">
              <button
                type="button"
                className="btn"
                onClick={() => void log.fetchNextPage()}
                disabled={log.isFetchingNextPage}
                data-testid="audit-load-more"
              >
                {log.isFetchingNextPage ? "Loading…" : "Load more"}
              </button>
            </div>
          ) : null}
        </>
      )}
    </SettingsSection>
  );
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  const who = actorLabel(entry);
  const changes = changeLines(entry);
  const agent = agentLabel(entry.user_agent);
  return (
    <tr data-testid="audit-row" data-action={entry.action}>
      <td className="audit-when">
        <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
      </td>
      <td>
        <div className="audit-who">{who.name}</div>
        {who.note ? <div className="muted audit-small">{who.note}</div> : null}
      </td>
      <td>
        <span className={`badge ${isWarning(entry.action) ? "badge-lost" : "badge-open"}`}>{actionLabel(entry.action)}</span>
        {entry.repeats > 1 ? <span className="muted audit-small"> ×{entry.repeats}</span> : null}
        <div className="audit-summary">{entry.summary}</div>
        {changes.length ? (
          <ul className="audit-changes">
            {changes.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        ) : null}
      </td>
      <td className="audit-target">{entry.target ?? "—"}</td>
      <td>
        <div>{entry.address ?? "—"}</div>
        {agent ? (
          <div className="muted audit-small" title={entry.user_agent ?? undefined}>
            {agent}
          </div>
        ) : null}
      </td>
    </tr>
  );
}
