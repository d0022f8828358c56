// What the import would do, as the server counted it for the plan on screen: rows it would
// create, update, skip or refuse, and the first refusals (row, column, reason).
import type { ImportPreview } from "./types";

export function Counts({
  items,
  testId,
}: {
  items: { key: string; label: string; value: number; tone?: "danger" | "success" }[];
  testId: string;
}) {
  return (
    <dl className="import-counts" data-testid={testId}>
      {items.map((item) => (
        <div key={item.key} className={`import-count${item.tone ? ` import-count-${item.tone}` : ""}`}>
          <dt>{item.label}</dt>
          <dd data-testid={`${testId}-${item.key}`}>{item.value.toLocaleString("en-US")}</dd>
        </div>
      ))}
    </dl>
  );
}

export function PreviewPanel({ preview }: { preview: ImportPreview }) {
  const shown = preview.errors.length;
  const failing = preview.would_fail;
  return (
    <div className="import-preview" data-testid="import-preview">
      <h3>The import would</h3>
      <Counts
        testId="preview-count"
        items={[
          { key: "create", label: "Create", value: preview.would_create, tone: "success" },
          { key: "update", label: "Update", value: preview.would_update },
          { key: "skip", label: "Skip", value: preview.would_skip },
          { key: "error", label: "Fail", value: failing, tone: failing ? "danger" : undefined },
        ]}
      />
      {preview.complete ? null : (
        <p className="field-help" data-testid="preview-partial">
          Counted on the first {preview.rows_checked.toLocaleString("en-US")} of{" "}
          {preview.total.toLocaleString("en-US")} rows; the run checks every row the same way.
        </p>
      )}
      {shown ? (
        <>
          <h3>First errors</h3>
          <div className="import-errors-scroll">
            <table className="table import-errors" data-testid="preview-errors">
              <thead>
                <tr>
                  <th scope="col">Row</th>
                  <th scope="col">Column</th>
                  <th scope="col">Problem</th>
                </tr>
              </thead>
              <tbody>
                {preview.errors.map((error, index) => (
                  <tr key={`${error.row}-${error.column ?? ""}-${index}`}>
                    <td>{error.row}</td>
                    <td>{error.column || <span className="muted">—</span>}</td>
                    <td>{error.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="field-help">
            Rows with errors are not imported. After the run, download them with their errors, fix
            them and import that file.
          </p>
        </>
      ) : (
        <p className="muted">Every row passes.</p>
      )}
    </div>
  );
}
