// The mapping table: each column of the file, a few of its values, and where they go. The
// selects start at the server's suggestions; what the server refuses in a mapping (a field
// filled by two columns, ...) comes back from the preview on `mapping.<column>`, shown on its row.
import type { ImportTarget, ImportUpload } from "./types";
import { samplesOf, type Plan, type TargetGroup } from "./wizard";

const SKIP = "";

export function MappingTable({
  upload,
  plan,
  groups,
  fieldErrors,
  onTarget,
}: {
  upload: ImportUpload;
  plan: Plan;
  groups: TargetGroup[];
  fieldErrors: Record<string, string[]>;
  onTarget: (column: string, target: ImportTarget) => void;
}) {
  const known = new Set(groups.flatMap((group) => group.options.map((o) => o.value)));
  return (
    <table className="table mapping-table" data-testid="mapping-table">
      <caption className="import-hidden">Columns of the file and where each one is imported</caption>
      <thead>
        <tr>
          <th scope="col">Column in the file</th>
          <th scope="col">Sample values</th>
          <th scope="col">Import as</th>
        </tr>
      </thead>
      <tbody>
        {upload.columns.map((column, index) => {
          const target = plan.mapping[column] ?? null;
          const problems = fieldErrors[`mapping.${column}`] ?? [];
          const samples = samplesOf(upload, column);
          return (
            <tr key={column} data-testid={`mapping-row-${index}`} className={target ? "" : "mapping-skipped"}>
              <th scope="row" className="mapping-column">
                {column || <span className="muted">(no name)</span>}
              </th>
              <td className="mapping-samples">
                {samples.length ? (
                  samples.map((value, i) => (
                    <span key={i} className="mapping-sample" title={value}>
                      {value}
                    </span>
                  ))
                ) : (
                  <span className="muted">empty</span>
                )}
              </td>
              <td className="mapping-target">
                <select
                  aria-label={`Import column ${column || index + 1} as`}
                  aria-invalid={problems.length > 0 || undefined}
                  data-testid={`mapping-target-${index}`}
                  value={target ?? SKIP}
                  onChange={(event) => onTarget(column, event.target.value === SKIP ? null : event.target.value)}
                >
                  <option value={SKIP}>Don’t import</option>
                  {target && !known.has(target) ? <option value={target}>{target}</option> : null}
                  {groups.map((group) => (
                    <optgroup key={group.label} label={group.label}>
                      {group.options.map((option) => (
                        <option key={option.value} value={option.value}>
                          {option.label}
                        </option>
                      ))}
                    </optgroup>
                  ))}
                </select>
                {problems.map((problem) => (
                  <div key={problem} className="field-error">
                    {problem}
                  </div>
                ))}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
