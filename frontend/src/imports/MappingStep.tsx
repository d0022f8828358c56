// Steps 2 and 3: map the columns, choose how rows meet stored leads, preview, run. The Run
// button only runs the plan that was previewed: a change after the preview asks for another.
import { useEffect, useReducer, useRef } from "react";
import { ApiError, errorText } from "../api/client";
import { useAuth } from "../app/auth";
import { useConfig, useStages, useUsers } from "../app/queries";
import { ErrorBanner, Spinner } from "../ui/components";
import { usePreviewImport, useRunImport } from "./api";
import { ImportSettings } from "./ImportSettings";
import { MappingTable } from "./MappingTable";
import { PreviewPanel } from "./PreviewPanel";
import type { ImportPreview, ImportUpload } from "./types";
import { importedColumns, initialPlan, optionsOf, planReducer, sameOptions, targetGroups } from "./wizard";

export function MappingStep({ upload }: { upload: ImportUpload }) {
  const { user } = useAuth();
  const config = useConfig();
  const stages = useStages();
  const users = useUsers();
  const [plan, dispatch] = useReducer(planReducer, upload, initialPlan);
  const preview = usePreviewImport(upload.uid);
  const run = useRunImport(upload.uid);
  const runButton = useRef<HTMLButtonElement>(null);
  // A fresh preview lands below the settings: bring its counts and the Run button into view.
  useEffect(() => {
    if (preview.data) runButton.current?.scrollIntoView?.({ block: "nearest", behavior: "smooth" });
  }, [preview.data]);

  // A failed refetch keeps the fields already loaded on screen.
  if (config.isError && !config.data) {
    return <ErrorBanner error={config.error} onRetry={() => void config.refetch()} />;
  }
  if (stages.isError && !stages.data) {
    return <ErrorBanner error={stages.error} onRetry={() => void stages.refetch()} />;
  }
  if (!config.data || !stages.data) return <Spinner label="Loading the fields" />;

  const options = optionsOf(plan);
  const previewed = preview.isSuccess && sameOptions(preview.variables, options) ? preview.data : null;
  const stalePreview = preview.isSuccess && !previewed;
  const nothingMapped = importedColumns(plan) === 0;
  // What the server refused in the plan, shown where it was chosen while the plan is unchanged.
  const refused = preview.error instanceof ApiError && sameOptions(preview.variables ?? null, options);
  const fieldErrors = refused && preview.error instanceof ApiError ? preview.error.fields : {};

  return (
    <div className="import-mapping">
      <section className="panel import-mapping-main" aria-labelledby="mapping-title">
        <div className="import-section-head">
          <h2 id="mapping-title">Map the columns</h2>
          <span className="muted">
            {importedColumns(plan)} of {upload.columns.length} columns imported
          </span>
          <button
            type="button"
            className="btn btn-small btn-ghost"
            onClick={() => dispatch({ type: "reset", upload })}
          >
            Back to the suggestions
          </button>
        </div>
        <MappingTable
          upload={upload}
          plan={plan}
          groups={targetGroups(config.data)}
          fieldErrors={fieldErrors}
          onTarget={(column, target) => dispatch({ type: "target", column, target })}
        />
      </section>
      <aside className="panel import-side" aria-labelledby="settings-title">
        <h2 id="settings-title">Matching and defaults</h2>
        <ImportSettings
          plan={plan}
          dispatch={dispatch}
          stages={stages.data}
          users={users.data ?? []}
          me={user}
          initialStageUid={config.data.initial_stage}
          fieldErrors={fieldErrors}
        />
        <button
          type="button"
          className="btn btn-block"
          data-testid="import-preview-button"
          disabled={preview.isPending || nothingMapped}
          onClick={() => preview.mutate(options)}
        >
          {preview.isPending ? "Checking every row…" : previewed ? "Preview again" : "Preview"}
        </button>
        {nothingMapped ? <p className="field-help">Map at least one column to preview.</p> : null}
        {preview.isError ? (
          <div className="banner banner-error" role="alert">
            {errorText(preview.error)}
          </div>
        ) : null}
        {stalePreview ? (
          <div className="banner banner-info" role="status">
            The mapping changed since the preview: preview again before importing.
          </div>
        ) : null}
        <div aria-live="polite">{previewed ? <PreviewPanel preview={previewed} /> : null}</div>
        {run.isError ? (
          <div className="banner banner-error" role="alert">
            {errorText(run.error)}
          </div>
        ) : null}
        <button
          ref={runButton}
          type="button"
          className="btn btn-primary btn-block"
          data-testid="import-run"
          disabled={!previewed || run.isPending || nothingToDo(previewed)}
          onClick={() => run.mutate(options)}
        >
          {run.isPending ? "Starting…" : runLabel(previewed)}
        </button>
      </aside>
    </div>
  );
}

/** A preview of the whole file that finds no row to create or update. */
function nothingToDo(preview: ImportPreview): boolean {
  return preview.complete && preview.would_create + preview.would_update === 0;
}

function runLabel(preview: ImportPreview | null): string {
  if (!preview?.complete) return "Import";
  const rows = preview.would_create + preview.would_update;
  return `Import ${rows.toLocaleString("en-US")} ${rows === 1 ? "row" : "rows"}`;
}
