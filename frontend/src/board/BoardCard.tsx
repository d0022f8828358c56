// A lead's card. The body is memoized on the card object: during a drag only the thin sortable
// wrappers re-render (dnd-kit's context changes on every move), never the card contents.
import { useSortable } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { memo, type KeyboardEvent } from "react";
import type { Card, User } from "../api/types";
import { daysSince, formatDateTime, formatMoney, initials } from "../app/queries";
import { Avatar } from "../ui/components";

export type UsersById = ReadonlyMap<string, User>;

const MAX_AVATARS = 3;

function daysLabel(days: number): string {
  if (days === 0) return "Today";
  return days === 1 ? "1 day" : `${days} days`;
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
          {requiredOpen > 0 ? <span className="card-required-open">{requiredOpen} required</span> : null}
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
          className={`card-days${days >= 14 ? " card-days-stale" : ""}`}
          title={`In this stage since ${formatDateTime(card.entered_stage_at)}`}
          data-testid="card-days"
        >
          {daysLabel(days)}
        </span>
      </div>
    </>
  );
});

interface CardProps {
  card: Card;
  users: UsersById;
  onOpen: (uid: string) => void;
}

/** A card people can drag (pointer or keyboard: Space to pick up, arrows, Space to drop). */
export const SortableCard = memo(function SortableCard({ card, users, onOpen }: CardProps) {
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({
    id: card.uid,
  });
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    // dnd-kit's listener picks the card up on Space; Enter (when not dragging) opens it. The
    // cast: dnd-kit types its listeners as bare `Function`s.
    (listeners?.onKeyDown as ((event: KeyboardEvent) => void) | undefined)?.(event);
    if (event.key === "Enter" && !isDragging && !event.defaultPrevented) onOpen(card.uid);
  };
  return (
    <div
      ref={setNodeRef}
      className={`card card-draggable${isDragging ? " card-placeholder" : ""}`}
      style={{ transform: CSS.Translate.toString(transform), transition }}
      data-testid={`card-${card.uid}`}
      {...attributes}
      {...listeners}
      aria-roledescription="draggable lead card"
      onKeyDown={onKeyDown}
      onClick={() => onOpen(card.uid)}
    >
      <CardBody card={card} users={users} />
    </div>
  );
});

/** A card for people who may only read: opens the lead, cannot be dragged. */
export const StaticCard = memo(function StaticCard({ card, users, onOpen }: CardProps) {
  return (
    <div
      className="card"
      role="link"
      tabIndex={0}
      data-testid={`card-${card.uid}`}
      onClick={() => onOpen(card.uid)}
      onKeyDown={(event) => {
        if (event.key === "Enter") onOpen(card.uid);
      }}
    >
      <CardBody card={card} users={users} />
    </div>
  );
});
