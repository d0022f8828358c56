"""A lead's tasks: complete, reopen, skip."""

from __future__ import annotations

from leads.domain.changes import COMPLETE, REOPEN, SKIP, LeadChange, TaskAction, task_change
from leads.domain.errors import TaskNotFound, TaskNotSkippable
from leads.domain.models import TaskInstance, User, utcnow

from .lead_writes import Loaded, Written, lead_write


def _task_write(*, uid: str, task_uid: str, action: TaskAction, actor: User) -> Written:
    def decide(loaded: Loaded) -> LeadChange | None:
        task = next((task for task in loaded.lead.tasks if task.uid == task_uid), None)
        if task is None:
            raise TaskNotFound(f"Lead {uid} has no task {task_uid}.")
        if not action.applies_to(task):
            return None
        _check_action(task, action)
        return task_change(loaded.lead, task, action, actor, utcnow())

    return lead_write(uid=uid, actor=actor, expected_version=None, decide=decide)


def _check_action(task: TaskInstance, action: TaskAction) -> None:
    if action is SKIP and not task.skippable:
        raise TaskNotSkippable(f"'{task.title}' cannot be skipped: complete it instead.")


def task_complete(*, uid: str, task_uid: str, actor: User) -> Written:
    """Complete an open task (who and when); `changed` is False when it was done already.
    Raises LeadNotFound, TaskNotFound."""
    return _task_write(uid=uid, task_uid=task_uid, action=COMPLETE, actor=actor)


def task_reopen(*, uid: str, task_uid: str, actor: User) -> Written:
    """Put a completed or skipped task back to pending; `changed` is False when it was open.
    Raises LeadNotFound, TaskNotFound."""
    return _task_write(uid=uid, task_uid=task_uid, action=REOPEN, actor=actor)


def task_skip(*, uid: str, task_uid: str, actor: User) -> Written:
    """Skip an open task whose template allows it; `changed` is False when it was finished
    already. Raises LeadNotFound, TaskNotFound, TaskNotSkippable."""
    return _task_write(uid=uid, task_uid=task_uid, action=SKIP, actor=actor)
