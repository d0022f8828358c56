// One action of a rule: its kind, then the inputs that kind takes. A set-field action uses the
// same field input as the lead form, for the field picked.
import { FieldInput } from "../../fields";
import { Field } from "../shared";
import type { RuleChoices } from "./choices";
import { ACTION_CHOICES, type ActionDraft, type ActionErrors, type ActionKind, withField } from "./ruleForm";
import { UserPicker } from "./UserPicker";

export function ActionEditor({
  action,
  index,
  count,
  choices,
  errors = {},
  onChange,
  onMove,
  onRemove,
}: {
  action: ActionDraft;
  index: number;
  count: number;
  choices: RuleChoices;
  errors?: ActionErrors;
  onChange: (action: ActionDraft) => void;
  onMove: (step: -1 | 1) => void;
  onRemove: () => void;
}) {
  const change = (changes: Partial<ActionDraft>) => onChange({ ...action, ...changes });
  const name = `action-${index}`;
  return (
    <li className="rule-action" data-testid={name}>
      <div className="rule-action-head">
        <span className="rule-action-number">{index === 0 ? "Then" : "and"}</span>
        <select
          aria-label={`Action ${index + 1}`}
          name={`${name}-kind`}
          value={action.kind}
          onChange={(event) => change({ kind: event.target.value as ActionKind })}
        >
          {ACTION_CHOICES.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
        <div className="rule-action-tools">
          <button type="button" className="btn-icon" aria-label="Move up" disabled={index === 0} onClick={() => onMove(-1)}>
            ↑
          </button>
          <button type="button" className="btn-icon" aria-label="Move down" disabled={index === count - 1} onClick={() => onMove(1)}>
            ↓
          </button>
          <button type="button" className="btn-icon btn-icon-danger" aria-label="Remove action" disabled={count === 1} onClick={onRemove}>
            ×
          </button>
        </div>
      </div>
      {errors.kind ? <span className="field-error">{errors.kind}</span> : null}
      <div className="rule-action-body">
        <ActionInputs action={action} name={name} choices={choices} errors={errors} change={change} />
      </div>
    </li>
  );
}

function ActionInputs({
  action,
  name,
  choices,
  errors,
  change,
}: {
  action: ActionDraft;
  name: string;
  choices: RuleChoices;
  errors: ActionErrors;
  change: (changes: Partial<ActionDraft>) => void;
}) {
  switch (action.kind) {
    case "assign":
      return (
        <Field
          label="Users"
          group
          error={errors.users}
          help={action.users.length > 1 ? "Several: each new lead goes to the next one in turn, in the order ticked." : undefined}
        >
          <UserPicker users={choices.users} picked={action.users} onChange={(users) => change({ users })} errors={errors.byUser} name={name} />
        </Field>
      );
    case "add_task":
      return (
        <div className="rule-task-inputs">
          <Field label="Task title" error={errors.title} required className="rule-grow">
            <input name={`${name}-title`} value={action.title} maxLength={200} onChange={(event) => change({ title: event.target.value })} />
          </Field>
          <Field label="Due in (days)" error={errors.due_in_days} help="Empty: no due date">
            <input
              name={`${name}-due`}
              type="number"
              min={0}
              max={365}
              step={1}
              value={action.dueInDays}
              onChange={(event) => change({ dueInDays: event.target.value })}
            />
          </Field>
          <label className="choice rule-required">
            <input type="checkbox" name={`${name}-required`} checked={action.required} onChange={(event) => change({ required: event.target.checked })} />
            Required to move on
          </label>
        </div>
      );
    case "set_field": {
      const definition = choices.definitions.find((candidate) => candidate.field_key === action.field);
      return (
        <div className="rule-field-inputs">
          <Field label="Field" error={errors.field} required>
            <select name={`${name}-field`} value={action.field} onChange={(event) => change(withField(action, event.target.value, choices.definitions))}>
              <option value="">Pick a field…</option>
              {choices.definitions.map((candidate) => (
                <option key={candidate.field_key} value={candidate.field_key}>
                  {candidate.label}
                </option>
              ))}
            </select>
          </Field>
          {definition ? (
            <FieldInput
              // The value a rule sets may be blank (it clears the field): never required here.
              definition={{ ...definition, required: false, label: "Value" }}
              value={action.value}
              onChange={(value) => change({ value })}
              error={errors.value ?? null}
              id={`${name}-value`}
            />
          ) : errors.value ? (
            <span className="field-error">{errors.value}</span>
          ) : null}
        </div>
      );
    }
    case "add_tag":
      return (
        <Field label="Tag" error={errors.tag} required>
          <input name={`${name}-tag`} value={action.tag} maxLength={40} onChange={(event) => change({ tag: event.target.value })} />
        </Field>
      );
    case "send_webhook":
      return (
        <Field label="Webhook" error={errors.webhook} required help="The event goes to it whatever events it subscribes to.">
          <select name={`${name}-webhook`} value={action.webhook} onChange={(event) => change({ webhook: event.target.value })}>
            <option value="">{choices.webhooks.length ? "Pick a webhook…" : "No webhooks: add one under Integrations"}</option>
            {choices.webhooks.map((webhook) => (
              <option key={webhook.uid} value={webhook.uid}>
                {webhook.description ? `${webhook.description} — ${webhook.url}` : webhook.url}
              </option>
            ))}
          </select>
        </Field>
      );
  }
}
