"""What needs a seller's attention: overdue tasks and stale leads, decided in one place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from .enums import StageKind, WorkItemStatus
from .models import WorkStage


def is_overdue(status: WorkItemStatus, next_due_at: datetime | None, now: datetime) -> bool:
    """An open lead with a task past its due date; a won or lost lead's leftovers are not late."""
    return status is WorkItemStatus.OPEN and next_due_at is not None and next_due_at < now


def stale_since(stages: Sequence[WorkStage], now: datetime) -> dict[str, datetime]:
    """Per open stage that rots, the moment before which a lead's last activity makes it stale."""
    return {
        stage.uid: now - timedelta(days=stage.rot_after_days)
        for stage in stages
        if stage.kind is StageKind.OPEN and stage.rot_after_days is not None
    }


def idle_days(
    *,
    status: WorkItemStatus,
    stage: WorkStage | None,
    last_activity_at: datetime | None,
    now: datetime,
) -> int | None:
    """Whole days an open lead has gone without an activity or a move, when that is longer than
    its stage lets a lead rot; None when it is not stale."""
    if status is not WorkItemStatus.OPEN or stage is None or last_activity_at is None:
        return None
    threshold = stale_since([stage], now).get(stage.uid)
    if threshold is None or last_activity_at >= threshold:
        return None
    return (now - last_activity_at).days
