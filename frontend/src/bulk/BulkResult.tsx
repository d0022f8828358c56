// The answer of a bulk action: how many leads it changed, and each refused one with the server's
// reason, as a single refused move is told.
import { Link } from "react-router-dom";
import { summaryLine, type BulkAction, type BulkSummary } from "./selection";

export function BulkResult({ action, summary }: { action: BulkAction; summary: BulkSummary }) {
  return (
    <div className="bulk-result" data-testid="bulk-result" role="status">
      <p className={summary.failed.length > 0 ? "bulk-result-line has-failures" : "bulk-result-line"}>
        {summaryLine(action, summary)}
      </p>
      {summary.failed.length > 0 ? (
        <ul className="bulk-refusals" data-testid="bulk-refusals">
          {summary.failed.map((refusal) => (
            <li key={refusal.uid}>
              {action === "delete" ? <strong>{refusal.name}</strong> : <Link to={`/leads/${refusal.uid}`}>{refusal.name}</Link>}
              : {refusal.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
