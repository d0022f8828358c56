// Step 1: a CSV or XLSX file, dropped on the zone or picked with the file dialog. The server
// judges the file (type, size, header); its refusal is shown here and nothing is kept.
import { useId, useState, type DragEvent } from "react";
import { ACCEPTED_FILES, formatSize, MAX_UPLOAD_MB, uploadErrorText } from "./wizard";

export function DropZone({
  onFile,
  busy,
  error,
  file,
}: {
  onFile: (file: File) => void;
  busy: boolean;
  error: unknown;
  /** The file being (or last) uploaded. */
  file: File | null;
}) {
  const [over, setOver] = useState(false);
  const hintId = useId();
  const errorId = useId();

  const take = (files: FileList | null) => {
    const chosen = files?.[0];
    if (chosen && !busy) onFile(chosen);
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    take(event.dataTransfer.files);
  };

  return (
    <section className="panel import-upload" aria-label="Choose a file">
      <div
        className={`import-drop${over ? " import-drop-over" : ""}${busy ? " import-drop-busy" : ""}`}
        data-testid="import-drop-zone"
        onDragOver={(event) => {
          event.preventDefault();
          event.dataTransfer.dropEffect = busy ? "none" : "copy";
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <span className="import-drop-icon" aria-hidden="true">
          ⇪
        </span>
        <strong>Drop a CSV or Excel (.xlsx) file here</strong>
        <span className="muted" id={hintId}>
          One lead per row, with a header row naming the columns. Up to {MAX_UPLOAD_MB} MB.
        </span>
        <label className={`btn btn-primary${busy ? " import-btn-busy" : ""}`}>
          {busy ? "Uploading…" : "Choose a file"}
          <input
            type="file"
            className="import-hidden"
            accept={ACCEPTED_FILES}
            disabled={busy}
            data-testid="import-file"
            aria-describedby={`${hintId}${error ? ` ${errorId}` : ""}`}
            onChange={(event) => {
              take(event.target.files);
              // Picking the same file again after a refusal must upload it again.
              event.target.value = "";
            }}
          />
        </label>
        {file ? (
          <span className="muted" data-testid="import-file-name">
            {file.name} · {formatSize(file.size)}
          </span>
        ) : null}
      </div>
      {error ? (
        <div className="banner banner-error" role="alert" id={errorId} data-testid="import-upload-error">
          {uploadErrorText(error)}
        </div>
      ) : null}
    </section>
  );
}
