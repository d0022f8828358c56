"""What a write does to a lead, decided by pure functions: the fields it sets, the history and
activities it records (their wording lives here, nowhere else), and the stage it enters.

Services load a lead, call one of these to decide, and hand the resulting `LeadChange` to the
store's one conditional write.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from .contacts import email_key, phone_key
from .enums import ActivityType, StageKind, TaskStatus, WorkItemStatus
from .errors import UndoNotAvailable
from .events import CompletedTask, EventKind, WriteStamp, actor_of
from .models import (
    Activity,
    FieldChange,
    FieldChangeEntry,
    HistoryEntry,
    LastMove,
    StageVisit,
    TaskInstance,
    User,
    WorkItem,
    WorkStage,
)
from .search import SEARCH_TERMS_VERSION, search_terms

STATUS_OF_KIND = {
    StageKind.OPEN: WorkItemStatus.OPEN,
    StageKind.WON: WorkItemStatus.WON,
    StageKind.LOST: WorkItemStatus.LOST,
}


def closed_at_for(status: WorkItemStatus, now: datetime) -> datetime | None:
    """THE closing-date rule: a lead gets one when it is won or lost, loses it when reopened."""
    return now if status in (WorkItemStatus.WON, WorkItemStatus.LOST) else None


@dataclass(frozen=True)
class StageEntry:
    """A lead leaving its stage for `stage`: the open visit closes, `visit` opens."""

    stage: WorkStage
    visit: StageVisit
    tasks: list[TaskInstance]
    rank: str


@dataclass(frozen=True)
class LeadChange:
    """One write of one lead. `set_fields` are stored values (never operators)."""

    at: datetime
    set_fields: dict[str, Any] = field(default_factory=dict)
    history: list[HistoryEntry] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    tasks: list[TaskInstance] = field(default_factory=list)
    enter: StageEntry | None = None
    # What the write announces (domain.events); a write without one announces nothing.
    stamp: WriteStamp | None = None


def next_due_at(tasks: list[TaskInstance]) -> datetime | None:
    """THE due date a lead shows and the overdue filter reads: its earliest open task's."""
    return min((task.due_at for task in tasks if task.is_open and task.due_at), default=None)


# The fields a lead's search terms are made of (besides its uid, which never changes).
_SEARCHED = frozenset({"name", "company", "email", "phone"})


def with_derived_fields(lead: WorkItem, change: LeadChange, *, actor: User) -> LeadChange:
    """`change` plus what follows from it: the next due date of the tasks the lead will have,
    the comparison keys of a new email or phone, the search terms of a new name, company, email
    or phone, when it records an activity the moment of the lead's last activity (what
    staleness is measured from), and the stamp announcing it as `actor`'s."""
    tasks = list(change.set_fields.get("tasks", lead.tasks))
    tasks += change.tasks + (change.enter.tasks if change.enter else [])
    derived: dict[str, Any] = {"next_due_at": next_due_at(tasks)}
    if "email" in change.set_fields:
        derived["email_key"] = email_key(change.set_fields["email"])
    if "phone" in change.set_fields:
        derived["phone_key"] = phone_key(change.set_fields["phone"])
    if _SEARCHED & set(change.set_fields):
        after = {name: change.set_fields.get(name, getattr(lead, name)) for name in _SEARCHED}
        derived["search_terms"] = search_terms(uid=lead.uid, **after)
        derived["search_terms_v"] = SEARCH_TERMS_VERSION
    if change.activities:
        derived["last_activity_at"] = change.at
    stamp = change_stamp(lead, change, actor)
    return replace(change, set_fields={**change.set_fields, **derived}, stamp=stamp)


# Kept by the store for its own reading, never a change anyone made.
_DERIVED = frozenset(
    {
        "next_due_at",
        "email_key",
        "phone_key",
        "search_terms",
        "search_terms_v",
        "last_activity_at",
        "updated_at",
    }
)
# Named as changed, but their old values are not repeated in the event: they are long.
_NOT_REPEATED = frozenset({"tasks", "history", "activities"})


def change_stamp(lead: WorkItem, change: LeadChange, actor: User) -> WriteStamp:
    """What `change` of `lead` announces: a move or an update, the fields it changes (custom
    fields as `data.<key>`) and their values before."""
    previous: dict[str, Any] = {}
    for name, value in change.set_fields.items():
        if name in _DERIVED:
            continue
        if name == "data":
            for key in sorted(set(lead.data) | set(value)):
                if lead.data.get(key) != value.get(key):
                    previous[f"data.{key}"] = lead.data.get(key)
        elif name in _NOT_REPEATED:
            previous[name] = None
        else:
            before = getattr(lead, name, None)
            if before != value:
                previous[name] = before.value if isinstance(before, StrEnum) else before
    if change.tasks:
        previous.setdefault("tasks", None)
    if change.activities and not previous:
        # Only when logging it is the change: most writes log an activity about themselves.
        previous["activities"] = None
    kind, from_stage, to_stage = EventKind.LEAD_UPDATED, None, None
    if change.enter is not None:
        kind, from_stage, to_stage = (
            EventKind.LEAD_MOVED,
            lead.current_stage,
            change.enter.stage.uid,
        )
        previous = {"current_stage": lead.current_stage, **previous}
    return WriteStamp(
        kind=kind,
        uid=lead.uid,
        version=lead.version + 1,
        at=change.at,
        by=actor_of(actor),
        from_stage=from_stage,
        to_stage=to_stage,
        fields=list(previous),
        previous={name: value for name, value in previous.items() if name not in _NOT_REPEATED},
        completed_tasks=_completed(lead, change),
    )


def _completed(lead: WorkItem, change: LeadChange) -> list[CompletedTask]:
    """The lead's tasks that `change` completes (what rules on task completion look for); not
    tasks it brings in completed (a merge's)."""
    if "tasks" not in change.set_fields:
        return []
    before = {task.uid: task.status for task in lead.tasks}
    return [
        CompletedTask(uid=task.uid, title=task.title, stage=task.stage or lead.current_stage)
        for task in change.set_fields["tasks"]
        if isinstance(task, TaskInstance)
        and task.status is TaskStatus.COMPLETED
        and task.uid in before
        and before[task.uid] is not TaskStatus.COMPLETED
    ]


def value_changes(
    before: Mapping[str, Any], after: Mapping[str, Any], *, prefix: str = ""
) -> list[FieldChange]:
    """THE diff: one change per key whose value differs, in key order."""
    return [
        FieldChange(field=f"{prefix}{key}", old=before.get(key), new=after.get(key))
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    ]


def stage_tasks(stage: WorkStage, *, actor: User | None, now: datetime) -> list[TaskInstance]:
    """The task instances a lead gets when it enters `stage`."""
    return [
        TaskInstance(
            **template.model_dump(
                include={"title", "description", "required", "skippable", "priority"}
            ),
            template_uid=template.uid,
            stage=stage.uid,
            due_at=None
            if template.due_in_hours is None
            else now + timedelta(hours=template.due_in_hours),
            created_at=now,
            created_by=actor.uid if actor else None,
        )
        for template in sorted(stage.task_templates, key=lambda template: template.order)
    ]


def entered_visit(stage: WorkStage, *, actor: User, now: datetime) -> StageVisit:
    """THE visit a lead opens when it enters `stage`: the stage's uid and the name it has now."""
    return StageVisit(stage=stage.uid, name=stage.name, entered_at=now, entered_by=actor.uid)


def logged(kind: ActivityType, body: str, actor: User, now: datetime, **details: Any) -> Activity:
    """An activity the service records (not one a seller logs): who, when, what, and the ids."""
    return Activity(type=kind, actor=actor.uid, created_at=now, body=body, details=details)


def created_activity(stage: WorkStage, actor: User, now: datetime) -> Activity:
    return logged(
        ActivityType.SYSTEM,
        f"Lead created in {stage.name}",
        actor,
        now,
        event="created",
        stage=stage.uid,
    )


def field_change(
    changes: list[FieldChange], set_fields: dict[str, Any], actor: User, now: datetime
) -> LeadChange:
    """An edit of core fields and custom fields, with its history entry and activity."""
    names = [change.field for change in changes]
    return LeadChange(
        at=now,
        set_fields={**set_fields, "updated_at": now},
        history=[FieldChangeEntry(at=now, by=actor.uid, changes=changes)],
        activities=[
            logged(
                ActivityType.FIELD_CHANGE, f"Changed {', '.join(names)}", actor, now, fields=names
            )
        ],
    )


def assignment_change(
    lead: WorkItem, assignees: list[str], mode: str, actor: User, now: datetime
) -> LeadChange:
    change = FieldChange(field="assigned_to", old=lead.assigned_to, new=assignees)
    return LeadChange(
        at=now,
        set_fields={"assigned_to": assignees, "updated_at": now},
        history=[FieldChangeEntry(at=now, by=actor.uid, changes=[change])],
        activities=[
            logged(
                ActivityType.ASSIGNMENT,
                "Changed assignees",
                actor,
                now,
                old=lead.assigned_to,
                new=assignees,
                mode=mode,
            )
        ],
    )


@dataclass(frozen=True)
class LostReason:
    reason: str
    note: str | None = None


def stage_change(
    lead: WorkItem,
    *,
    current: WorkStage | None,
    target: WorkStage,
    data_after: dict[str, Any],
    note: str | None,
    rank: str,
    actor: User,
    now: datetime,
    lost: LostReason | None = None,
) -> LeadChange:
    """A move to `target`: the visit, the target's tasks, the status and closing date, the
    custom fields filled with the move, why it was lost (when it was), what undoing it needs,
    and the stage_change activity, in one write."""
    set_fields: dict[str, Any] = {}
    history: list[HistoryEntry] = []
    # A lost lead keeps why; any other stage clears it.
    lost_fields = {
        "lost_reason": lost.reason if lost and target.kind is StageKind.LOST else None,
        "lost_note": lost.note if lost and target.kind is StageKind.LOST else None,
    }
    changes = value_changes(lead.data, data_after, prefix="data.") + value_changes(
        {"lost_reason": lead.lost_reason, "lost_note": lead.lost_note}, lost_fields
    )
    if changes:
        set_fields["data"] = data_after
        set_fields.update(lost_fields)
        history.append(FieldChangeEntry(at=now, by=actor.uid, changes=changes))
    status = STATUS_OF_KIND[target.kind]
    if status is not lead.status:
        set_fields["status"] = status.value
        set_fields["closed_at"] = closed_at_for(status, now)
    from_name = current.name if current is not None else lead.current_stage
    activity = logged(
        ActivityType.STAGE_CHANGE,
        note or f"Moved from {from_name} to {target.name}",
        actor,
        now,
        from_stage=lead.current_stage,
        to_stage=target.uid,
        note=note,
        fields=[change.field for change in changes],
        lost_reason=lost_fields["lost_reason"],
    )
    entry = StageEntry(
        stage=target,
        visit=entered_visit(target, actor=actor, now=now),
        tasks=stage_tasks(target, actor=actor, now=now),
        rank=rank,
    )
    set_fields["last_move"] = LastMove(
        by=actor.uid,
        at=now,
        version=lead.version + 1,
        from_stage=lead.current_stage,
        to_stage=target.uid,
        rank=lead.rank,
        stage_entered_at=lead.stage_entered_at,
        status=lead.status,
        closed_at=lead.closed_at,
        lost_reason=lead.lost_reason,
        lost_note=lead.lost_note,
        added_tasks=[task.uid for task in entry.tasks],
    )
    return LeadChange(
        at=now, set_fields=set_fields, history=history, activities=[activity], enter=entry
    )


def undo_change(
    lead: WorkItem, *, stage_names: dict[str, str], actor: User, now: datetime
) -> LeadChange:
    """Put the lead back where its last stage change found it, if `actor` made that change and
    nothing changed since. Raises UndoNotAvailable."""
    move = lead.last_move
    if move is None:
        raise UndoNotAvailable("There is no move of this lead to undo.")
    if move.by != actor.uid:
        raise UndoNotAvailable("Only the person who moved the lead can undo that move.")
    if move.version != lead.version:
        raise UndoNotAvailable("The lead changed since that move: move it back instead.")
    history: list[HistoryEntry] = []
    for entry in lead.history:
        if (
            isinstance(entry, StageVisit)
            and entry.stage == move.to_stage
            and entry.entered_at == move.at
        ):
            continue  # the visit the move opened never happened
        if (
            isinstance(entry, StageVisit)
            and entry.stage == move.from_stage
            and entry.exited_at == move.at
        ):
            entry = entry.model_copy(
                update={"exited_at": None, "exited_by": None, "duration_seconds": None}
            )
        history.append(entry)
    from_name = stage_names.get(move.from_stage, move.from_stage)
    to_name = stage_names.get(move.to_stage, move.to_stage)
    history.append(
        FieldChangeEntry(
            at=now,
            by=actor.uid,
            changes=[FieldChange(field="current_stage", old=move.to_stage, new=move.from_stage)],
        )
    )
    return LeadChange(
        at=now,
        set_fields={
            "current_stage": move.from_stage,
            "rank": move.rank,
            "stage_entered_at": move.stage_entered_at,
            "status": move.status,
            "closed_at": move.closed_at,
            "lost_reason": move.lost_reason,
            "lost_note": move.lost_note,
            "tasks": [task for task in lead.tasks if task.uid not in move.added_tasks],
            "history": history,
            "last_move": None,
        },
        activities=[
            logged(
                ActivityType.STAGE_CHANGE,
                f"Undid the move from {from_name} to {to_name}",
                actor,
                now,
                event="undo",
                from_stage=move.to_stage,
                to_stage=move.from_stage,
            )
        ],
    )


def stage_deleted_activity(
    deleted: WorkStage, target: WorkStage, actor: User, now: datetime
) -> Activity:
    return logged(
        ActivityType.SYSTEM,
        f"Moved from {deleted.name} to {target.name}: {deleted.name} was deleted",
        actor,
        now,
        event="stage_deleted",
        from_stage=deleted.uid,
        to_stage=target.uid,
    )


def rank_change(rank: str, now: datetime) -> LeadChange:
    """A card placed elsewhere in its column: nothing to record but the order."""
    return LeadChange(at=now, set_fields={"rank": rank, "updated_at": now})


# What each task action does: the statuses it acts on, the one it sets, and how it is logged.
@dataclass(frozen=True)
class TaskAction:
    event: str
    verb: str
    to_status: TaskStatus

    def applies_to(self, task: TaskInstance) -> bool:
        # Completing or skipping acts on an open task; reopening on a finished one.
        return task.is_done if self.to_status is TaskStatus.PENDING else task.is_open


COMPLETE = TaskAction(event="completed", verb="Completed task", to_status=TaskStatus.COMPLETED)
REOPEN = TaskAction(event="reopened", verb="Reopened task", to_status=TaskStatus.PENDING)
SKIP = TaskAction(event="skipped", verb="Skipped task", to_status=TaskStatus.SKIPPED)


def task_change(
    lead: WorkItem, task: TaskInstance, action: TaskAction, actor: User, now: datetime
) -> LeadChange:
    """Set one task's status (who and when it was finished, or neither when reopened)."""
    finished = action.to_status.is_done
    updated = task.model_copy(
        update={
            "status": action.to_status,
            "completed_at": now if finished else None,
            "completed_by": actor.uid if finished else None,
        }
    )
    return LeadChange(
        at=now,
        set_fields={
            "tasks": [updated if other.uid == task.uid else other for other in lead.tasks],
            "updated_at": now,
        },
        activities=[
            logged(
                ActivityType.TASK,
                f"{action.verb}: {task.title}",
                actor,
                now,
                task_uid=task.uid,
                event=action.event,
            )
        ],
    )


def task_added_activity(task: TaskInstance, actor: User, now: datetime) -> Activity:
    return logged(
        ActivityType.TASK, f"Added task: {task.title}", actor, now, task_uid=task.uid, event="added"
    )
