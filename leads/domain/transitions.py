"""The pipeline's rules for moving a lead (DESIGN.md section 3), as pure functions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .enums import StageKind, UserRole
from .errors import (
    BlockingTasks,
    MissingRequiredFields,
    TransitionNotAllowed,
    ValidationFailed,
)
from .fields import missing_values
from .models import User, WorkItem, WorkItemConfig, WorkStage


def is_reopening(current: WorkStage | None, target: WorkStage) -> bool:
    return (
        current is not None
        and current.kind is not StageKind.OPEN
        and (target.kind is StageKind.OPEN)
    )


def check_transition(
    *,
    lead: WorkItem,
    stages: list[WorkStage],
    config: WorkItemConfig,
    to_stage: str,
    data_after: Mapping[str, Any],
    actor: User,
) -> tuple[WorkStage | None, WorkStage]:
    """(current stage, target stage) when `lead` may move to `to_stage` holding `data_after`.

    Raises ValidationFailed (unknown stage), TransitionNotAllowed, BlockingTasks,
    MissingRequiredFields.
    """
    by_uid = {stage.uid: stage for stage in stages}
    target = by_uid.get(to_stage)
    if target is None:
        raise ValidationFailed.on("to_stage", f"unknown stage {to_stage}")
    current = by_uid.get(lead.current_stage)
    if target.uid == lead.current_stage:
        raise TransitionNotAllowed(
            f"The lead is already in {target.name}.",
            details={"reason": "same_stage", "stage": target.uid},
        )
    if is_reopening(current, target):
        # Reopening a won or lost deal is an admin's call, into any open stage.
        if actor.role is not UserRole.ADMIN:
            raise TransitionNotAllowed(
                "Only an admin can reopen a closed lead.",
                details={"reason": "reopen_requires_admin", "stage": target.uid},
            )
    else:
        allowed = current.allowed_next_stages if current is not None else []
        if current is not None and target.uid not in allowed:
            names = [by_uid[uid].name for uid in allowed if uid in by_uid]
            choices = ", ".join(names) if names else "nowhere"
            raise TransitionNotAllowed(
                f"{current.name} cannot move to {target.name} (allowed: {choices}).",
                details={"reason": "not_allowed", "allowed_next_stages": allowed},
            )
        blocking = [
            task
            for task in lead.tasks
            if task.stage == lead.current_stage and task.required and task.is_open
        ]
        if blocking:
            titles = ", ".join(task.title for task in blocking)
            raise BlockingTasks(
                f"Complete the required tasks first: {titles}.",
                details={
                    "reason": "blocking_tasks",
                    "tasks": [{"uid": task.uid, "title": task.title} for task in blocking],
                },
            )
    missing = missing_values(data_after, target.required_fields)
    if missing:
        labels = {d.field_key: d.label for d in config.variables}
        raise MissingRequiredFields(
            f"{target.name} needs: {', '.join(labels.get(key, key) for key in missing)}.",
            fields={f"data.{key}": [f"is required to enter {target.name}"] for key in missing},
            details={
                "reason": "missing_required_fields",
                "fields": [{"key": key, "label": labels.get(key, key)} for key in missing],
            },
        )
    return current, target
