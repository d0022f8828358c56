"""A lead's tasks: complete, reopen, skip, add."""

from __future__ import annotations

from leads.domain.enums import ActivityType, TaskStatus
from leads.domain.errors import Conflict, LeadNotFound, TaskNotFound
from leads.domain.models import Activity, User, WorkItem, utcnow
from leads.selectors.leads import lead_get
from leads.store import leads as lead_store

_OPEN = [TaskStatus.PENDING.value, TaskStatus.IN_PROGRESS.value]
_DONE = [TaskStatus.COMPLETED.value, TaskStatus.SKIPPED.value]


def _task_activity(actor: User, task_uid: str, event: str) -> Activity:
    return Activity(
        type=ActivityType.TASK,
        actor=actor.uid,
        created_at=utcnow(),
        details={"task_uid": task_uid, "event": event},
    )


def _explain_no_match(uid: str, task_uid: str) -> WorkItem:
    """Why a task write matched nothing: the lead or the task is missing, or it is already so."""
    lead = lead_get(uid=uid)
    if not any(task.uid == task_uid for task in lead.tasks):
        raise TaskNotFound(f"Lead {uid} has no task {task_uid}.")
    return lead


def task_complete(*, uid: str, task_uid: str, actor: User) -> tuple[WorkItem, bool]:
    """Complete a task (who and when); (lead, False) when it was done already.
    Raises LeadNotFound, TaskNotFound."""
    activity = _task_activity(actor, task_uid, "completed")
    lead = lead_store.set_task_status(
        uid=uid,
        task_uid=task_uid,
        from_statuses=_OPEN,
        changes={
            "status": TaskStatus.COMPLETED.value,
            "completed_at": activity.created_at,
            "completed_by": actor.uid,
        },
        activity=activity,
        verb="Completed task",
    )
    if lead is not None:
        return lead, True
    return _explain_no_match(uid, task_uid), False


def task_reopen(*, uid: str, task_uid: str, actor: User) -> tuple[WorkItem, bool]:
    """Put a completed or skipped task back to pending; (lead, False) when it was open.
    Raises LeadNotFound, TaskNotFound."""
    lead = lead_store.set_task_status(
        uid=uid,
        task_uid=task_uid,
        from_statuses=_DONE,
        changes={"status": TaskStatus.PENDING.value, "completed_at": None, "completed_by": None},
        activity=_task_activity(actor, task_uid, "reopened"),
        verb="Reopened task",
    )
    if lead is not None:
        return lead, True
    return _explain_no_match(uid, task_uid), False


def task_skip(*, uid: str, task_uid: str, actor: User) -> tuple[WorkItem, bool]:
    """Skip an open task whose template allows it; (lead, False) when it was skipped already.
    Raises LeadNotFound, TaskNotFound, Conflict."""
    lead = lead_get(uid=uid)
    task = next((task for task in lead.tasks if task.uid == task_uid), None)
    if task is None:
        raise TaskNotFound(f"Lead {uid} has no task {task_uid}.")
    if task.status is TaskStatus.SKIPPED:
        return lead, False
    if not task.skippable:
        raise Conflict(f"'{task.title}' cannot be skipped: complete it instead.")
    activity = _task_activity(actor, task_uid, "skipped")
    skipped = lead_store.set_task_status(
        uid=uid,
        task_uid=task_uid,
        from_statuses=_OPEN,
        changes={
            "status": TaskStatus.SKIPPED.value,
            "completed_at": activity.created_at,
            "completed_by": actor.uid,
        },
        activity=activity,
        verb="Skipped task",
    )
    if skipped is not None:
        return skipped, True
    if not lead_store.lead_exists(uid):
        raise LeadNotFound(f"No lead {uid}.")
    raise Conflict(f"'{task.title}' changed meanwhile; reload and try again.")
