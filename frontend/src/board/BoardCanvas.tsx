// The drag-and-drop board: the columns (collapsible, with a scroll cue when they do not fit),
// the card in the air, the drop bar of closed stages, and the form a move opens when the target
// asks for fields or a lost reason. While a card is dragged every column and drop zone shows
// what the card's moves say about it: it takes the card, it asks first, or it is dimmed with
// the server's reason. Selected cards (useBoardSelection) are dragged together (useGroupMove).
import { DndContext, DragOverlay, type SensorDescriptor, type SensorOptions } from "@dnd-kit/core";
import { useIsMutating } from "@tanstack/react-query";
import { useCallback, useMemo, useRef } from "react";
import { useNavigate } from "react-router-dom";
import type { Board, Card, FieldDefinition } from "../api/types";
import { useLiveHold } from "../live/LiveProvider";
import type { LostReasonOption } from "../moves/LostReasonInputs";
import { moveCardKey, useLoadMore, useQuickAdd } from "./api";
import { CardBody, type UsersById } from "./BoardCard";
import { BoardColumn } from "./BoardColumn";
import { useCollapsedColumns } from "./collapse";
import { dropNote, dropState, type DropOutcome } from "./dragState";
import { DropBar } from "./DropBar";
import type { BoardFilters } from "./filters";
import { RequiredFieldsModal } from "./RequiredFields";
import { ScrollCue, useScrollEdges } from "./ScrollCue";
import { useDragMachine } from "./useDragMachine";
import { useMoveFlow } from "./useMoveFlow";
import { BoardSelectionBar } from "./BoardSelectionBar";
import { useBoardSelection } from "./useBoardSelection";
import { useGroupMove } from "./useGroupMove";

const NO_SENSORS: SensorDescriptor<SensorOptions>[] = [];

const SCREEN_READER_INSTRUCTIONS =
  "Press Space to pick up the lead card, the arrow keys to move it within a column or to " +
  "another stage, Space to drop it, Escape to cancel. Press Enter to open the lead, Shift+Enter " +
  "to select it: picking up a selected card carries all the selected ones.";

interface Props {
  board: Board;
  filters: BoardFilters;
  filtered: boolean;
  canDrag: boolean;
  canWrite: boolean;
  users: UsersById;
  variables: FieldDefinition[];
  lostReasons: LostReasonOption[];
  /** Whose collapsed columns to remember. */
  userUid: string;
}

export function BoardCanvas({
  board,
  filters,
  filtered,
  canDrag,
  canWrite,
  users,
  variables,
  lostReasons,
  userUid,
}: Props) {
  const navigate = useNavigate();
  const flow = useMoveFlow(board, filters, variables, lostReasons);
  // The selection reads whether a card is in the air (Escape then cancels the drag, not it);
  // the drag machine, which cards the grabbed one carries along.
  const inAir = useRef(false);
  const selection = useBoardSelection(board, inAir);
  const group = useGroupMove(board, filters, lostReasons, selection.clear);
  const { onDrop: dropOne } = flow;
  const { onGroupDrop } = group;
  const onDrop = useCallback(
    (outcome: DropOutcome, card: Card, byKeyboard: boolean) =>
      outcome.kind === "group" ? onGroupDrop(outcome.plan) : dropOne(outcome, card, byKeyboard),
    [dropOne, onGroupDrop],
  );
  const { drag, sensors, collisionDetection, announcements, handlers } = useDragMachine(
    board,
    onDrop,
    selection.selected,
  );
  inAir.current = drag !== null && !drag.dropped;
  // Others' changes wait while a card is in the air and until its move is settled: a board
  // refetched then would pull the card from under the pointer, or back to where it was.
  const moving = useIsMutating({ mutationKey: moveCardKey }) > 0;
  useLiveHold(drag !== null || moving);
  const { mutateAsync: loadMore } = useLoadMore(filters);
  const { mutateAsync: quickAdd } = useQuickAdd(filters);
  const { collapsed, toggle } = useCollapsedColumns(userUid);
  const scroller = useRef<HTMLDivElement>(null);
  const layout = board.columns.map((column) => `${column.uid}:${collapsed(column) ? 1 : 0}`).join(",");
  const edges = useScrollEdges(scroller, layout);

  const onLoadMore = useCallback(
    async (stage: string, cursor: string) => {
      await loadMore({ stage, cursor });
    },
    [loadMore],
  );
  const onCreate = useCallback(
    (name: string, data: Record<string, unknown> | undefined) => quickAdd({ name, data }),
    [quickAdd],
  );
  // The lead page offers "← Board" when it was opened from here.
  const onOpen = useCallback(
    (uid: string) => navigate(`/leads/${encodeURIComponent(uid)}`, { state: { from: "board" } }),
    [navigate],
  );

  const dragging = drag !== null && !drag.dropped ? drag : null;
  const shownCards = useMemo(
    () => (drag ? new Map(drag.board.columns.map((c) => [c.uid, c.leads])) : null),
    [drag],
  );
  const carried = useMemo(
    () => (dragging?.group ? new Set(dragging.group.map((member) => member.card.uid)) : null),
    [dragging],
  );

  return (
    <DndContext
      // Viewers get no sensors at all. dnd-kit wants the same number of sensors on every
      // render, so the context is remounted if the role ever changes; while the board of the
      // previous filters is shown (canDrag false) the cards are simply not draggable.
      key={canWrite ? "write" : "read"}
      sensors={canWrite ? sensors : NO_SENSORS}
      collisionDetection={collisionDetection}
      {...handlers}
      accessibility={{ announcements, screenReaderInstructions: { draggable: SCREEN_READER_INSTRUCTIONS } }}
    >
      <div className="board-frame">
        <div ref={scroller} className={`board${dragging ? " board-dragging" : ""}`} data-testid="board">
          {board.columns.map((column, index) => (
            <BoardColumn
              key={column.uid}
              column={column}
              cards={shownCards?.get(column.uid) ?? column.leads}
              users={users}
              drop={dragging ? dropState(dragging, column.uid) : null}
              note={dragging ? dropNote(dragging, column.uid) : null}
              canDrag={canDrag}
              filtered={filtered}
              quickAdd={canWrite && index === 0}
              variables={variables}
              onCreate={onCreate}
              onLoadMore={onLoadMore}
              onOpen={onOpen}
              selected={selection.selected}
              carried={carried}
              onSelect={selection.toggle}
              collapsed={collapsed(column)}
              onToggle={toggle}
            />
          ))}
        </div>
        <ScrollCue target={scroller} edges={edges} />
      </div>
      {dragging ? (
        <DropBar
          columns={board.columns}
          dropOf={(stage) => dropState(dragging, stage)}
          noteOf={(stage) => dropNote(dragging, stage)}
        />
      ) : null}
      <DragOverlay dropAnimation={null}>
        {dragging ? (
          // dnd-kit measures the overlay's first element for collisions and keyboard moves:
          // that frame stays upright, only the card inside it is tilted.
          <div className="card-overlay-frame" data-testid="drag-overlay">
            <div className={`card card-overlay${dragging.group ? " card-overlay-stack" : ""}`}>
              {dragging.group ? (
                <span className="card-stack-count" data-testid="drag-count" aria-hidden="true">
                  {dragging.group.length}
                </span>
              ) : null}
              <CardBody card={dragging.card} users={users} />
            </div>
          </div>
        ) : null}
      </DragOverlay>
      {flow.ask ? (
        <RequiredFieldsModal request={flow.ask} onSubmit={flow.submitAsk} onClose={flow.closeAsk} />
      ) : null}
      {group.ask ? (
        <RequiredFieldsModal request={group.ask} onSubmit={group.submitAsk} onClose={group.closeAsk} />
      ) : null}
      {canDrag ? <BoardSelectionBar selection={selection} hidden={dragging !== null} /> : null}
    </DndContext>
  );
}
