// One report on the page: its title, CSV download, chart, and the same numbers as a table
// (read by screen readers; shown on request).
import { useId, useState, type ReactNode } from "react";
import { ErrorBanner, Spinner } from "../ui/components";

interface Props {
  title: string;
  description: string;
  csv: string;
  query: { isPending: boolean; isError: boolean; error: unknown; refetch: () => unknown };
  empty: boolean;
  chart: ReactNode;
  table: ReactNode;
  testId: string;
  wide?: boolean;
}

export function ReportCard({ title, description, csv, query, empty, chart, table, testId, wide }: Props) {
  const [showTable, setShowTable] = useState(false);
  const headingId = useId();
  return (
    <section
      className={`report-card${wide ? " report-card-wide" : ""}`}
      aria-labelledby={headingId}
      data-testid={testId}
    >
      <header className="report-card-header">
        <div>
          <h2 id={headingId}>{title}</h2>
          <p className="muted report-description">{description}</p>
        </div>
        <div className="report-actions">
          <button
            type="button"
            className="btn btn-ghost btn-small"
            aria-expanded={showTable}
            onClick={() => setShowTable((shown) => !shown)}
          >
            {showTable ? "Hide table" : "Show table"}
          </button>
          <a className="btn btn-ghost btn-small" href={csv} download data-testid={`${testId}-csv`}>
            Download CSV
          </a>
        </div>
      </header>
      {query.isError ? <ErrorBanner error={query.error} onRetry={() => void query.refetch()} /> : null}
      {query.isPending ? <Spinner label={`Loading ${title.toLowerCase()}`} /> : null}
      {!query.isPending && !query.isError && empty ? (
        <p className="muted report-empty">Nothing in this period.</p>
      ) : null}
      {!query.isPending && !query.isError && !empty ? chart : null}
      <div className={showTable ? "report-table" : "sr-only"}>{table}</div>
    </section>
  );
}
