// Edit a stage: its basics, where its leads may go, what they need to enter it, and the tasks it
// creates. Saving sends a PATCH of what changed, with the version read.
import { useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import type { Config, Stage } from "../api/types";
import { useToast } from "../ui/toast";
import { isVersionConflict, useUpdateStage } from "./api";
import { sortedFields } from "./config";
import { hasErrors } from "./drafts";
import { errorMessage, Field, FormDialog, NO_PROBLEM, type FormProblem } from "./shared";
import { StageBasicsInputs } from "./StageBasicsInputs";
import {
  buildStagePatch,
  stageDraftFrom,
  stageErrorsFromServer,
  type StageDraft,
  type StageErrors,
} from "./stageForm";
import { NextStagesInputs, RequiredFieldsInputs } from "./StageRuleInputs";
import { TemplateListInputs } from "./TemplateInputs";

const CONFLICT =
  "Someone changed this stage while you were editing it. Close this form and open it again to " +
  "edit the latest version.";

export function EditStageDialog({
  stage,
  stages,
  config,
  onClose,
}: {
  stage: Stage;
  stages: Stage[];
  config: Config | undefined;
  onClose: () => void;
}) {
  const toast = useToast();
  const save = useUpdateStage();
  const [draft, setDraft] = useState<StageDraft>(() => stageDraftFrom(stage));
  const [errors, setErrors] = useState<StageErrors>({});
  const [problem, setProblem] = useState<FormProblem>(NO_PROBLEM);
  const fields = sortedFields(config?.variables);
  const isInitial = config?.initial_stage === stage.uid;
  const update = (changes: Partial<StageDraft>) => setDraft((current) => ({ ...current, ...changes }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const pipeline = stages.map((s) => s.uid);
    const built = buildStagePatch(stage, draft, pipeline, fields.map((f) => f.field_key));
    setErrors(built.errors);
    setProblem(NO_PROBLEM);
    if (hasErrors(built.errors)) return;
    if (built.patch === null) {
      onClose();
      return;
    }
    save.mutate(
      { uid: stage.uid, patch: built.patch },
      {
        onSuccess: (saved) => {
          toast(`Stage “${saved.name}” saved.`, "success");
          onClose();
        },
        onError: (error) => {
          if (isVersionConflict(error)) {
            setProblem({ message: CONFLICT, lines: [] });
            return;
          }
          const server = error instanceof ApiError ? stageErrorsFromServer(error.fields) : null;
          setErrors(server?.errors ?? {});
          setProblem({ message: errorMessage(error), lines: server?.rest ?? [] });
        },
      },
    );
  };

  return (
    <FormDialog
      title={`Edit stage: ${stage.name}`}
      onClose={onClose}
      onSubmit={submit}
      submitLabel="Save stage"
      busyLabel="Saving…"
      busy={save.isPending}
      problem={problem}
      className="stage-form"
      testId="stage-form"
    >
      <StageBasicsInputs draft={draft} errors={errors} update={update} kindLocked={isInitial} />
      <Field label="Description" error={errors.description} help="Shown to the team as a hint.">
        <textarea
          name="description"
          rows={2}
          maxLength={2000}
          value={draft.description}
          onChange={(event) => update({ description: event.target.value })}
        />
      </Field>
      <NextStagesInputs
        stage={stage}
        others={stages.filter((s) => s.uid !== stage.uid)}
        selected={draft.allowed_next_stages}
        error={errors.allowed_next_stages}
        onChange={(allowed_next_stages) => update({ allowed_next_stages })}
      />
      <RequiredFieldsInputs
        stage={stage}
        fields={fields}
        selected={draft.required_fields}
        error={errors.required_fields}
        onChange={(required_fields) => update({ required_fields })}
      />
      <TemplateListInputs
        stage={stage}
        templates={draft.task_templates}
        error={errors.task_templates}
        rowErrors={errors.templates}
        onChange={(task_templates) => update({ task_templates })}
      />
    </FormDialog>
  );
}
