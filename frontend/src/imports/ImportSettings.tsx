// How rows meet the leads already stored (match on a field; skip, update or create a match),
// and the stage and assignee a row gets when its file does not say.
import type { Stage, User } from "../api/types";
import type { MatchOn, OnMatch } from "./types";
import { NOBODY, type Plan, type PlanAction } from "./wizard";

const MATCH_ON: { value: MatchOn; label: string }[] = [
  { value: "email", label: "Email" },
  { value: "phone", label: "Phone" },
  { value: "uid", label: "Lead ID" },
  { value: "none", label: "Nothing (all new)" },
];

const ON_MATCH: { value: OnMatch; label: string }[] = [
  { value: "skip", label: "Skip the row" },
  { value: "update", label: "Update the lead" },
  { value: "create", label: "Create a new one" },
];

export function ImportSettings({
  plan,
  dispatch,
  stages,
  users,
  me,
  initialStageUid,
  fieldErrors,
}: {
  /** The server's refusals of the preview, by option (`match_on`, `stage`, `assigned_to`). */
  fieldErrors: Record<string, string[]>;
  me: User;
  initialStageUid: string | null;
  plan: Plan;
  dispatch: (action: PlanAction) => void;
  stages: Stage[];
  users: User[];
}) {
  const openStages = stages.filter((stage) => stage.kind === "open");
  const initialStage = stages.find((stage) => stage.uid === initialStageUid)?.name;
  return (
    <div className="import-settings">
      <fieldset className="import-fieldset">
        <legend className="field-label">Match rows to existing leads on</legend>
        <div className="choices">
          {MATCH_ON.map((option) => (
            <label key={option.value} className="choice">
              <input
                type="radio"
                name="match_on"
                value={option.value}
                checked={plan.matchOn === option.value}
                onChange={() => dispatch({ type: "matchOn", value: option.value })}
              />
              {option.label}
            </label>
          ))}
        </div>
        <Problems messages={fieldErrors.match_on} />
      </fieldset>
      <fieldset className="import-fieldset" disabled={plan.matchOn === "none"}>
        <legend className="field-label">When a row matches a lead</legend>
        <div className="choices">
          {ON_MATCH.map((option) => (
            <label key={option.value} className="choice">
              <input
                type="radio"
                name="on_match"
                value={option.value}
                checked={plan.onMatch === option.value}
                onChange={() => dispatch({ type: "onMatch", value: option.value })}
              />
              {option.label}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="import-defaults">
        <label className="field">
          <span className="field-label">Stage of new leads</span>
          <select
            value={plan.stage}
            data-testid="import-stage"
            onChange={(event) => dispatch({ type: "stage", value: event.target.value })}
          >
            <option value="">{initialStage ? `${initialStage} (first)` : "The first stage"}</option>
            {openStages.map((stage) => (
              <option key={stage.uid} value={stage.uid}>
                {stage.name}
              </option>
            ))}
          </select>
          <span className="field-help">Unless the row’s Stage column names one.</span>
          <Problems messages={fieldErrors.stage} />
        </label>
        <label className="field">
          <span className="field-label">Assign new leads to</span>
          <select
            value={plan.assignee}
            data-testid="import-assignee"
            onChange={(event) => dispatch({ type: "assignee", value: event.target.value })}
          >
            <option value="">Me ({me.display_name || me.username})</option>
            <option value={NOBODY}>Nobody</option>
            {users
              .filter((user) => user.is_active && user.uid !== me.uid)
              .map((user) => (
                <option key={user.uid} value={user.uid}>
                  {user.display_name || user.username}
                </option>
              ))}
          </select>
          <span className="field-help">Unless the row’s Assignees column names someone.</span>
          <Problems messages={fieldErrors.assigned_to} />
        </label>
      </div>
    </div>
  );
}

function Problems({ messages }: { messages: string[] | undefined }) {
  if (!messages?.length) return null;
  return (
    <span className="field-error" role="alert">
      {messages.join(" ")}
    </span>
  );
}
