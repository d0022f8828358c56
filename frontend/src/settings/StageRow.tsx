// One stage in the sortable list: its handle, what the stage is, its rules, and its actions.
import { useSortable } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import type { FieldDefinition, Stage } from "../api/types";
import { RowActions } from "./controls";
import { STAGE_KIND_LABELS } from "./stageForm";

function DragHandleIcon() {
  return (
    <svg width="12" height="18" viewBox="0 0 12 18" aria-hidden="true">
      {[3, 9, 15].map((y) => (
        <g key={y}>
          <circle cx="3" cy={y} r="1.6" />
          <circle cx="9" cy={y} r="1.6" />
        </g>
      ))}
    </svg>
  );
}

export function StageRow({
  stage,
  stages,
  fields,
  isInitial,
  incoming,
  busy,
  onEdit,
  onDelete,
}: {
  stage: Stage;
  /** The whole pipeline, for the names and colors of the next stages. */
  stages: Stage[];
  fields: Map<string, FieldDefinition>;
  isInitial: boolean;
  /** How many stages list this one as a next stage. */
  incoming: number;
  busy: boolean;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } =
    useSortable({ id: stage.uid });
  const next = stage.allowed_next_stages ?? [];
  const required = stage.required_fields ?? [];
  const templates = stage.task_templates ?? [];
  const requiredTasks = templates.filter((template) => template.required).length;
  const other = (uid: string) => stages.find((s) => s.uid === uid);

  return (
    <div
      ref={setNodeRef}
      role="row"
      className={`stage-grid stage-row${isDragging ? " stage-row-dragging" : ""}`}
      style={{ transform: CSS.Translate.toString(transform), transition }}
      data-testid={`stage-row-${stage.uid}`}
    >
      <span role="cell">
        <button
          type="button"
          ref={setActivatorNodeRef}
          className="drag-handle"
          aria-label={`Reorder ${stage.name}`}
          data-testid={`stage-handle-${stage.uid}`}
          disabled={busy}
          {...attributes}
          {...listeners}
        >
          <DragHandleIcon />
        </button>
      </span>
      <span role="cell" className="stage-name-cell">
        <span className="swatch" style={{ background: stage.color }} aria-hidden="true" />
        <span className="stage-name-text">
          <strong>{stage.name}</strong>
          {isInitial ? <span className="badge badge-open">Initial</span> : null}
          {!isInitial && incoming === 0 ? (
            <span className="badge badge-warning" title="No stage lists it as a next stage">
              Unreachable
            </span>
          ) : null}
          {stage.description ? (
            <span className="muted stage-description" title={stage.description}>
              {stage.description}
            </span>
          ) : null}
        </span>
      </span>
      <span role="cell">
        <span className={`badge badge-${stage.kind}`}>{STAGE_KIND_LABELS[stage.kind]}</span>
      </span>
      <span role="cell" className="numeric">
        {stage.probability}%
      </span>
      <span role="cell" className="chips">
        {next.length === 0 ? (
          <span className="muted">{stage.kind === "open" ? "Nowhere: leads stay here" : "— (final)"}</span>
        ) : (
          next.map((uid) => (
            <span className="chip" key={uid}>
              <span
                className="chip-dot"
                style={{ background: other(uid)?.color ?? "#94a3b8" }}
                aria-hidden="true"
              />
              {other(uid)?.name ?? uid}
            </span>
          ))
        )}
      </span>
      <span role="cell" className="chips">
        {required.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          required.map((key) => (
            <span className="chip chip-field" key={key} title={key}>
              {fields.get(key)?.label ?? key}
            </span>
          ))
        )}
      </span>
      <span role="cell" className="stage-tasks" data-testid={`stage-tasks-${stage.uid}`}>
        {templates.length === 0 ? (
          <span className="muted">None</span>
        ) : (
          <>
            <span>
              {templates.length} {templates.length === 1 ? "task" : "tasks"}
            </span>
            {requiredTasks ? <small className="muted">{requiredTasks} required</small> : null}
          </>
        )}
      </span>
      <span role="cell" className="row-actions">
        <RowActions
          onEdit={onEdit}
          editTestId={`edit-stage-${stage.uid}`}
          onRemove={onDelete}
          removeLabel="Delete"
          removeTestId={`delete-stage-${stage.uid}`}
        />
      </span>
    </div>
  );
}
