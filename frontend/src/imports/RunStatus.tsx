// Steps 4 and 5: the run's progress, followed from the server every second (so a reload, or
// another tab, shows the same bar), then what it did, with the failed rows to download.
import { Link } from "react-router-dom";
import { errorsCsvUrl } from "./api";
import { Counts } from "./PreviewPanel";
import type { ImportState } from "./types";
import { percentDone } from "./wizard";

export function ProgressBar({ state }: { state: ImportState }) {
  const percent = percentDone(state);
  const known = state.total > 0;
  return (
    <div className="import-progress">
      <div className="import-progress-label">
        <span id="import-progress-label">{state.status === "queued" ? "Waiting for a worker…" : "Importing…"}</span>
        <span className="muted" data-testid="import-progress-text">
          {known
            ? `${state.processed.toLocaleString("en-US")} of ${state.total.toLocaleString("en-US")} rows · ${percent}%`
            : "Counting the rows"}
        </span>
      </div>
      <div
        className="import-progress-track"
        role="progressbar"
        aria-labelledby="import-progress-label"
        aria-valuemin={0}
        aria-valuemax={known ? state.total : undefined}
        aria-valuenow={known ? state.processed : undefined}
        aria-valuetext={known ? `${state.processed} of ${state.total} rows` : "Starting"}
        data-testid="import-progress"
      >
        <div className="import-progress-fill" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}

export function ProgressStep({ state }: { state: ImportState }) {
  return (
    <section className="panel import-run" aria-labelledby="run-title">
      <RunHead id="run-title" title="Importing the leads" state={state} />
      <ProgressBar state={state} />
      <RunCounts state={state} />
      <p className="muted">
        The import runs on the server: you can leave this page and come back to it at this address.
      </p>
    </section>
  );
}

function RunHead({ id, title, state }: { id: string; title: string; state: ImportState }) {
  return (
    <div className="import-run-head">
      <h2 id={id}>{title}</h2>
      <p className="muted" data-testid="import-file-line">
        {state.file_name} · {state.total.toLocaleString("en-US")} {state.total === 1 ? "row" : "rows"}
      </p>
    </div>
  );
}

function RunCounts({ state }: { state: ImportState }) {
  return (
    <Counts
      testId="run-count"
      items={[
        { key: "created", label: "Created", value: state.created, tone: "success" },
        { key: "updated", label: "Updated", value: state.updated },
        { key: "skipped", label: "Skipped", value: state.skipped },
        { key: "failed", label: "Failed", value: state.failed, tone: state.failed ? "danger" : undefined },
      ]}
    />
  );
}

export function SummaryStep({ state, onAnother }: { state: ImportState; onAnother: () => void }) {
  const failedRun = state.status === "failed";
  return (
    <section className="panel import-run" aria-labelledby="summary-title" data-testid="import-summary">
      <RunHead id="summary-title" title={failedRun ? "The import stopped" : "Import finished"} state={state} />
      {failedRun ? (
        <div className="banner banner-error" role="alert">
          The import stopped after {state.processed.toLocaleString("en-US")} of{" "}
          {state.total.toLocaleString("en-US")} rows{state.error ? `: ${state.error}` : "."}
        </div>
      ) : null}
      <RunCounts state={state} />
      <div className="import-summary-actions">
        {state.failed > 0 ? (
          <a className="btn" href={errorsCsvUrl(state.uid)} download data-testid="import-errors-csv">
            Download the {state.failed.toLocaleString("en-US")} failed {state.failed === 1 ? "row" : "rows"} (CSV)
          </a>
        ) : null}
        <Link className="btn btn-primary" to="/leads" data-testid="import-leads-link">
          See the leads
        </Link>
        <button type="button" className="btn btn-ghost" onClick={onAnother}>
          Import another file
        </button>
      </div>
      {state.failed > 0 ? (
        <p className="muted">
          The download holds the failed rows as they were, with a column saying what is wrong. Fix
          them and import that file.
        </p>
      ) : null}
    </section>
  );
}
