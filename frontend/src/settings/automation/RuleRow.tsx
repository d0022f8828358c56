// One rule as the server words it, on or off, with how its runs went: how many, how many
// failed, the last run, the last error; its runs open below.
import { useState } from "react";
import { Link } from "react-router-dom";
import { useToast } from "../../ui/toast";
import { momentLabel } from "../integrations/format";
import { errorMessage } from "../shared";
import { type Rule, useUpdateRule } from "./api";
import { RunsPanel } from "./RunsPanel";

export function RuleRow({ rule, onEdit, onDelete }: { rule: Rule; onEdit: () => void; onDelete: () => void }) {
  const toast = useToast();
  const update = useUpdateRule();
  const [open, setOpen] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const { stats } = rule;
  const setActive = (active: boolean) => {
    setProblem(null);
    update.mutate(
      { uid: rule.uid, patch: { active, version: rule.version } },
      {
        onSuccess: () => toast(active ? `“${rule.name}” is on.` : `“${rule.name}” is off.`, "success"),
        onError: (error) => setProblem(errorMessage(error)),
      },
    );
  };
  return (
    <article className={`rule-card${rule.active ? "" : " rule-off"}`} data-testid="rule-card" data-uid={rule.uid}>
      <div className="rule-head">
        <div className="rule-main">
          <div className="rule-sentence" data-testid="rule-sentence">
            {rule.sentence}
          </div>
          <div className="rule-meta muted">
            <span className="rule-name">{rule.name}</span>
            <span data-testid="rule-stats">
              {stats.runs} {stats.runs === 1 ? "run" : "runs"} ·{" "}
              <span className={stats.failures ? "tone-text-bad" : undefined}>
                {stats.failures} {stats.failures === 1 ? "failure" : "failures"}
              </span>{" "}
              · last run {stats.last_run_at ? momentLabel(stats.last_run_at) : "never"}
            </span>
          </div>
        </div>
        <div className="rule-actions-bar">
          <label className="choice rule-toggle">
            <input
              type="checkbox"
              checked={rule.active}
              disabled={update.isPending}
              onChange={(event) => setActive(event.target.checked)}
              aria-label={`${rule.name} active`}
              data-testid="rule-active"
            />
            {rule.active ? "On" : "Off"}
          </label>
          <button type="button" className="btn btn-small btn-ghost" onClick={() => setOpen(!open)} aria-expanded={open} data-testid="toggle-runs">
            {open ? "Hide runs" : "Runs"}
          </button>
          <button type="button" className="btn btn-small" onClick={onEdit} data-testid="edit-rule">
            Edit
          </button>
          <button type="button" className="btn btn-small btn-ghost btn-danger-ghost" onClick={onDelete} data-testid="delete-rule">
            Delete
          </button>
        </div>
      </div>
      {stats.last_error ? (
        <div className="banner banner-error rule-last-error" data-testid="rule-last-error">
          <span>
            Last error, {momentLabel(stats.last_error.at)}
            {stats.last_error.lead ? (
              <>
                {" "}
                on <Link to={`/leads/${stats.last_error.lead}`}>{stats.last_error.lead}</Link>
              </>
            ) : null}
            : {stats.last_error.message}
          </span>
        </div>
      ) : null}
      {problem ? (
        <div className="banner banner-error" role="alert">
          <span>{problem}</span>
        </div>
      ) : null}
      {open ? <RunsPanel uid={rule.uid} /> : null}
    </article>
  );
}
