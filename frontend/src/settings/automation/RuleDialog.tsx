// Add or edit a rule: its name, on or off, the trigger, and up to ten actions run in order.
// The server checks what it names; its refusals show at the input each path names.
import { useState, type FormEvent } from "react";
import { ApiError } from "../../api/client";
import { useToast } from "../../ui/toast";
import { CheckboxChoice } from "../controls";
import { errorMessage, Field, FormDialog, type FormProblem, NO_PROBLEM } from "../shared";
import { ActionEditor } from "./ActionEditor";
import { type Rule, useCreateRule, useUpdateRule } from "./api";
import type { RuleChoices } from "./choices";
import {
  draftOf,
  emptyRule,
  errorsFromServer,
  hasErrors,
  MAX_ACTIONS,
  moved,
  newAction,
  NO_ERRORS,
  ruleBody,
  rulePatch,
  type ActionDraft,
  type RuleDraft,
  type RuleErrors,
} from "./ruleForm";
import { TriggerInputs } from "./TriggerInputs";

export function RuleDialog({ rule, choices, onClose }: { rule: Rule | null; choices: RuleChoices; onClose: () => void }) {
  const toast = useToast();
  const create = useCreateRule();
  const update = useUpdateRule();
  const [draft, setDraft] = useState<RuleDraft>(() => (rule ? draftOf(rule, choices.definitions) : emptyRule()));
  const [errors, setErrors] = useState<RuleErrors>(NO_ERRORS);
  const [problem, setProblem] = useState<FormProblem>(NO_PROBLEM);
  // "Check the marked inputs." says nothing once every marked input has been edited.
  const [problemIsTheMarks, setProblemIsTheMarks] = useState(false);
  const shownProblem = problemIsTheMarks && !hasErrors(errors) ? NO_PROBLEM : problem;
  // An input changed since the refusal no longer shows the server's word on it.
  const forget = (cleared: Partial<RuleErrors>) => setErrors((current) => ({ ...current, ...cleared }));
  const change = (changes: Partial<RuleDraft>) => setDraft((current) => ({ ...current, ...changes }));
  const setActions = (update: (actions: ActionDraft[]) => ActionDraft[]) =>
    setDraft((current) => ({ ...current, actions: update(current.actions) }));
  // Moving or removing an action renumbers the others: their errors' indexes no longer fit.
  const reorder = (update: (actions: ActionDraft[]) => ActionDraft[]) => {
    setActions(update);
    forget({ action: {}, actions: undefined });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setErrors(NO_ERRORS);
    setProblem(NO_PROBLEM);
    const sent = draft;
    const refused = (error: Error) => {
      const placed = error instanceof ApiError ? errorsFromServer(error.fields, sent) : NO_ERRORS;
      setErrors(placed);
      // The message sums the paths up; it shows on top only when an input does not say it.
      const onInputs = hasErrors(placed) && placed.lines.length === 0;
      setProblem({ message: onInputs ? "Check the marked inputs." : errorMessage(error), lines: placed.lines });
      setProblemIsTheMarks(onInputs);
    };
    const done = (text: string) => () => {
      toast(text, "success");
      onClose();
    };
    if (rule) {
      update.mutate(
        { uid: rule.uid, patch: rulePatch(rule, draft, choices.definitions) },
        { onSuccess: done("Rule saved."), onError: refused },
      );
    } else {
      create.mutate(ruleBody(draft, choices.definitions), { onSuccess: done("Rule added."), onError: refused });
    }
  };

  return (
    <FormDialog
      title={rule ? "Edit rule" : "Add a rule"}
      onClose={onClose}
      onSubmit={submit}
      submitLabel={rule ? "Save rule" : "Add rule"}
      busyLabel="Saving…"
      busy={create.isPending || update.isPending}
      problem={shownProblem}
      className="rule-form"
      testId="rule-form"
    >
      <div className="rule-name-row">
        <Field label="Name" error={errors.name} required className="rule-grow">
          <input name="name" value={draft.name} maxLength={120} onChange={(event) => {
              change({ name: event.target.value });
              forget({ name: undefined });
            }} placeholder="Call back new contacts" />
        </Field>
        <CheckboxChoice checked={draft.active} onChange={(active) => change({ active })} name="active" className="choice rule-active">
          Active
        </CheckboxChoice>
      </div>
      <TriggerInputs
        trigger={draft.trigger}
        stages={choices.stages}
        errors={errors}
        onChange={(trigger) => {
          change({ trigger });
          forget({ trigger: undefined, triggerStage: undefined, triggerTitle: undefined });
        }}
      />
      <ol className="rule-actions" aria-label="Actions">
        {draft.actions.map((action, index) => (
          <ActionEditor
            key={action.key}
            action={action}
            index={index}
            count={draft.actions.length}
            choices={choices}
            errors={errors.action[index]}
            onChange={(next) => {
              setActions((actions) => actions.map((other, at) => (at === index ? next : other)));
              forget({ action: { ...errors.action, [index]: {} } });
            }}
            onMove={(step) => reorder((actions) => moved(actions, index, step))}
            onRemove={() => reorder((actions) => actions.filter((_, at) => at !== index))}
          />
        ))}
      </ol>
      {errors.actions ? <span className="field-error">{errors.actions}</span> : null}
      <button
        type="button"
        className="btn btn-small"
        disabled={draft.actions.length >= MAX_ACTIONS}
        onClick={() => {
          setActions((actions) => [...actions, newAction()]);
          forget({ actions: undefined });
        }}
        data-testid="add-action"
      >
        + Add an action
      </button>
      {draft.actions.length >= MAX_ACTIONS ? <span className="muted rule-limit"> Ten actions at most.</span> : null}
    </FormDialog>
  );
}
