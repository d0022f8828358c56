// /imports and /imports/:uid — the import wizard. Once a file is uploaded its uid is in the
// address, and the step shown comes from the import's status on the server: a reload (or the
// link sent to a colleague) lands on the same step, the progress bar included.
import { useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router-dom";
import { ApiError } from "../api/client";
import { useConfig } from "../app/queries";
import { ErrorBanner, Spinner } from "../ui/components";
import { DropZone } from "./DropZone";
import { importKeys, keptUpload, useImportState, useUploadImport } from "./api";
import { MappingStep } from "./MappingStep";
import { ProgressStep, SummaryStep } from "./RunStatus";
import type { ImportUpload } from "./types";
import { stepOf, targetGroups, uploadOf, type Step } from "./wizard";
import "./imports.css";

const STEPS: { key: Step | "upload"; label: string }[] = [
  { key: "upload", label: "Choose a file" },
  { key: "mapping", label: "Map and preview" },
  { key: "progress", label: "Import" },
  { key: "summary", label: "Summary" },
];

export function ImportPage() {
  const { uid } = useParams();
  return (
    <div className="page import-page">
      <div className="page-header">
        <h1>Import leads</h1>
      </div>
      {uid ? <ImportFlow uid={uid} /> : <UploadStep />}
    </div>
  );
}

function Stepper({ current }: { current: Step | "upload" }) {
  const at = STEPS.findIndex((step) => step.key === current);
  return (
    <ol className="import-steps" aria-label="Import steps">
      {STEPS.map((step, index) => (
        <li
          key={step.key}
          className={index < at ? "import-step-done" : index === at ? "import-step-current" : ""}
          aria-current={index === at ? "step" : undefined}
        >
          <span className="import-step-number" aria-hidden="true">
            {index < at ? "✓" : index + 1}
          </span>
          {step.label}
        </li>
      ))}
    </ol>
  );
}

function UploadStep() {
  const navigate = useNavigate();
  const upload = useUploadImport();
  return (
    <>
      <Stepper current="upload" />
      <div className="import-upload-layout">
        <DropZone
          busy={upload.isPending}
          error={upload.error}
          file={upload.variables ?? null}
          onFile={(file) =>
            upload.mutate(file, { onSuccess: (answer) => navigate(`/imports/${encodeURIComponent(answer.uid)}`) })
          }
        />
        <FileHelp />
      </div>
    </>
  );
}

/** The fields a file's columns can fill, so a sheet can be prepared before it is dropped. */
function FileHelp() {
  const config = useConfig();
  return (
    <aside className="panel import-help" aria-labelledby="file-help-title">
      <h2 id="file-help-title">What the columns can hold</h2>
      <p className="muted">
        Columns are matched to fields by their header (a field’s name or key); you can change each
        one on the next step.
      </p>
      {config.data
        ? targetGroups(config.data).map((group) => (
            <div key={group.label} className="import-help-group">
              <h3>{group.label}</h3>
              <p>{group.options.map((option) => option.label).join(" · ")}</p>
            </div>
          ))
        : null}
      <p className="muted">
        Stages go by name, people by username or email, and several tags or options by commas.
      </p>
    </aside>
  );
}

function ImportFlow({ uid }: { uid: string }) {
  const navigate = useNavigate();
  const cache = useQueryClient();
  const state = useImportState(uid);
  if (state.isPending) return <Spinner label="Loading the import" />;
  if (state.isError) {
    if (state.error instanceof ApiError && state.error.status === 404) {
      return <Gone>No import lives at this address.</Gone>;
    }
    return <ErrorBanner error={state.error} onRetry={() => void state.refetch()} />;
  }
  const step = stepOf(state.data);
  const kept = cache.getQueryData<ImportUpload>(importKeys.upload(uid)) ?? keptUpload(uid);
  return (
    <>
      <Stepper current={step} />
      {step === "progress" ? <ProgressStep state={state.data} /> : null}
      {step === "summary" ? <SummaryStep state={state.data} onAnother={() => navigate("/imports")} /> : null}
      {step === "mapping" ? <MappingStep key={uid} upload={uploadOf(state.data, kept)} /> : null}
    </>
  );
}

function Gone({ children }: { children: string }) {
  return (
    <div className="banner banner-info" role="status">
      <span>
        {children} <Link to="/imports">Upload the file again</Link>.
      </span>
    </div>
  );
}
