"""The pipeline's rules for moving a lead (DESIGN.md section 3), as pure functions.

`lead_moves` lists, for a lead, every other stage with whether a move there is open and the
reasons when it is not; `check_transition` refuses a move with the same reasons. Both read the
one function `move_reasons`, so what a client is shown and what the server enforces cannot drift.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .attention import idle_days
from .enums import StageKind, WorkItemStatus
from .errors import (
    BlockingTasks,
    DomainError,
    MissingLostReason,
    MissingRequiredFields,
    TransitionNotAllowed,
    ValidationFailed,
)
from .fields import missing_values
from .models import BoardCard, LeadRecord, User, WorkItem, WorkItemConfig, WorkStage, utcnow


class ReasonCode(StrEnum):
    NOT_ALLOWED = "not_allowed"
    REOPEN_REQUIRES_ADMIN = "reopen_requires_admin"
    ARCHIVED = "archived"
    BLOCKING_TASKS = "blocking_tasks"
    MISSING_REQUIRED_FIELDS = "missing_required_fields"
    LOST_REASON_REQUIRED = "lost_reason_required"
    SAME_STAGE = "same_stage"


# The reasons a client can answer with the move itself (the fields, the lost reason): a target
# refused only for these asks for them instead of refusing the drop.
ANSWERABLE = frozenset({ReasonCode.MISSING_REQUIRED_FIELDS, ReasonCode.LOST_REASON_REQUIRED})


@dataclass(frozen=True)
class TaskRef:
    uid: str
    title: str


@dataclass(frozen=True)
class FieldRef:
    key: str
    label: str


@dataclass(frozen=True)
class MoveReason:
    code: ReasonCode
    message: str
    tasks: tuple[TaskRef, ...] = ()
    fields: tuple[FieldRef, ...] = ()


@dataclass(frozen=True)
class Move:
    to_stage: str
    allowed: bool
    reasons: tuple[MoveReason, ...]


@dataclass(frozen=True)
class MoveSubject:
    """What deciding a move reads of a lead: a full lead or a Kanban card both provide it."""

    current_stage: str
    status: WorkItemStatus
    data: Mapping[str, Any]
    blocking_tasks: Sequence[TaskRef]

    @classmethod
    def of(cls, lead: WorkItem | BoardCard) -> MoveSubject:
        """A full lead finds its blocking tasks among its tasks; a card was read with them."""
        blocking = (
            [task for task in lead.stage_tasks() if task.blocks_leaving]
            if isinstance(lead, WorkItem)
            else lead.blocking_tasks
        )
        return cls(
            current_stage=lead.current_stage,
            status=lead.status,
            data=lead.data,
            blocking_tasks=[TaskRef(uid=task.uid, title=task.title) for task in blocking],
        )


@dataclass(frozen=True)
class Pipeline:
    """The stages and field labels a decision needs, indexed once per request."""

    stages: Sequence[WorkStage]
    labels: Mapping[str, str]
    by_uid: Mapping[str, WorkStage]

    @classmethod
    def of(cls, stages: Sequence[WorkStage], config: WorkItemConfig | None) -> Pipeline:
        labels = {d.field_key: d.label for d in config.variables} if config else {}
        return cls(stages=stages, labels=labels, by_uid={stage.uid: stage for stage in stages})

    def stage(self, uid: str) -> WorkStage | None:
        return self.by_uid.get(uid)


def is_reopening(current: WorkStage | None, target: WorkStage) -> bool:
    return (
        current is not None
        and current.kind is not StageKind.OPEN
        and (target.kind is StageKind.OPEN)
    )


def is_forward(current: WorkStage | None, target: WorkStage) -> bool:
    """A move on towards winning: to a won stage, or to an open stage later in the pipeline.
    Required tasks gate these only: a seller may always step back or drop a lead (DESIGN 3)."""
    if target.kind is StageKind.WON:
        return True
    if target.kind is StageKind.LOST:
        return False
    return current is None or (target.order, target.uid) > (current.order, current.uid)


def _list_names(names: Sequence[str]) -> str:
    return ", ".join(names) if names else "nowhere"


def move_reasons(
    subject: MoveSubject,
    target: WorkStage,
    pipeline: Pipeline,
    *,
    actor_is_admin: bool,
    data: Mapping[str, Any] | None = None,
    lost_reason: str | None = None,
) -> list[MoveReason]:
    """Why `subject` may not move to `target` (holding `data`, else its own, and giving
    `lost_reason`), most basic first; an empty list when it may."""
    if target.uid == subject.current_stage:
        return [MoveReason(ReasonCode.SAME_STAGE, f"The lead is already in {target.name}.")]
    if subject.status is WorkItemStatus.ARCHIVED:
        return [MoveReason(ReasonCode.ARCHIVED, "The lead is archived: restore it first.")]
    reasons: list[MoveReason] = []
    current = pipeline.stage(subject.current_stage)
    if is_reopening(current, target):
        # Reopening a won or lost deal is an admin's call, into any open stage, whatever tasks
        # the closing stage left.
        if not actor_is_admin:
            reasons.append(
                MoveReason(
                    ReasonCode.REOPEN_REQUIRES_ADMIN, "Only an admin can reopen a closed lead."
                )
            )
    else:
        allowed = current.allowed_next_stages if current is not None else []
        if current is not None and target.uid not in allowed:
            names = [stage.name for uid in allowed if (stage := pipeline.stage(uid))]
            reasons.append(
                MoveReason(
                    ReasonCode.NOT_ALLOWED,
                    f"{current.name} cannot move to {target.name} (allowed: {_list_names(names)}).",
                )
            )
        if subject.blocking_tasks and is_forward(current, target):
            titles = ", ".join(task.title for task in subject.blocking_tasks)
            reasons.append(
                MoveReason(
                    ReasonCode.BLOCKING_TASKS,
                    f"Complete the required tasks first: {titles}.",
                    tasks=tuple(subject.blocking_tasks),
                )
            )
    missing = missing_values(subject.data if data is None else data, target.required_fields)
    if missing:
        fields = tuple(FieldRef(key=key, label=pipeline.labels.get(key, key)) for key in missing)
        reasons.append(
            MoveReason(
                ReasonCode.MISSING_REQUIRED_FIELDS,
                f"{target.name} needs: {', '.join(field.label for field in fields)}.",
                fields=fields,
            )
        )
    if target.kind is StageKind.LOST and not lost_reason:
        reasons.append(MoveReason(ReasonCode.LOST_REASON_REQUIRED, "Say why the lead was lost."))
    return reasons


def lead_moves(subject: MoveSubject, pipeline: Pipeline, *, actor_is_admin: bool) -> list[Move]:
    """Every stage but the lead's own, in pipeline order, with whether it may move there."""
    moves = []
    for target in pipeline.stages:
        if target.uid == subject.current_stage:
            continue
        reasons = move_reasons(subject, target, pipeline, actor_is_admin=actor_is_admin)
        moves.append(Move(to_stage=target.uid, allowed=not reasons, reasons=tuple(reasons)))
    return moves


_ERROR_OF_REASON: dict[ReasonCode, type[DomainError]] = {
    ReasonCode.NOT_ALLOWED: TransitionNotAllowed,
    ReasonCode.REOPEN_REQUIRES_ADMIN: TransitionNotAllowed,
    ReasonCode.ARCHIVED: TransitionNotAllowed,
    ReasonCode.SAME_STAGE: TransitionNotAllowed,
    ReasonCode.BLOCKING_TASKS: BlockingTasks,
    ReasonCode.MISSING_REQUIRED_FIELDS: MissingRequiredFields,
    ReasonCode.LOST_REASON_REQUIRED: MissingLostReason,
}


def reason_details(reason: MoveReason) -> dict[str, Any]:
    """A reason as the API shows it, in `moves` and in a refusal's 409 `details` alike."""
    shown: dict[str, Any] = {"code": reason.code.value, "message": reason.message}
    if reason.tasks:
        shown["tasks"] = [{"uid": task.uid, "title": task.title} for task in reason.tasks]
    if reason.fields:
        shown["fields"] = [{"key": field.key, "label": field.label} for field in reason.fields]
    return shown


def check_transition(
    *,
    subject: MoveSubject,
    pipeline: Pipeline,
    to_stage: str,
    data_after: Mapping[str, Any],
    actor_is_admin: bool,
    lost_reason: str | None = None,
) -> tuple[WorkStage | None, WorkStage]:
    """(current stage, target stage) when the lead may move to `to_stage` holding `data_after`.

    Raises ValidationFailed (unknown stage), TransitionNotAllowed, BlockingTasks,
    MissingRequiredFields: the error of the first reason, with every reason in its details.
    """
    target = pipeline.stage(to_stage)
    if target is None:
        raise ValidationFailed.on("to_stage", f"unknown stage {to_stage}")
    reasons = move_reasons(
        subject,
        target,
        pipeline,
        actor_is_admin=actor_is_admin,
        data=data_after,
        lost_reason=lost_reason,
    )
    if reasons:
        first = reasons[0]
        # What a form can ask for with the move.
        fields = {
            f"data.{field.key}": [f"is required to enter {target.name}"]
            for reason in reasons
            for field in reason.fields
        }
        if any(reason.code is ReasonCode.LOST_REASON_REQUIRED for reason in reasons):
            fields["lost_reason"] = [f"is required to enter {target.name}"]
        raise _ERROR_OF_REASON[first.code](
            " ".join(reason.message for reason in reasons),
            fields=fields,
            details={
                "reason": first.code.value,
                "to_stage": target.uid,
                "reasons": [reason_details(reason) for reason in reasons],
            },
        )
    return pipeline.stage(subject.current_stage), target


@dataclass(frozen=True)
class LeadDetail:
    """A lead as its page shows it to `reader`: the record, the moves open to them, whether it
    is stale, and whether they may undo its last move."""

    lead: WorkItem
    activity_count: int
    moves: list[Move]
    stale_days: int | None
    can_undo: bool

    @classmethod
    def of(cls, record: LeadRecord, pipeline: Pipeline, *, reader: User) -> LeadDetail:
        lead = record.lead
        move = lead.last_move
        return cls(
            lead=lead,
            activity_count=record.activity_count,
            moves=lead_moves(MoveSubject.of(lead), pipeline, actor_is_admin=reader.is_admin),
            stale_days=idle_days(
                status=lead.status,
                stage=pipeline.stage(lead.current_stage),
                last_activity_at=lead.last_activity_at,
                now=utcnow(),
            ),
            can_undo=move is not None and move.by == reader.uid and move.version == lead.version,
        )
