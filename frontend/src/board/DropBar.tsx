// While a card is dragged: a bar fixed at the bottom of the screen with a drop zone for every
// closed stage (Won, Lost…), so a lead can be closed wherever those columns are scrolled to or
// collapsed. Each zone shows what the card's moves say about it, as the columns do.
import { useDroppable } from "@dnd-kit/core";
import type { BoardColumn } from "../api/types";
import type { DropState } from "./dragState";

/** Droppable ids of the bar's zones, apart from columns and cards. */
export const DROP_BAR_PREFIX = "dropbar:";
export const dropBarId = (stage: string) => `${DROP_BAR_PREFIX}${stage}`;

function DropZone({
  column,
  drop,
  note,
}: {
  column: BoardColumn;
  drop: DropState;
  note: string | null;
}) {
  const { setNodeRef, isOver } = useDroppable({ id: dropBarId(column.uid) });
  const refused = drop === "refused";
  return (
    <div
      ref={setNodeRef}
      className={`drop-zone drop-zone-${column.kind}${refused ? " drop-zone-refused" : ""}${isOver && !refused ? " drop-zone-over" : ""}`}
      style={{ borderColor: column.color }}
      data-testid={`drop-zone-${column.uid}`}
      data-drop={drop}
      title={note ?? `Drop to move to ${column.name}`}
    >
      <strong>{column.name}</strong>
      <span className="drop-zone-note">{note ?? `Drop here to move to ${column.name}`}</span>
    </div>
  );
}

export function DropBar({
  columns,
  dropOf,
  noteOf,
}: {
  columns: BoardColumn[];
  dropOf: (stage: string) => DropState;
  noteOf: (stage: string) => string | null;
}) {
  const closed = columns.filter((column) => column.kind !== "open");
  if (closed.length === 0) return null;
  return (
    <div className="drop-bar" data-testid="drop-bar" aria-label="Close the lead">
      {closed.map((column) => (
        <DropZone key={column.uid} column={column} drop={dropOf(column.uid)} note={noteOf(column.uid)} />
      ))}
    </div>
  );
}
