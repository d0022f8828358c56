// A rule's latest runs, newest first: when, on which lead, how it went, and each action's result.
import { Link } from "react-router-dom";
import { EmptyState, ErrorBanner, Spinner } from "../../ui/components";
import { momentLabel } from "../integrations/format";
import { type Run, RUNS_SHOWN, useRuns } from "./api";
import { ACTION_CHOICES } from "./ruleForm";

const STATUS: Record<Run["status"], { label: string; tone: string }> = {
  ok: { label: "Done", tone: "ok" },
  failed: { label: "Failed", tone: "bad" },
  skipped: { label: "Skipped", tone: "off" },
  running: { label: "Running", tone: "wait" },
};

const ACTION_STATUS: Record<Run["actions"][number]["status"], string> = {
  ok: "done",
  failed: "failed",
  skipped: "skipped",
  pending: "not run",
};

function actionLabel(kind: string): string {
  return ACTION_CHOICES.find((choice) => choice.value === kind)?.label ?? kind;
}

export function RunsPanel({ uid }: { uid: string }) {
  const runs = useRuns(uid);
  const list = runs.data?.results ?? [];
  return (
    <div className="rule-runs" data-testid="rule-runs">
      <h3>Latest runs</h3>
      {runs.isPending ? (
        <Spinner label="Loading runs" />
      ) : runs.isError && list.length === 0 ? (
        <ErrorBanner error={runs.error} onRetry={() => void runs.refetch()} />
      ) : list.length === 0 ? (
        <EmptyState title="No runs yet">The rule runs on the events after it was added or switched on.</EmptyState>
      ) : (
        <table className="table rule-runs-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Lead</th>
              <th>Result</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.map((run) => (
              <tr key={run.id} data-testid="run-row" data-status={run.status}>
                <td className="numeric">
                  <time dateTime={run.at}>{momentLabel(run.at)}</time>
                </td>
                <td>
                  <Link to={`/leads/${run.lead}`} className="mono">
                    {run.lead}
                  </Link>
                </td>
                <td>
                  <span className={`tone tone-${STATUS[run.status].tone}`}>{STATUS[run.status].label}</span>
                  {run.error ? <div className="rule-run-error">{run.error}</div> : null}
                </td>
                <td>
                  <ul className="rule-run-actions">
                    {run.actions.map((action, index) => (
                      <li key={index} className={`run-action-${action.status}`}>
                        {actionLabel(action.kind)}: {ACTION_STATUS[action.status]}
                        {action.message ? ` — ${action.message}` : ""}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.length >= RUNS_SHOWN ? <p className="muted rule-runs-more">The latest {RUNS_SHOWN} runs.</p> : null}
    </div>
  );
}
