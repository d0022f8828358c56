// The pipeline's stages in board order: drag (or keyboard) to reorder, add, edit, delete.
import {
  closestCenter,
  DndContext,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
  type Modifier,
} from "@dnd-kit/core";
import {
  SortableContext,
  sortableKeyboardCoordinates,
  useSortable,
  verticalListSortingStrategy,
} from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";
import { api, unwrap } from "../api/client";
import type { Config, FieldDefinition, Stage } from "../api/types";
import { queryKeys, useConfig, useStages } from "../app/queries";
import { EmptyState, ErrorBanner, Loaded } from "../ui/components";
import { useToast } from "../ui/toast";
import { applyOrder, incomingCounts, reorderUids } from "./logic";
import { errorMessage, SettingsSection, useRefreshWorkflow } from "./shared";
import { AddStageDialog, DeleteStageDialog, EditStageDialog } from "./StageDialogs";

// A stage list only moves up and down; without this the row follows the pointer sideways too.
const verticalOnly: Modifier = ({ transform }) => ({ ...transform, x: 0 });

const KIND_LABELS = { open: "Open", won: "Won", lost: "Lost" } as const;

type Dialog = { kind: "add" } | { kind: "edit"; uid: string } | { kind: "delete"; uid: string };

export function StagesTab() {
  const stages = useStages();
  const config = useConfig();
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const close = useCallback(() => setDialog(null), []);

  return (
    <Loaded query={stages} label="Loading stages">
      {(list) => {
        const target =
          dialog && dialog.kind !== "add" ? list.find((s) => s.uid === dialog.uid) : undefined;
        return (
          <SettingsSection
            titleId="stages-title"
            title="Pipeline stages"
            intro={
              <>
                The board shows one column per stage, in this order. Drag a row by its handle (or
                focus the handle and use Space and the arrow keys) to reorder.
              </>
            }
            action={
              <button
                type="button"
                className="btn btn-primary"
                onClick={() => setDialog({ kind: "add" })}
                data-testid="add-stage"
              >
                + Add stage
              </button>
            }
          >
            {config.isError ? (
              <ErrorBanner error={config.error} onRetry={() => void config.refetch()} />
            ) : null}
            {list.length === 0 ? (
              <EmptyState title="No stages yet">
                Add the first stage of your pipeline, for example “New”. Leads are created in the
                initial stage, chosen on the Custom fields tab.
              </EmptyState>
            ) : (
              <StageList stages={list} config={config.data} onDialog={setDialog} />
            )}

            {dialog?.kind === "add" ? <AddStageDialog stages={list} onClose={close} /> : null}
            {dialog?.kind === "edit" && target ? (
              <EditStageDialog stage={target} stages={list} config={config.data} onClose={close} />
            ) : null}
            {dialog?.kind === "delete" && target ? (
              <DeleteStageDialog stage={target} stages={list} onClose={close} />
            ) : null}
          </SettingsSection>
        );
      }}
    </Loaded>
  );
}

function StageList({
  stages,
  config,
  onDialog,
}: {
  stages: Stage[];
  config: Config | undefined;
  onDialog: (dialog: Dialog) => void;
}) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const refresh = useRefreshWorkflow();
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  const uids = useMemo(() => stages.map((stage) => stage.uid), [stages]);
  const names = useMemo(() => new Map(stages.map((s) => [s.uid, s.name])), [stages]);
  const incoming = useMemo(() => incomingCounts(stages), [stages]);
  const fields = useMemo(
    () => new Map((config?.variables ?? []).map((field) => [field.field_key, field])),
    [config],
  );

  const reorder = useMutation({
    mutationFn: (order: string[]) => unwrap(api.POST("/api/stages/reorder/", { body: { order } })),
    // The list moves at once; the snapshot puts it back if the server says no.
    onMutate: async (order) => {
      await queryClient.cancelQueries({ queryKey: queryKeys.stages });
      const snapshot = queryClient.getQueryData<Stage[]>(queryKeys.stages);
      if (snapshot) queryClient.setQueryData(queryKeys.stages, applyOrder(snapshot, order));
      return { snapshot };
    },
    onError: (error, _order, context) => {
      if (context?.snapshot) queryClient.setQueryData(queryKeys.stages, context.snapshot);
      toast(`The new order was not saved: ${errorMessage(error)}`, "error");
    },
    onSuccess: (saved) => queryClient.setQueryData(queryKeys.stages, saved),
    onSettled: () => void refresh(),
  });

  const onDragEnd = ({ active, over }: DragEndEvent) => {
    const next = reorderUids(uids, String(active.id), over ? String(over.id) : null);
    if (next) reorder.mutate(next);
  };

  const position = (id: string | number) => uids.indexOf(String(id)) + 1;
  const announcements: Announcements = {
    onDragStart: ({ active }) =>
      `Picked up stage ${names.get(String(active.id))}, position ${position(active.id)} of ${uids.length}.`,
    onDragOver: ({ active, over }) =>
      over
        ? `Stage ${names.get(String(active.id))} is over position ${position(over.id)} of ${uids.length}.`
        : `Stage ${names.get(String(active.id))} is not over the list.`,
    onDragEnd: ({ active, over }) =>
      over
        ? `Stage ${names.get(String(active.id))} dropped at position ${position(over.id)} of ${uids.length}.`
        : `Stage ${names.get(String(active.id))} dropped; the order did not change.`,
    onDragCancel: ({ active }) =>
      `Moving stage ${names.get(String(active.id))} was cancelled; the order did not change.`,
  };

  return (
    <div className="stage-table" role="table" aria-label="Stages">
      <div className="stage-grid stage-head" role="row">
        <span role="columnheader" aria-label="Reorder" />
        <span role="columnheader">Stage</span>
        <span role="columnheader">Kind</span>
        <span role="columnheader">Win %</span>
        <span role="columnheader">Leads may move to</span>
        <span role="columnheader">Required to enter</span>
        <span role="columnheader">Tasks</span>
        <span role="columnheader" aria-label="Actions" />
      </div>
      <DndContext
        sensors={sensors}
        collisionDetection={closestCenter}
        modifiers={[verticalOnly]}
        onDragEnd={onDragEnd}
        accessibility={{
          announcements,
          screenReaderInstructions: {
            draggable:
              "To reorder, press Space, move the stage with the up and down arrow keys, then " +
              "press Space again to drop it or Escape to cancel.",
          },
        }}
      >
        <SortableContext items={uids} strategy={verticalListSortingStrategy}>
          {stages.map((stage) => (
            <StageRow
              key={stage.uid}
              stage={stage}
              names={names}
              colors={stages}
              fields={fields}
              isInitial={config?.initial_stage === stage.uid}
              incoming={incoming.get(stage.uid) ?? 0}
              busy={reorder.isPending}
              onEdit={() => onDialog({ kind: "edit", uid: stage.uid })}
              onDelete={() => onDialog({ kind: "delete", uid: stage.uid })}
            />
          ))}
        </SortableContext>
      </DndContext>
      {reorder.isPending ? (
        <p className="muted settings-saving" role="status">
          Saving the new order…
        </p>
      ) : null}
    </div>
  );
}

function StageRow({
  stage,
  names,
  colors,
  fields,
  isInitial,
  incoming,
  busy,
  onEdit,
  onDelete,
}: {
  stage: Stage;
  names: Map<string, string>;
  colors: Stage[];
  fields: Map<string, FieldDefinition>;
  isInitial: boolean;
  incoming: number;
  busy: boolean;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } =
    useSortable({ id: stage.uid });
  const kind = stage.kind ?? "open";
  const next = stage.allowed_next_stages ?? [];
  const required = stage.required_fields ?? [];
  const templates = stage.task_templates ?? [];
  const requiredTasks = templates.filter((template) => template.required).length;
  const colorOf = (uid: string) => colors.find((s) => s.uid === uid)?.color ?? "#94a3b8";

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
          <svg width="12" height="18" viewBox="0 0 12 18" aria-hidden="true">
            {[3, 9, 15].map((y) => (
              <g key={y}>
                <circle cx="3" cy={y} r="1.6" />
                <circle cx="9" cy={y} r="1.6" />
              </g>
            ))}
          </svg>
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
        <span className={`badge badge-${kind}`}>{KIND_LABELS[kind]}</span>
      </span>
      <span role="cell" className="numeric">
        {stage.probability ?? 0}%
      </span>
      <span role="cell" className="chips">
        {next.length === 0 ? (
          <span className="muted">{kind === "open" ? "Nowhere: leads stay here" : "— (final)"}</span>
        ) : (
          next.map((uid) => (
            <span className="chip" key={uid}>
              <span className="chip-dot" style={{ background: colorOf(uid) }} aria-hidden="true" />
              {names.get(uid) ?? uid}
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
        <button
          type="button"
          className="btn btn-small"
          onClick={onEdit}
          data-testid={`edit-stage-${stage.uid}`}
        >
          Edit
        </button>
        <button
          type="button"
          className="btn btn-small btn-ghost btn-danger-ghost"
          onClick={onDelete}
          data-testid={`delete-stage-${stage.uid}`}
        >
          Delete
        </button>
      </span>
    </div>
  );
}
