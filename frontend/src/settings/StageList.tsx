// The stage rows, sortable by drag or keyboard. A drop moves the row at once and saves the new
// order; a refusal puts it back with a message.
import {
  closestCenter,
  DndContext,
  type Announcements,
  type DragEndEvent,
  type Modifier,
} from "@dnd-kit/core";
import { SortableContext, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { useMemo } from "react";
import type { Config, Stage } from "../api/types";
import { useToast } from "../ui/toast";
import { useSortableSensors } from "../ui/useSortableSensors";
import { useReorderStages } from "./api";
import { incomingCounts, reorderUids } from "./ordering";
import { errorMessage } from "./shared";
import { StageRow } from "./StageRow";
import type { StageDialog } from "./StagesTab";

// A stage list only moves up and down; without this the row follows the pointer sideways too.
const verticalOnly: Modifier = ({ transform }) => ({ ...transform, x: 0 });

export function StageList({
  stages,
  config,
  onDialog,
}: {
  stages: Stage[];
  config: Config | undefined;
  onDialog: (dialog: StageDialog) => void;
}) {
  const toast = useToast();
  const reorder = useReorderStages();
  const sensors = useSortableSensors(4);
  const uids = useMemo(() => stages.map((stage) => stage.uid), [stages]);
  const names = useMemo(() => new Map(stages.map((s) => [s.uid, s.name])), [stages]);
  const incoming = useMemo(() => incomingCounts(stages), [stages]);
  const fields = useMemo(
    () => new Map((config?.variables ?? []).map((field) => [field.field_key, field])),
    [config],
  );

  const onDragEnd = ({ active, over }: DragEndEvent) => {
    const next = reorderUids(uids, String(active.id), over ? String(over.id) : null);
    if (!next) return;
    reorder.mutate(next, {
      onError: (error) => toast(`The new order was not saved: ${errorMessage(error)}`, "error"),
    });
  };

  const position = (id: string | number) => uids.indexOf(String(id)) + 1;
  const name = (id: string | number) => names.get(String(id));
  const announcements: Announcements = {
    onDragStart: ({ active }) =>
      `Picked up stage ${name(active.id)}, position ${position(active.id)} of ${uids.length}.`,
    onDragOver: ({ active, over }) =>
      over
        ? `Stage ${name(active.id)} is over position ${position(over.id)} of ${uids.length}.`
        : `Stage ${name(active.id)} is not over the list.`,
    onDragEnd: ({ active, over }) =>
      over
        ? `Stage ${name(active.id)} dropped at position ${position(over.id)} of ${uids.length}.`
        : `Stage ${name(active.id)} dropped; the order did not change.`,
    onDragCancel: ({ active }) =>
      `Moving stage ${name(active.id)} was cancelled; the order did not change.`,
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
              stages={stages}
              fields={fields}
              isInitial={config?.initial_stage === stage.uid}
              incoming={incoming.get(stage.uid) ?? 0}
              busy={reorder.isPending}
              onEdit={() => onDialog({ kind: "edit", uid: stage.uid })}
              onDelete={() => onDialog({ kind: "delete", stage })}
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
