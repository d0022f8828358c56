// What happened to the lead's fields and stages: every field change old -> new, every stage
// visit with how long it lasted.
import { useState } from "react";
import type { FieldChangeEntry, FieldDefinition, StageVisit } from "../api/types";
import { formatFieldValue } from "../fields";
import { EmptyState } from "../ui/components";
import { changedFieldLabel, formatDuration } from "./logic";
import { StageBadge, TimeAgo, useUserLookup, type LeadPageData, type UserLookup } from "./ui";

type Entry = StageVisit | FieldChangeEntry;

const SHOWN_AT_FIRST = 12;

function entryTime(entry: Entry): number {
  return Date.parse(entry.kind === "stage_visit" ? entry.entered_at : entry.at);
}

function formatChangeValue(
  field: string,
  value: unknown,
  definitions: FieldDefinition[],
  lookup: UserLookup,
): string {
  if (value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) {
    return "—";
  }
  if (field.startsWith("data.")) {
    const definition = definitions.find((candidate) => candidate.field_key === field.slice(5));
    if (definition) return formatFieldValue(definition, value);
  }
  if (field === "assigned_to" && Array.isArray(value)) return value.map((uid) => lookup.name(String(uid))).join(", ");
  if (Array.isArray(value)) return value.map(String).join(", ");
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

export function HistoryPanel({ lead, stages, definitions }: LeadPageData) {
  const lookup = useUserLookup();
  const [showAll, setShowAll] = useState(false);
  const entries = [...(lead.history ?? [])].sort((a, b) => entryTime(b) - entryTime(a));
  const shown = showAll ? entries : entries.slice(0, SHOWN_AT_FIRST);

  return (
    <section className="panel lead-panel" aria-labelledby="history-title" data-testid="history">
      <h2 id="history-title">History</h2>
      {entries.length === 0 ? <EmptyState title="No history yet" /> : null}
      <ol className="history">
        {shown.map((entry, index) =>
          entry.kind === "stage_visit" ? (
            <li key={`visit-${entry.entered_at}-${index}`} className="history-item">
              <div className="history-head">
                <span>
                  Entered <StageBadge
                    stage={stages.find((stage) => stage.uid === entry.stage)}
                    fallback={entry.name ?? entry.stage}
                  />
                </span>
                <TimeAgo at={entry.entered_at} />
              </div>
              <div className="history-sub muted">
                by {lookup.name(entry.entered_by)} ·{" "}
                {entry.exited_at
                  ? `stayed ${formatDuration(entry.duration_seconds)}`
                  : `here for ${formatDuration((Date.now() - Date.parse(entry.entered_at)) / 1000)}`}
              </div>
            </li>
          ) : (
            <li key={`change-${entry.at}-${index}`} className="history-item">
              <div className="history-head">
                <span>
                  <strong>{lookup.name(entry.by, entry.by_name)}</strong> changed
                </span>
                <TimeAgo at={entry.at} />
              </div>
              <ul className="history-changes">
                {entry.changes.map((change) => (
                  <li key={change.field}>
                    <span className="history-field">{changedFieldLabel(change.field, definitions)}</span>{" "}
                    <span className="history-old">{formatChangeValue(change.field, change.old, definitions, lookup)}</span>
                    <span className="history-arrow" aria-label="to">
                      →
                    </span>
                    <span className="history-new">{formatChangeValue(change.field, change.new, definitions, lookup)}</span>
                  </li>
                ))}
              </ul>
            </li>
          ),
        )}
      </ol>
      {entries.length > SHOWN_AT_FIRST ? (
        <button type="button" className="btn-link" onClick={() => setShowAll((value) => !value)}>
          {showAll ? "Show fewer" : `Show all ${entries.length} entries`}
        </button>
      ) : null}
    </section>
  );
}
