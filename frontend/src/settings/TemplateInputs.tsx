// The task templates of a stage: one row per task, moved up and down, added and removed.
import type { Stage } from "../api/types";
import { ChoiceSelect } from "./ChoiceSelect";
import { moveItem } from "./ordering";
import { CheckboxChoice } from "./controls";
import { Field } from "./shared";
import {
  newTemplateDraft,
  TASK_PRIORITIES,
  type StageErrors,
  type TemplateDraft,
  type TemplateErrors,
} from "./stageForm";

export function TemplateListInputs({
  stage,
  templates,
  error,
  rowErrors,
  onChange,
}: {
  stage: Stage;
  templates: TemplateDraft[];
  error: string | undefined;
  rowErrors: StageErrors["templates"];
  onChange: (templates: TemplateDraft[]) => void;
}) {
  const updateRow = (index: number, changes: Partial<TemplateDraft>) =>
    onChange(templates.map((t, i) => (i === index ? { ...t, ...changes } : t)));
  return (
    <fieldset className="form-section">
      <legend>Task templates</legend>
      <p className="field-help">
        Every lead entering “{stage.name}” gets these tasks. A required task must be completed (or
        skipped, when skippable) before the lead may leave the stage.
      </p>
      {error ? <span className="field-error">{error}</span> : null}
      {templates.length === 0 ? (
        <p className="muted">No tasks: leads enter this stage with nothing to do.</p>
      ) : (
        <ol className="template-list">
          {templates.map((template, index) => (
            <TemplateRow
              key={template.key}
              template={template}
              index={index}
              count={templates.length}
              errors={rowErrors?.[index] ?? {}}
              onChange={(changes) => updateRow(index, changes)}
              onMove={(to) => onChange(moveItem(templates, index, to))}
              onRemove={() => onChange(templates.filter((_, i) => i !== index))}
            />
          ))}
        </ol>
      )}
      <button
        type="button"
        className="btn btn-small"
        onClick={() => onChange([...templates, newTemplateDraft()])}
        data-testid="add-template"
      >
        + Add task
      </button>
    </fieldset>
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
  errors: TemplateErrors;
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
          <ChoiceSelect
            choices={TASK_PRIORITIES}
            label={(priority) => `${priority[0]?.toUpperCase()}${priority.slice(1)}`}
            value={template.priority}
            onChange={(priority) => onChange({ priority })}
          />
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
        <CheckboxChoice checked={template.required} onChange={(required) => onChange({ required })}>
          Required
        </CheckboxChoice>
        <CheckboxChoice checked={template.skippable} onChange={(skippable) => onChange({ skippable })}>
          Skippable
        </CheckboxChoice>
      </div>
    </li>
  );
}
