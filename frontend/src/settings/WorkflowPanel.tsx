// The workflow settings: its name, the stage new leads start in, the field the board adds up,
// and whether the field list is locked.
import { useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import type { Config, Stage } from "../api/types";
import { ErrorBanner } from "../ui/components";
import { useToast } from "../ui/toast";
import { useUpdateConfig } from "./api";
import { ChoiceSelect } from "./ChoiceSelect";
import { buildWorkflowPatch, sortedFields, workflowDraftFrom, type WorkflowDraft } from "./config";
import { DraftField } from "./DraftField";
import { lostReasonOptions } from "./lostReasons";
import { LostReasonsEditor } from "./LostReasonsEditor";
import { VALUE_FIELD_TYPES } from "./fieldTypes";
import { errorMessage, Field, FormError, SettingsSection } from "./shared";

const NO_VALUE_FIELD = "None: no totals on the board";
const NO_DATE_FIELD = "None: the forecast has no dates";

export function WorkflowPanel({
  config,
  stages,
  stagesError,
  onLock,
}: {
  config: Config;
  stages: Stage[];
  stagesError: unknown;
  onLock: () => void;
}) {
  const toast = useToast();
  const save = useUpdateConfig();
  const [draft, setDraft] = useState<WorkflowDraft>(() => workflowDraftFrom(config));
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const patch = buildWorkflowPatch(config, draft);
  const openStages = stages.filter((stage) => stage.kind === "open");
  const valueFields = sortedFields(config.variables).filter((field) =>
    VALUE_FIELD_TYPES.includes(field.field_type),
  );
  const dateFields = sortedFields(config.variables).filter(
    (field) => field.field_type === "date" || field.field_type === "datetime",
  );
  const update = (changes: Partial<WorkflowDraft>) => setDraft((d) => ({ ...d, ...changes }));
  const form = { draft, update, errors: fieldErrors };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    setFieldErrors({});
    if (!draft.workflow_name.trim()) {
      setFieldErrors({ workflow_name: "A name is required" });
      return;
    }
    const reasonsError = lostReasonOptions(draft.lost_reasons).error;
    if (reasonsError) {
      setFieldErrors({ lost_reasons: reasonsError });
      return;
    }
    if (!patch) return;
    try {
      await save.mutateAsync(patch);
      toast("Workflow settings saved.", "success");
    } catch (error) {
      setProblem(errorMessage(error));
      if (error instanceof ApiError) {
        setFieldErrors(Object.fromEntries(Object.entries(error.fields).map(([k, v]) => [k, v.join("; ")])));
      }
    }
  };

  return (
    <SettingsSection
      titleId="workflow-title"
      title="Workflow"
      intro="Where new leads start, which field the board adds up, and why leads are lost."
      action={<LockStatus config={config} onLock={onLock} />}
    >
      {stagesError ? <ErrorBanner error={stagesError} /> : null}
      <form className="workflow-form" onSubmit={(event) => void submit(event)} data-testid="workflow-form">
        <FormError message={problem} />
        <div className="form-grid form-grid-3">
          <DraftField form={form} name="workflow_name" label="Workflow name" required maxLength={120} />
          <Field
            label="Initial stage"
            error={fieldErrors.initial_stage}
            help="New leads start here. Only open stages qualify."
          >
            <ChoiceSelect
              name="initial_stage"
              choices={openStages.map((stage) => stage.uid)}
              label={(uid) => openStages.find((stage) => stage.uid === uid)?.name ?? uid}
              value={draft.initial_stage}
              onChange={(initial_stage) => update({ initial_stage })}
              data-testid="initial-stage-select"
            >
              {draft.initial_stage === "" ? (
                <option value="" disabled>
                  Choose a stage…
                </option>
              ) : null}
            </ChoiceSelect>
          </Field>
          <Field
            label="Value field"
            error={fieldErrors.value_field}
            help="The board sums it per stage. Currency, decimal or integer fields."
          >
            <ChoiceSelect
              name="value_field"
              choices={["", ...valueFields.map((field) => field.field_key)]}
              label={(key) => valueFields.find((field) => field.field_key === key)?.label ?? NO_VALUE_FIELD}
              value={draft.value_field}
              onChange={(value_field) => update({ value_field })}
              data-testid="value-field-select"
            />
          </Field>
          <Field
            label="Expected close date"
            error={fieldErrors.forecast_date_field}
            help="The forecast report groups open leads by it. Date or datetime fields."
          >
            <ChoiceSelect
              name="forecast_date_field"
              choices={["", ...dateFields.map((field) => field.field_key)]}
              label={(key) => dateFields.find((field) => field.field_key === key)?.label ?? NO_DATE_FIELD}
              value={draft.forecast_date_field}
              onChange={(forecast_date_field) => update({ forecast_date_field })}
              data-testid="forecast-date-field-select"
            />
          </Field>
        </div>
        <LostReasonsEditor
          drafts={draft.lost_reasons}
          error={fieldErrors.lost_reasons ?? lostReasonOptions(draft.lost_reasons).error ?? undefined}
          onChange={(lost_reasons) => update({ lost_reasons })}
        />
        <div className="form-actions">
          <button
            type="button"
            className="btn btn-ghost"
            disabled={!patch || save.isPending}
            onClick={() => {
              setDraft(workflowDraftFrom(config));
              setFieldErrors({});
              setProblem(null);
            }}
          >
            Discard changes
          </button>
          <button type="submit" className="btn btn-primary" disabled={!patch || save.isPending}>
            {save.isPending ? "Saving…" : "Save workflow"}
          </button>
        </div>
      </form>
    </SettingsSection>
  );
}

function LockStatus({ config, onLock }: { config: Config; onLock: () => void }) {
  if (config.locked) {
    return (
      <div className="lock-status lock-status-locked" data-testid="lock-status">
        <span className="badge badge-warning">Locked</span>
        <span className="muted">Fields can be added, never removed or retyped.</span>
      </div>
    );
  }
  return (
    <div className="lock-status" data-testid="lock-status">
      <span className="muted">Unlocked: fields can still be removed and retyped.</span>
      <button type="button" className="btn btn-small" onClick={onLock} data-testid="lock-workflow">
        Lock workflow…
      </button>
    </div>
  );
}
