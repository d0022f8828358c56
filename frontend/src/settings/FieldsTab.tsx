// The workflow config: its name, initial stage, value field, lock, and the custom fields every
// lead carries. Field changes PATCH the whole `variables` list with the version read.
import { useCallback, useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import type { Config, FieldDefinition, Stage } from "../api/types";
import { useConfig, useStages } from "../app/queries";
import { EmptyState, ErrorBanner, Loaded } from "../ui/components";
import { useToast } from "../ui/toast";
import { FieldFormDialog } from "./FieldDialog";
import {
  buildVariablesPatch,
  buildWorkflowPatch,
  FIELD_TYPE_LABELS,
  INPUT_TYPE_LABELS,
  LOCK_REASON,
  moveItem,
  removeField,
  sortedFields,
  VALUE_FIELD_TYPES,
  workflowDraftFrom,
  type WorkflowDraft,
} from "./logic";
import { ConfirmDialog, errorMessage, Field, FormError, SettingsSection, useSaveConfig } from "./shared";

type Dialog =
  | { kind: "add" }
  | { kind: "edit"; key: string }
  | { kind: "remove"; key: string }
  | { kind: "lock" };

export function FieldsTab() {
  const config = useConfig();
  const stages = useStages();
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const close = useCallback(() => setDialog(null), []);

  return (
    <Loaded query={config} label="Loading the workflow">
      {(current) => (
        <div className="settings-stack">
          <WorkflowPanel
            key={current.version}
            config={current}
            stages={stages.data ?? []}
            stagesError={stages.isError ? stages.error : null}
            onLock={() => setDialog({ kind: "lock" })}
          />
          <FieldsPanel
            config={current}
            stages={stages.data ?? []}
            onAdd={() => setDialog({ kind: "add" })}
            onEdit={(key) => setDialog({ kind: "edit", key })}
            onRemove={(key) => setDialog({ kind: "remove", key })}
          />
          {dialog?.kind === "add" ? (
            <FieldFormDialog config={current} fieldKey={null} onClose={close} />
          ) : null}
          {dialog?.kind === "edit" ? (
            <FieldFormDialog config={current} fieldKey={dialog.key} onClose={close} />
          ) : null}
          {dialog?.kind === "remove" ? (
            <RemoveFieldDialog
              config={current}
              stages={stages.data ?? []}
              fieldKey={dialog.key}
              onClose={close}
            />
          ) : null}
          {dialog?.kind === "lock" ? <LockDialog config={current} onClose={close} /> : null}
        </div>
      )}
    </Loaded>
  );
}

function WorkflowPanel({
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
  const save = useSaveConfig();
  const [draft, setDraft] = useState<WorkflowDraft>(() => workflowDraftFrom(config));
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const patch = buildWorkflowPatch(config, draft);
  const openStages = stages.filter((stage) => (stage.kind ?? "open") === "open");
  const valueFields = sortedFields(config.variables).filter((field) =>
    VALUE_FIELD_TYPES.includes(field.field_type),
  );
  const update = (changes: Partial<WorkflowDraft>) => setDraft((d) => ({ ...d, ...changes }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    setFieldErrors({});
    if (!draft.workflow_name.trim()) {
      setFieldErrors({ workflow_name: "A name is required" });
      return;
    }
    if (!patch) return;
    try {
      await save.mutateAsync(patch);
      toast("Workflow settings saved.", "success");
    } catch (error) {
      setProblem(errorMessage(error));
      if (error instanceof ApiError) {
        setFieldErrors(
          Object.fromEntries(Object.entries(error.fields).map(([k, v]) => [k, v.join("; ")])),
        );
      }
    }
  };

  return (
    <SettingsSection
      titleId="workflow-title"
      title="Workflow"
      intro="Where new leads start and which field the board adds up."
      action={<LockStatus config={config} onLock={onLock} />}
    >
      {stagesError ? <ErrorBanner error={stagesError} /> : null}
      <form className="workflow-form" onSubmit={(event) => void submit(event)} data-testid="workflow-form">
        <FormError message={problem} />
        <div className="form-grid form-grid-3">
          <Field label="Workflow name" error={fieldErrors.workflow_name} required>
            <input
              name="workflow_name"
              value={draft.workflow_name}
              maxLength={120}
              onChange={(event) => update({ workflow_name: event.target.value })}
            />
          </Field>
          <Field
            label="Initial stage"
            error={fieldErrors.initial_stage}
            help="New leads start here. Only open stages qualify."
          >
            <select
              name="initial_stage"
              value={draft.initial_stage}
              onChange={(event) => update({ initial_stage: event.target.value })}
              data-testid="initial-stage-select"
            >
              {draft.initial_stage === "" ? (
                <option value="" disabled>
                  Choose a stage…
                </option>
              ) : null}
              {openStages.map((stage) => (
                <option key={stage.uid} value={stage.uid}>
                  {stage.name}
                </option>
              ))}
            </select>
          </Field>
          <Field
            label="Value field"
            error={fieldErrors.value_field}
            help="The board sums it per stage. Currency, decimal or integer fields."
          >
            <select
              name="value_field"
              value={draft.value_field}
              onChange={(event) => update({ value_field: event.target.value })}
              data-testid="value-field-select"
            >
              <option value="">None: no totals on the board</option>
              {valueFields.map((field) => (
                <option key={field.field_key} value={field.field_key}>
                  {field.label}
                </option>
              ))}
            </select>
          </Field>
        </div>
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

function FieldsPanel({
  config,
  stages,
  onAdd,
  onEdit,
  onRemove,
}: {
  config: Config;
  stages: Stage[];
  onAdd: () => void;
  onEdit: (key: string) => void;
  onRemove: (key: string) => void;
}) {
  const toast = useToast();
  const save = useSaveConfig();
  const fields = sortedFields(config.variables);
  const locked = config.locked ?? false;
  const requiredBy = (key: string) =>
    stages.filter((stage) => (stage.required_fields ?? []).includes(key)).map((s) => s.name);

  const move = (from: number, to: number) => {
    save.mutate(buildVariablesPatch(config, moveItem(fields, from, to)), {
      onError: (error) => toast(`The order was not saved: ${errorMessage(error)}`, "error"),
    });
  };

  return (
    <SettingsSection
      titleId="fields-title"
      title="Custom fields"
      intro={
        <>
          Every lead carries these fields; lead forms show them in this order and check values
          against these rules.
        </>
      }
      action={
        <button type="button" className="btn btn-primary" onClick={onAdd} data-testid="add-field">
          + Add field
        </button>
      }
    >
      {locked ? (
        <div className="banner banner-info" data-testid="lock-reason">
          <span>{LOCK_REASON}.</span>
        </div>
      ) : null}
      {fields.length === 0 ? (
        <EmptyState title="No custom fields yet">
          Add fields such as a budget, an industry or an expected close date; stages can then
          require them.
        </EmptyState>
      ) : (
        <table className="table settings-table fields-table">
          <thead>
            <tr>
              <th className="col-order" aria-label="Order" />
              <th>Label</th>
              <th>Key</th>
              <th>Type</th>
              <th>Input</th>
              <th>Required</th>
              <th>Options</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {fields.map((field, index) => (
              <FieldRow
                key={field.field_key}
                field={field}
                index={index}
                count={fields.length}
                isValueField={config.value_field === field.field_key}
                requiredBy={requiredBy(field.field_key)}
                locked={locked}
                busy={save.isPending}
                onMove={move}
                onEdit={() => onEdit(field.field_key)}
                onRemove={() => onRemove(field.field_key)}
              />
            ))}
          </tbody>
        </table>
      )}
    </SettingsSection>
  );
}

function FieldRow({
  field,
  index,
  count,
  isValueField,
  requiredBy,
  locked,
  busy,
  onMove,
  onEdit,
  onRemove,
}: {
  field: FieldDefinition;
  index: number;
  count: number;
  isValueField: boolean;
  requiredBy: string[];
  locked: boolean;
  busy: boolean;
  onMove: (from: number, to: number) => void;
  onEdit: () => void;
  onRemove: () => void;
}) {
  const options = field.options ?? [];
  return (
    <tr data-testid={`field-row-${field.field_key}`}>
      <td className="col-order">
        <span className="order-buttons">
          <button
            type="button"
            className="btn-icon"
            aria-label={`Move ${field.label} up`}
            disabled={busy || index === 0}
            onClick={() => onMove(index, index - 1)}
          >
            ↑
          </button>
          <button
            type="button"
            className="btn-icon"
            aria-label={`Move ${field.label} down`}
            disabled={busy || index === count - 1}
            onClick={() => onMove(index, index + 1)}
          >
            ↓
          </button>
        </span>
      </td>
      <td>
        <div className="field-label-cell">
          <strong>{field.label}</strong>
          {isValueField ? <span className="badge badge-open">Board value</span> : null}
        </div>
        {requiredBy.length ? (
          <small className="muted">Required to enter {requiredBy.join(", ")}</small>
        ) : field.help_text ? (
          <small className="muted">{field.help_text}</small>
        ) : null}
      </td>
      <td>
        <code className="field-key">{field.field_key}</code>
      </td>
      <td>{FIELD_TYPE_LABELS[field.field_type]}</td>
      <td className="muted">{field.input_type ? INPUT_TYPE_LABELS[field.input_type] : "—"}</td>
      <td>
        {field.required ? (
          <span className="badge badge-open">Required</span>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td className="numeric">{options.length ? options.length : <span className="muted">—</span>}</td>
      <td>
        <div className="row-actions">
          <button
            type="button"
            className="btn btn-small"
            onClick={onEdit}
            data-testid={`edit-field-${field.field_key}`}
          >
            Edit
          </button>
          <button
            type="button"
            className="btn btn-small btn-ghost btn-danger-ghost"
            onClick={onRemove}
            disabled={locked}
            title={locked ? LOCK_REASON : `Remove ${field.label}`}
            data-testid={`remove-field-${field.field_key}`}
          >
            Remove
          </button>
        </div>
      </td>
    </tr>
  );
}

function RemoveFieldDialog({
  config,
  stages,
  fieldKey,
  onClose,
}: {
  config: Config;
  stages: Stage[];
  fieldKey: string;
  onClose: () => void;
}) {
  const toast = useToast();
  const save = useSaveConfig();
  const field = sortedFields(config.variables).find((item) => item.field_key === fieldKey);
  const requiring = stages.filter((stage) => (stage.required_fields ?? []).includes(fieldKey));
  const confirm = async () => {
    await save.mutateAsync(buildVariablesPatch(config, removeField(config.variables ?? [], fieldKey)));
    toast(`Field “${field?.label ?? fieldKey}” removed.`, "success");
    onClose();
  };
  return (
    <ConfirmDialog
      title={`Remove the field “${field?.label ?? fieldKey}”?`}
      confirmLabel="Remove field"
      onConfirm={confirm}
      onClose={onClose}
      testId="remove-field-dialog"
    >
      <p>
        Lead forms stop showing <code className="field-key">{fieldKey}</code> and its values are no
        longer checked.
      </p>
      {requiring.length ? (
        <p>
          {requiring.map((stage) => stage.name).join(", ")}{" "}
          {requiring.length === 1 ? "requires" : "require"} it to enter; that requirement goes too.
        </p>
      ) : null}
      {config.value_field === fieldKey ? (
        <p>It is the board's value field: the board stops showing value totals.</p>
      ) : null}
    </ConfirmDialog>
  );
}

function LockDialog({ config, onClose }: { config: Config; onClose: () => void }) {
  const toast = useToast();
  const save = useSaveConfig();
  const confirm = async () => {
    await save.mutateAsync({ locked: true, version: config.version ?? 1 });
    toast("The workflow is locked.", "success");
    onClose();
  };
  return (
    <ConfirmDialog
      title="Lock the workflow?"
      confirmLabel="Lock for good"
      onConfirm={confirm}
      onClose={onClose}
      testId="lock-dialog"
    >
      <p>
        Locking protects the data leads already hold: afterwards fields can still be added and
        their labels, rules and options edited, but <strong>no field can be removed or change its
        type</strong>.
      </p>
      <p>
        <strong>This is final</strong>: a locked workflow cannot be unlocked.
      </p>
    </ConfirmDialog>
  );
}
