// The period, assignee and source of every report, kept in the URL (shareable, kept on reload).
import { useEffect, useState } from "react";
import { useUserLookup } from "../leads/ui";
import { PERIODS, type PeriodPreset, type ReportFilters } from "./shaping";

interface Props {
  filters: ReportFilters & { period: PeriodPreset };
  onChange: (changes: Record<string, string | null>) => void;
}

export function ReportFiltersBar({ filters, onChange }: Props) {
  const lookup = useUserLookup();
  const [source, setSource] = useState(filters.source);
  useEffect(() => setSource(filters.source), [filters.source]);
  useEffect(() => {
    if (source.trim() === filters.source) return undefined;
    const timer = window.setTimeout(() => onChange({ source: source.trim() || null }), 400);
    return () => window.clearTimeout(timer);
    // Only new text restarts the pause.
  }, [source]);

  return (
    <div className="toolbar report-filters" role="search" aria-label="Report filters">
      <label className="report-filter">
        <span>Period</span>
        <select
          value={filters.period}
          data-testid="report-period"
          onChange={(event) => {
            const period = event.target.value as PeriodPreset;
            // Custom dates start from the period shown, so the dates are there to adjust.
            onChange(
              period === "custom"
                ? { period, from: filters.from || null, to: filters.to || null }
                : { period, from: null, to: null },
            );
          }}
        >
          {PERIODS.map((period) => (
            <option key={period.value} value={period.value}>
              {period.label}
            </option>
          ))}
        </select>
      </label>
      {filters.period === "custom" ? (
        <>
          <label className="report-filter">
            <span>From</span>
            <input
              type="date"
              value={filters.from}
              max={filters.to || undefined}
              onChange={(event) => onChange({ from: event.target.value || null })}
            />
          </label>
          <label className="report-filter">
            <span>To</span>
            <input
              type="date"
              value={filters.to}
              min={filters.from || undefined}
              onChange={(event) => onChange({ to: event.target.value || null })}
            />
          </label>
        </>
      ) : (
        <span className="muted report-dates" data-testid="report-dates">
          {filters.from ? `${filters.from} – ${filters.to}` : "Every date"}
        </span>
      )}
      <label className="report-filter">
        <span>Assignee</span>
        <select
          value={filters.assigned_to}
          data-testid="report-assignee"
          onChange={(event) => onChange({ assigned_to: event.target.value || null })}
        >
          <option value="">Anyone</option>
          <option value="me">Mine</option>
          {lookup.users.map((user) => (
            <option key={user.uid} value={user.uid}>
              {user.display_name || user.username}
            </option>
          ))}
        </select>
      </label>
      <label className="report-filter">
        <span>Source</span>
        <input
          type="search"
          placeholder="Any source"
          value={source}
          data-testid="report-source"
          onChange={(event) => setSource(event.target.value)}
        />
      </label>
    </div>
  );
}
