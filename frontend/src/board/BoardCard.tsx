// A lead's card. The body is memoized on the card object: during a drag only the thin sortable
// wrappers re-render (dnd-kit's context changes on every move), never the card contents.
import { useSortable } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { memo, type KeyboardEvent } from "react";
import type { Card, User } from "../api/types";
import { daysSince, formatDateTime, formatMoney, initials } from "../app/queries";
import { Avatar } from "../ui/components";
import { selectsInstead } from "./useBoardSelection";

export type UsersById = ReadonlyMap<string, User>;

const MAX_AVATARS = 3;

function daysLabel(days: number): string {
  if (days === 0) return "Today";
  return days === 1 ? "1 day" : `${days} days`;
}

/** A due date as a card shows it: "Due 3 Dec". */
export function dueLabel(iso: string): string {
  return `Due ${new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "short" })}`;
}

/** The server's stale flag in words: "No activity for 12 days". */
export function staleLabel(days: number): string {
  return `No activity for ${days} ${days === 1 ? "day" : "days"}`;
}

export const CardBody = memo(function CardBody({ card, users }: { card: Card; users: UsersById }) {
  const days = daysSince(card.entered_stage_at);
  const { done, total, required_open: requiredOpen } = card.tasks;
  const assignees = card.assigned_to ?? [];
  const shown = assignees.slice(0, MAX_AVATARS);
  const names = assignees.map((uid) => {
    const user = users.get(uid);
    return user ? user.display_name || user.username : "Unknown user";
  });
  return (
    <>
      <div className="card-top">
        <span className="card-name">{card.name}</span>
        {typeof card.value === "number" ? (
          <span className="card-value">{formatMoney(card.value)}</span>
        ) : null}
      </div>
      {card.company ? <div className="card-company">{card.company}</div> : null}
      {card.stale_days !== null || card.next_due_at ? (
        <div className="card-flags">
          {card.next_due_at ? (
            <span
              className={`card-due${card.overdue ? " card-overdue" : ""}`}
              data-testid="card-due"
              title={`${card.overdue ? "Overdue: a" : "A"}n open task is due ${formatDateTime(card.next_due_at)}`}
            >
              {card.overdue ? "Overdue · " : ""}
              {dueLabel(card.next_due_at)}
            </span>
          ) : null}
          {card.stale_days !== null ? (
            <span className="card-stale-note" data-testid="card-stale">
              {staleLabel(card.stale_days)}
            </span>
          ) : null}
        </div>
      ) : null}
      {total > 0 ? (
        <div
          className={`card-tasks${done >= total ? " card-tasks-done" : ""}`}
          title={`${done} of ${total} tasks of this stage done${requiredOpen > 0 ? `, ${requiredOpen} required still open` : ""}`}
          data-testid="card-tasks"
        >
          <span className="card-progress" aria-hidden="true">
            <span style={{ width: `${Math.round((done / total) * 100)}%` }} />
          </span>
          <span>
            {done}/{total} tasks
          </span>
          {requiredOpen > 0 ? (
            <span className="card-required-open" data-testid="card-required-open">
              <LockIcon /> {requiredOpen} required open
            </span>
          ) : null}
        </div>
      ) : null}
      <div className="card-footer">
        <span className="card-avatars" aria-label={names.length ? `Assigned to ${names.join(", ")}` : "Unassigned"}>
          {shown.map((uid, index) => (
            <Avatar key={uid} label={initials(users.get(uid))} title={names[index]} />
          ))}
          {assignees.length > MAX_AVATARS ? (
            <span className="avatar avatar-more" title={names.slice(MAX_AVATARS).join(", ")}>
              +{assignees.length - MAX_AVATARS}
            </span>
          ) : null}
          {assignees.length === 0 ? <span className="card-unassigned">Unassigned</span> : null}
        </span>
        {card.status === "archived" ? <span className="badge">Archived</span> : null}
        <span
          className="card-days"
          title={`In this stage since ${formatDateTime(card.entered_stage_at)}`}
          data-testid="card-days"
        >
          {days === 0 ? "Today" : `${daysLabel(days)} in stage`}
        </span>
      </div>
    </>
  );
});

/** The classes that mark a stale or overdue card. */
function cardState(card: Card): string {
  return `${card.stale_days !== null ? " card-stale" : ""}${card.overdue ? " card-is-overdue" : ""}`;
}

interface CardProps {
  card: Card;
  users: UsersById;
  onOpen: (uid: string) => void;
}

interface SortableProps extends CardProps {
  /** Picked (Shift or Cmd/Ctrl-click) to be dragged or acted on with the others. */
  selected: boolean;
  /** Carried along in the drag of another selected card: shown faded where it was. */
  carried: boolean;
  onSelect: (uid: string) => void;
}

/** A card people can drag (pointer or keyboard: Space to pick up, arrows, Space to drop);
 * Shift- or Cmd/Ctrl-click selects it instead of opening it. */
export const SortableCard = memo(function SortableCard({
  card,
  users,
  onOpen,
  selected,
  carried,
  onSelect,
}: SortableProps) {
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({
    id: card.uid,
  });
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    // dnd-kit's listener picks the card up on Space; Enter (when not dragging) opens it. The
    // cast: dnd-kit types its listeners as bare `Function`s.
    (listeners?.onKeyDown as ((event: KeyboardEvent) => void) | undefined)?.(event);
    // Shift/Cmd/Ctrl+Enter selects it, as the same click does.
    if (event.key === "Enter" && !isDragging && !event.defaultPrevented) {
      if (selectsInstead(event)) onSelect(card.uid);
      else onOpen(card.uid);
    }
  };
  return (
    <div
      ref={setNodeRef}
      className={`card card-draggable${isDragging ? " card-placeholder" : ""}${selected ? " card-selected" : ""}${carried ? " card-carried" : ""}${cardState(card)}`}
      style={{ transform: CSS.Translate.toString(transform), transition }}
      data-testid={`card-${card.uid}`}
      data-stale={card.stale_days !== null ? "true" : "false"}
      data-overdue={card.overdue ? "true" : "false"}
      data-selected={selected ? "true" : "false"}
      {...attributes}
      {...listeners}
      aria-roledescription="draggable lead card"
      onKeyDown={onKeyDown}
      // Shift-click would otherwise select the text between two cards.
      onMouseDown={(event) => {
        if (event.shiftKey) event.preventDefault();
      }}
      onClick={(event) => (selectsInstead(event) ? onSelect(card.uid) : onOpen(card.uid))}
    >
      {selected ? (
        <span className="card-check" aria-hidden="true">
          ✓
        </span>
      ) : null}
      {/* Read with the card's name: the role a draggable card has no aria-selected for. */}
      {selected ? <span className="visually-hidden">Selected. </span> : null}
      <CardBody card={card} users={users} />
    </div>
  );
});

/** A card for people who may only read: opens the lead, cannot be dragged. */
export const StaticCard = memo(function StaticCard({ card, users, onOpen }: CardProps) {
  return (
    <div
      className={`card${cardState(card)}`}
      role="link"
      tabIndex={0}
      data-testid={`card-${card.uid}`}
      data-stale={card.stale_days !== null ? "true" : "false"}
      data-overdue={card.overdue ? "true" : "false"}
      onClick={() => onOpen(card.uid)}
      onKeyDown={(event) => {
        if (event.key === "Enter") onOpen(card.uid);
      }}
    >
      <CardBody card={card} users={users} />
    </div>
  );
});

/** A small padlock: the stage's required tasks still open hold the lead back from moving on. */
function LockIcon() {
  return (
    <svg className="lock-icon" width="10" height="11" viewBox="0 0 10 11" aria-hidden="true">
      <rect x="1" y="5" width="8" height="6" rx="1.2" fill="currentColor" />
      <path d="M3 5V3.5a2 2 0 0 1 4 0V5" fill="none" stroke="currentColor" strokeWidth="1.4" />
    </svg>
  );
}
