// Add a stage at the end of the pipeline; where its leads may go is set by editing it after.
import { useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import type { Stage } from "../api/types";
import { useToast } from "../ui/toast";
import { useCreateStage } from "./api";
import { hasErrors } from "./drafts";
import { errorMessage, FormDialog, NO_PROBLEM, type FormProblem } from "./shared";
import { StageBasicsInputs } from "./StageBasicsInputs";
import {
  buildStageCreate,
  DEFAULT_PROBABILITY,
  newStageDraft,
  stageErrorsFromServer,
  type StageDraft,
  type StageErrors,
} from "./stageForm";

const PALETTE = ["#2563eb", "#0891b2", "#7c3aed", "#db2777", "#ea580c", "#ca8a04", "#16a34a", "#64748b"];

function unusedColor(stages: readonly Stage[]): string {
  const used = new Set(stages.map((stage) => stage.color.toLowerCase()));
  return PALETTE.find((color) => !used.has(color)) ?? PALETTE[0] ?? "#2563eb";
}

export function AddStageDialog({ stages, onClose }: { stages: Stage[]; onClose: () => void }) {
  const toast = useToast();
  const create = useCreateStage();
  const [draft, setDraft] = useState<StageDraft>(() => newStageDraft(unusedColor(stages)));
  const [probabilityTouched, setProbabilityTouched] = useState(false);
  const [errors, setErrors] = useState<StageErrors>({});
  const [problem, setProblem] = useState<FormProblem>(NO_PROBLEM);

  const update = (changes: Partial<StageDraft>) => {
    if (changes.probability !== undefined) setProbabilityTouched(true);
    setDraft((current) => {
      const next = { ...current, ...changes };
      // Until the admin types a probability, it follows the kind (won 100, lost 0).
      if (changes.kind && !probabilityTouched && changes.probability === undefined) {
        next.probability = String(DEFAULT_PROBABILITY[changes.kind]);
      }
      return next;
    });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const built = buildStageCreate(draft);
    setErrors(built.errors);
    setProblem(NO_PROBLEM);
    if (hasErrors(built.errors)) return;
    create.mutate(built.body, {
      onSuccess: (stage) => {
        toast(
          `Stage “${stage.name}” added at the end. Edit it to choose where its leads may go next.`,
          "success",
        );
        onClose();
      },
      onError: (error) => {
        const server = error instanceof ApiError ? stageErrorsFromServer(error.fields) : null;
        setErrors(server?.errors ?? {});
        setProblem({ message: errorMessage(error), lines: server?.rest ?? [] });
      },
    });
  };

  return (
    <FormDialog
      title="Add a stage"
      onClose={onClose}
      onSubmit={submit}
      submitLabel="Add stage"
      busyLabel="Adding…"
      busy={create.isPending}
      problem={problem}
      className="stage-form stage-form-small"
      testId="stage-form"
    >
      <StageBasicsInputs draft={draft} errors={errors} update={update} />
      <p className="muted form-note">
        The stage is added at the end of the pipeline. Then edit it to set where its leads may
        move next, the fields they need to enter it and the tasks it creates.
      </p>
    </FormDialog>
  );
}
