// When a rule runs: a lead is created, enters a stage (picked), or has a task completed (of a
// stage, or any; with a title, or any).
import { Field } from "../shared";
import type { RuleChoices } from "./choices";
import { TRIGGER_CHOICES, type RuleErrors, type TriggerDraft, type TriggerKind } from "./ruleForm";

export function TriggerInputs({
  trigger,
  stages,
  errors,
  onChange,
}: {
  trigger: TriggerDraft;
  stages: RuleChoices["stages"];
  errors: RuleErrors;
  onChange: (trigger: TriggerDraft) => void;
}) {
  const change = (changes: Partial<TriggerDraft>) => onChange({ ...trigger, ...changes });
  const stageOptions = stages.map((stage) => (
    <option key={stage.uid} value={stage.uid}>
      {stage.name}
      {stage.kind !== "open" ? ` (${stage.kind})` : ""}
    </option>
  ));
  return (
    <div className="rule-trigger" data-testid="rule-trigger">
      <Field label="When" error={errors.trigger}>
        <select
          name="trigger-kind"
          value={trigger.kind}
          // A stage picked for one trigger is not carried to the other: "any" means something else.
          onChange={(event) => onChange({ kind: event.target.value as TriggerKind, stage: "", title: "" })}
        >
          {TRIGGER_CHOICES.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      </Field>
      {trigger.kind === "stage_entered" ? (
        <Field label="Stage" error={errors.triggerStage} required>
          <select name="trigger-stage" value={trigger.stage} onChange={(event) => change({ stage: event.target.value })}>
            <option value="">Pick a stage…</option>
            {stageOptions}
          </select>
        </Field>
      ) : null}
      {trigger.kind === "task_completed" ? (
        <>
          <Field label="Of the stage" error={errors.triggerStage}>
            <select name="trigger-stage" value={trigger.stage} onChange={(event) => change({ stage: event.target.value })}>
              <option value="">Any stage</option>
              {stageOptions}
            </select>
          </Field>
          <Field label="Titled" error={errors.triggerTitle} help="Empty: any task. Case does not matter.">
            <input name="trigger-title" value={trigger.title} maxLength={200} onChange={(event) => change({ title: event.target.value })} />
          </Field>
        </>
      ) : null}
    </div>
  );
}
