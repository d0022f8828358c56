// Add, edit and delete a stage. Edits go out as a PATCH of what changed, with the version read.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { ApiError, api, unwrap, type Schemas } from "../api/client";
import type { Config, Stage } from "../api/types";
import { queryKeys } from "../app/queries";
import { Modal } from "../ui/components";
import { useToast } from "../ui/toast";
import {
  buildStageCreate,
  buildStagePatch,
  DEFAULT_PROBABILITY,
  hasErrors,
  HEX_COLOR,
  moveItem,
  newTemplateDraft,
  sortedFields,
  STAGE_KINDS,
  stageDraftFrom,
  stageErrorsFromServer,
  TASK_PRIORITIES,
  type StageDraft,
  type StageErrors,
  type StageKind,
  type StagePatch,
  type TaskPriority,
  type TemplateDraft,
} from "./logic";
import {
  errorMessage,
  Field,
  FormDialog,
  FormError,
  NO_PROBLEM,
  useRefreshWorkflow,
  type FormProblem,
} from "./shared";

const PALETTE = ["#2563eb", "#0891b2", "#7c3aed", "#db2777", "#ea580c", "#ca8a04", "#16a34a", "#64748b"];

function unusedColor(stages: readonly Stage[]): string {
  const used = new Set(stages.map((stage) => (stage.color ?? "").toLowerCase()));
  return PALETTE.find((color) => !used.has(color)) ?? PALETTE[0] ?? "#2563eb";
}

function ColorInput({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange: (color: string) => void;
  error?: string | undefined;
}) {
  const [text, setText] = useState(value);
  const [last, setLast] = useState(value);
  // Follow the picker; keep what is typed until it is a full #RRGGBB.
  if (value !== last) {
    setLast(value);
    setText(value);
  }
  return (
    <Field label="Color" error={error} required group>
      <span className="color-input">
        <input
          type="color"
          value={HEX_COLOR.test(value) ? value : "#64748b"}
          onChange={(event) => onChange(event.target.value)}
          aria-label="Pick a color"
          data-testid="stage-color"
        />
        <input
          type="text"
          value={text}
          maxLength={7}
          spellCheck={false}
          aria-label="Color as hex"
          onChange={(event) => {
            setText(event.target.value);
            if (HEX_COLOR.test(event.target.value)) onChange(event.target.value.toLowerCase());
          }}
          onBlur={() => setText(value)}
        />
      </span>
    </Field>
  );
}

function BasicsInputs({
  draft,
  errors,
  update,
  kindLocked,
}: {
  draft: StageDraft;
  errors: StageErrors;
  update: (changes: Partial<StageDraft>) => void;
  kindLocked?: boolean;
}) {
  return (
    <div className="form-grid">
      <Field label="Name" error={errors.name} required>
        <input
          name="name"
          value={draft.name}
          maxLength={80}
          onChange={(event) => update({ name: event.target.value })}
        />
      </Field>
      <ColorInput value={draft.color} onChange={(color) => update({ color })} error={errors.color} />
      <Field
        label="Kind"
        error={errors.kind}
        help={
          kindLocked
            ? "The initial stage must stay open."
            : "Won and lost stages close a lead; open stages keep it in play."
        }
      >
        <select
          name="kind"
          value={draft.kind}
          disabled={kindLocked}
          onChange={(event) => update({ kind: event.target.value as StageKind })}
        >
          {STAGE_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {kind === "open" ? "Open" : kind === "won" ? "Won" : "Lost"}
            </option>
          ))}
        </select>
      </Field>
      <Field
        label="Win probability (%)"
        error={errors.probability}
        help="Weights this stage's lead value in the board's weighted total."
        required
      >
        <input
          name="probability"
          type="number"
          min={0}
          max={100}
          step={1}
          value={draft.probability}
          onChange={(event) => update({ probability: event.target.value })}
        />
      </Field>
    </div>
  );
}

/* ---------------------------------------------------------------- add */

export function AddStageDialog({ stages, onClose }: { stages: Stage[]; onClose: () => void }) {
  const toast = useToast();
  const refresh = useRefreshWorkflow();
  const [draft, setDraft] = useState<StageDraft>(() => ({
    name: "",
    color: unusedColor(stages),
    kind: "open",
    probability: String(DEFAULT_PROBABILITY.open),
    description: "",
    allowed_next_stages: [],
    required_fields: [],
    task_templates: [],
  }));
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

  const create = useMutation({
    mutationFn: (body: Schemas["StageCreateRequest"]) => unwrap(api.POST("/api/stages/", { body })),
    onSuccess: async (stage) => {
      toast(
        `Stage “${stage.name}” added at the end. Edit it to choose where its leads may go next.`,
        "success",
      );
      await refresh();
      onClose();
    },
    onError: (error) => {
      const server = error instanceof ApiError ? stageErrorsFromServer(error.fields) : null;
      setErrors(server?.errors ?? {});
      setProblem({ message: errorMessage(error), lines: server?.rest ?? [] });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const built = buildStageCreate(draft);
    setErrors(built.errors);
    setProblem(NO_PROBLEM);
    if (!hasErrors(built.errors)) create.mutate(built.body);
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
      <BasicsInputs draft={draft} errors={errors} update={update} />
      <p className="muted form-note">
        The stage is added at the end of the pipeline. Then edit it to set where its leads may
        move next, the fields they need to enter it and the tasks it creates.
      </p>
    </FormDialog>
  );
}

/* ---------------------------------------------------------------- edit */

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
  const queryClient = useQueryClient();
  const refresh = useRefreshWorkflow();
  const [draft, setDraft] = useState<StageDraft>(() => stageDraftFrom(stage));
  const [errors, setErrors] = useState<StageErrors>({});
  const [problem, setProblem] = useState<FormProblem>(NO_PROBLEM);
  const fields = sortedFields(config?.variables);
  const pipeline = stages.map((s) => s.uid);
  const others = stages.filter((s) => s.uid !== stage.uid);
  const isInitial = config?.initial_stage === stage.uid;
  const update = (changes: Partial<StageDraft>) => setDraft((current) => ({ ...current, ...changes }));
  const toggle = (list: string[], value: string) =>
    list.includes(value) ? list.filter((item) => item !== value) : [...list, value];

  const save = useMutation({
    mutationFn: (patch: StagePatch) =>
      unwrap(
        api.PATCH("/api/stages/{uid}/", {
          params: { path: { uid: stage.uid } },
          // A partial body: see StagePatch in logic.ts for why the generated type is too strict.
          body: patch as Schemas["PatchedStageUpdateRequest"],
        }),
      ),
    onSuccess: async (saved) => {
      queryClient.setQueryData<Stage[]>(queryKeys.stages, (current) =>
        current?.map((item) => (item.uid === saved.uid ? saved : item)),
      );
      toast(`Stage “${saved.name}” saved.`, "success");
      await refresh();
      onClose();
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === "version_conflict") {
        void refresh();
        setProblem({
          message:
            "Someone changed this stage while you were editing it. Close this form and open " +
            "it again to edit the latest version.",
          lines: [],
        });
        return;
      }
      const server = error instanceof ApiError ? stageErrorsFromServer(error.fields) : null;
      setErrors(server?.errors ?? {});
      setProblem({ message: errorMessage(error), lines: server?.rest ?? [] });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const built = buildStagePatch(stage, draft, pipeline, fields.map((f) => f.field_key));
    setErrors(built.errors);
    setProblem(NO_PROBLEM);
    if (hasErrors(built.errors)) return;
    if (built.patch === null) {
      onClose();
      return;
    }
    save.mutate(built.patch);
  };

  const setTemplates = (templates: TemplateDraft[]) => update({ task_templates: templates });
  const updateTemplate = (index: number, changes: Partial<TemplateDraft>) =>
    setTemplates(draft.task_templates.map((t, i) => (i === index ? { ...t, ...changes } : t)));

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
      <BasicsInputs draft={draft} errors={errors} update={update} kindLocked={isInitial} />
      <Field label="Description" error={errors.description} help="Shown to the team as a hint.">
        <textarea
          name="description"
          rows={2}
          maxLength={2000}
          value={draft.description}
          onChange={(event) => update({ description: event.target.value })}
        />
      </Field>

      <fieldset className={`form-section${errors.allowed_next_stages ? " field-invalid" : ""}`}>
        <legend>Leads may move to</legend>
        <p className="field-help">
          The stages a lead in “{stage.name}” may move to next. With none checked, leads cannot
          leave this stage.
        </p>
        {others.length === 0 ? (
          <p className="muted">There are no other stages yet.</p>
        ) : (
          <div className="check-grid">
            {others.map((other) => (
              <label className="choice" key={other.uid}>
                <input
                  type="checkbox"
                  name="allowed_next_stages"
                  value={other.uid}
                  checked={draft.allowed_next_stages.includes(other.uid)}
                  onChange={() =>
                    update({ allowed_next_stages: toggle(draft.allowed_next_stages, other.uid) })
                  }
                />
                <span className="chip-dot" style={{ background: other.color }} aria-hidden="true" />
                {other.name}
                {other.kind !== "open" && other.name.toLowerCase() !== other.kind ? (
                  <small className="muted">({other.kind})</small>
                ) : null}
              </label>
            ))}
          </div>
        )}
        {errors.allowed_next_stages ? (
          <span className="field-error">{errors.allowed_next_stages}</span>
        ) : null}
      </fieldset>

      <fieldset className={`form-section${errors.required_fields ? " field-invalid" : ""}`}>
        <legend>Required to enter</legend>
        <p className="field-help">
          A lead may enter “{stage.name}” only when these custom fields hold a value; the board
          asks for them during the move.
        </p>
        {fields.length === 0 ? (
          <p className="muted">
            No custom fields yet. <Link to="/settings/fields">Add them on the Custom fields tab</Link>.
          </p>
        ) : (
          <div className="check-grid">
            {fields.map((field) => (
              <label className="choice" key={field.field_key} title={field.field_key}>
                <input
                  type="checkbox"
                  name="required_fields"
                  value={field.field_key}
                  checked={draft.required_fields.includes(field.field_key)}
                  onChange={() =>
                    update({ required_fields: toggle(draft.required_fields, field.field_key) })
                  }
                />
                {field.label}
              </label>
            ))}
          </div>
        )}
        {errors.required_fields ? <span className="field-error">{errors.required_fields}</span> : null}
      </fieldset>

      <fieldset className="form-section">
        <legend>Task templates</legend>
        <p className="field-help">
          Every lead entering “{stage.name}” gets these tasks. A required task must be completed
          (or skipped, when skippable) before the lead may leave the stage.
        </p>
        {errors.task_templates ? <span className="field-error">{errors.task_templates}</span> : null}
        {draft.task_templates.length === 0 ? (
          <p className="muted">No tasks: leads enter this stage with nothing to do.</p>
        ) : (
          <ol className="template-list">
            {draft.task_templates.map((template, index) => (
              <TemplateRow
                key={template.key}
                template={template}
                index={index}
                count={draft.task_templates.length}
                errors={errors.templates?.[index] ?? {}}
                onChange={(changes) => updateTemplate(index, changes)}
                onMove={(to) => setTemplates(moveItem(draft.task_templates, index, to))}
                onRemove={() => setTemplates(draft.task_templates.filter((_, i) => i !== index))}
              />
            ))}
          </ol>
        )}
        <button
          type="button"
          className="btn btn-small"
          onClick={() => setTemplates([...draft.task_templates, newTemplateDraft()])}
          data-testid="add-template"
        >
          + Add task
        </button>
      </fieldset>
    </FormDialog>
  );
}

function TemplateRow({
  template,
  index,
  count,
  errors,
  onChange,
  onMove,
  onRemove,
}: {
  template: TemplateDraft;
  index: number;
  count: number;
  errors: Partial<Record<keyof TemplateDraft, string>>;
  onChange: (changes: Partial<TemplateDraft>) => void;
  onMove: (to: number) => void;
  onRemove: () => void;
}) {
  const n = index + 1;
  return (
    <li className="template-row" data-testid={`template-row-${index}`}>
      <div className="template-main">
        <Field label={`Task ${n}`} error={errors.title} required className="template-title">
          <input
            name={`task_templates.${index}.title`}
            value={template.title}
            maxLength={200}
            placeholder="e.g. Call to qualify the need"
            onChange={(event) => onChange({ title: event.target.value })}
          />
        </Field>
        <Field label="Due after (hours)" error={errors.due_in_hours} className="template-due">
          <input
            name={`task_templates.${index}.due_in_hours`}
            type="number"
            min={0}
            max={8760}
            step={1}
            placeholder="No due date"
            value={template.due_in_hours}
            onChange={(event) => onChange({ due_in_hours: event.target.value })}
          />
        </Field>
        <Field label="Priority" error={errors.priority} className="template-priority">
          <select
            value={template.priority}
            onChange={(event) => onChange({ priority: event.target.value as TaskPriority })}
          >
            {TASK_PRIORITIES.map((priority) => (
              <option key={priority} value={priority}>
                {priority[0]?.toUpperCase()}
                {priority.slice(1)}
              </option>
            ))}
          </select>
        </Field>
        <div className="template-tools">
          <button
            type="button"
            className="btn-icon"
            aria-label={`Move task ${n} up`}
            disabled={index === 0}
            onClick={() => onMove(index - 1)}
          >
            ↑
          </button>
          <button
            type="button"
            className="btn-icon"
            aria-label={`Move task ${n} down`}
            disabled={index === count - 1}
            onClick={() => onMove(index + 1)}
          >
            ↓
          </button>
          <button
            type="button"
            className="btn-icon btn-icon-danger"
            aria-label={`Remove task ${n}`}
            title="Remove this task"
            onClick={onRemove}
          >
            ×
          </button>
        </div>
      </div>
      <div className="template-extra">
        <Field label="Description" error={errors.description} className="template-description">
          <input
            name={`task_templates.${index}.description`}
            value={template.description}
            maxLength={2000}
            placeholder="Optional: what to do and why"
            onChange={(event) => onChange({ description: event.target.value })}
          />
        </Field>
        <label className="choice">
          <input
            type="checkbox"
            checked={template.required}
            onChange={(event) => onChange({ required: event.target.checked })}
          />
          Required
        </label>
        <label className="choice">
          <input
            type="checkbox"
            checked={template.skippable}
            onChange={(event) => onChange({ skippable: event.target.checked })}
          />
          Skippable
        </label>
      </div>
    </li>
  );
}

/* ---------------------------------------------------------------- delete */

export function DeleteStageDialog({
  stage,
  stages,
  onClose,
}: {
  stage: Stage;
  stages: Stage[];
  onClose: () => void;
}) {
  const toast = useToast();
  const refresh = useRefreshWorkflow();
  const others = stages.filter((s) => s.uid !== stage.uid);
  const [leadCount, setLeadCount] = useState<number | null>(null);
  const [moveTo, setMoveTo] = useState(others[0]?.uid ?? "");
  const [error, setError] = useState<string | null>(null);

  const remove = useMutation({
    mutationFn: (target: string | null) =>
      unwrap(
        api.DELETE("/api/stages/{uid}/", {
          params: { path: { uid: stage.uid }, query: target ? { move_to: target } : {} },
        }),
      ),
    onSuccess: async (result) => {
      const target = stages.find((s) => s.uid === moveTo)?.name ?? moveTo;
      toast(
        result.moved_leads
          ? `Stage “${stage.name}” deleted; ${result.moved_leads} lead(s) moved to ${target}.`
          : `Stage “${stage.name}” deleted.`,
        "success",
      );
      await refresh({ leads: true });
      onClose();
    },
    onError: (caught) => {
      if (caught instanceof ApiError && caught.code === "stage_in_use") {
        const count = Number(caught.details.lead_count ?? 0);
        setLeadCount(count > 0 ? count : 1);
        setError(null);
        return;
      }
      setError(errorMessage(caught));
    },
  });

  const close = useCallback(() => {
    if (!remove.isPending) onClose();
  }, [remove.isPending, onClose]);
  const moving = leadCount !== null;

  return (
    <Modal
      title={`Delete stage “${stage.name}”?`}
      onClose={close}
      footer={
        <>
          <button type="button" className="btn" onClick={close} disabled={remove.isPending}>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn-danger"
            disabled={remove.isPending || (moving && !moveTo)}
            onClick={() => remove.mutate(moving ? moveTo : null)}
            data-testid="confirm-delete-stage"
          >
            {remove.isPending
              ? "Deleting…"
              : moving
                ? `Move ${leadCount} lead${leadCount === 1 ? "" : "s"} and delete`
                : "Delete stage"}
          </button>
        </>
      }
    >
      <div className="settings-confirm" data-testid="delete-stage-dialog">
        <FormError message={error} />
        {moving ? (
          <>
            <p>
              <strong>
                {leadCount} lead{leadCount === 1 ? " is" : "s are"}
              </strong>{" "}
              in “{stage.name}”. They must go somewhere before the stage can be deleted.
            </p>
            <Field
              label={`Move ${leadCount} lead${leadCount === 1 ? "" : "s"} to:`}
              help="They enter that stage now, with its tasks; their history records the move."
            >
              <select
                value={moveTo}
                onChange={(event) => setMoveTo(event.target.value)}
                data-testid="move-to-select"
              >
                {others.map((other) => (
                  <option key={other.uid} value={other.uid}>
                    {other.name}
                    {other.kind !== "open" ? ` (${other.kind})` : ""}
                  </option>
                ))}
              </select>
            </Field>
          </>
        ) : (
          <p>
            The column disappears from the board and other stages stop offering it as a next
            stage. This cannot be undone.
          </p>
        )}
      </div>
    </Modal>
  );
}
