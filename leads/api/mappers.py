"""The one mapper from domain results to the API's output models.

An output model lists its fields itself; `_out` copies what it lists from the stored document
and drops everything else, so a stored field is never published by accident.
"""

from __future__ import annotations

import math
from typing import Any, TypeVar

from pydantic import BaseModel

from leads.domain.attention import is_overdue
from leads.domain.audit import AuditEntry
from leads.domain.automation import Names, Rule, Run, sentence
from leads.domain.events import Event
from leads.domain.jobs import Job, JobStatus
from leads.domain.merge import LeadMatch
from leads.domain.models import (
    Activity,
    BoardCard,
    LeadHit,
    LeadSummary,
    SavedView,
    TaskInstance,
    User,
    WorkItem,
    WorkItemConfig,
    WorkStage,
    utcnow,
)
from leads.domain.transitions import LeadDetail, Move, reason_details
from leads.domain.webhooks import Delivery, DeliveryStatus, Webhook
from leads.selectors.kanban import Column
from leads.services.bulk import BulkResult
from leads.services.imports import COUNTS, Preview, Upload, payload_of
from leads.services.leads import CreatedLead

from .errors import item_error
from .schemas import (
    ActivityOut,
    AuditEntryOut,
    BulkItemOut,
    BulkOut,
    CardOut,
    ConfigOut,
    CreatedLeadOut,
    DeliveryOut,
    ErrorDetail,
    EventActorOut,
    EventOut,
    ImportOut,
    ImportPreviewOut,
    ImportUploadOut,
    KanbanColumn,
    LeadHitOut,
    LeadListItem,
    LeadMatchOut,
    LeadOut,
    MoveOut,
    RowErrorOut,
    RuleAuthorOut,
    RuleListOut,
    RuleOut,
    RunOut,
    StageOut,
    TaskCountsOut,
    TaskOut,
    UserOut,
    ViewOut,
    WebhookCreatedOut,
    WebhookOut,
    WebhookStateOut,
)

Out = TypeVar("Out", bound=BaseModel)


def _out(model: type[Out], source: BaseModel, **computed: Any) -> Out:
    return model.model_validate({**source.model_dump(), **computed})


def moves_out(moves: list[Move], *, with_task_uids: bool = True) -> list[MoveOut]:
    """`with_task_uids=False` for cards, whose moves are shared by every card held by tasks of
    the same titles (see the Kanban selector): the uids would be those of one card only."""
    shown = []
    for move in moves:
        reasons = [reason_details(reason) for reason in move.reasons]
        if not with_task_uids:
            for reason in reasons:
                reason.pop("tasks", None)
        shown.append(
            MoveOut.model_validate(
                {"to_stage": move.to_stage, "allowed": move.allowed, "reasons": reasons}
            )
        )
    return shown


def task_out(task: TaskInstance) -> TaskOut:
    return _out(TaskOut, task, done=task.is_done)


def task_counts(lead: WorkItem) -> TaskCountsOut:
    tasks = lead.stage_tasks()
    return TaskCountsOut(
        done=sum(task.is_done for task in tasks),
        total=len(tasks),
        required_open=sum(task.blocks_leaving for task in tasks),
    )


def activity_out(activity: Activity) -> ActivityOut:
    return _out(ActivityOut, activity)


def lead_out(detail: LeadDetail) -> LeadOut:
    lead = detail.lead
    return _out(
        LeadOut,
        lead,
        tasks=[task_out(task) for task in lead.tasks],
        task_counts=task_counts(lead),
        activity_count=detail.activity_count,
        moves=moves_out(detail.moves),
        overdue=is_overdue(lead.status, lead.next_due_at, utcnow()),
        stale_days=detail.stale_days,
        can_undo=detail.can_undo,
    )


def match_out(match: LeadMatch, *, email_key: str | None, phone_key: str | None) -> LeadMatchOut:
    return _out(
        LeadMatchOut, match, matched_on=match.matched_on(email_key=email_key, phone_key=phone_key)
    )


def created_lead_out(created: CreatedLead) -> CreatedLeadOut:
    lead = created.lead
    return CreatedLeadOut.model_validate(
        {
            **lead_out(created).model_dump(),
            "possible_duplicates": [
                match_out(match, email_key=lead.email_key, phone_key=lead.phone_key)
                for match in created.possible_duplicates
            ],
        }
    )


def lead_list_item(lead: LeadSummary) -> LeadListItem:
    return _out(LeadListItem, lead, overdue=is_overdue(lead.status, lead.next_due_at, utcnow()))


def lead_hit_out(hit: LeadHit) -> LeadHitOut:
    return _out(LeadHitOut, hit)


def view_out(view: SavedView) -> ViewOut:
    return _out(ViewOut, view)


def stage_out(stage: WorkStage) -> StageOut:
    return _out(StageOut, stage)


def config_out(config: WorkItemConfig) -> ConfigOut:
    return _out(ConfigOut, config)


def user_out(user: User) -> UserOut:
    return _out(UserOut, user)


def _finite_number(value: Any) -> float | None:
    # A value stored by an older version or an import may be text or not finite: the card shows
    # no value rather than failing the whole board.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


# What a card shows of the stored card as it is; the others are computed.
_CARD_FIELDS = ("uid", "name", "email", "company", "assigned_to", "status", "rank", "version")


def card_out(card: BoardCard, moves: list[MoveOut], stale_days: int | None) -> CardOut:
    # Every value is already typed and checked (the stored card, the mapped moves): constructed
    # without validating again, which a board of a thousand cards would pay for a thousand times.
    return CardOut.model_construct(
        **{name: getattr(card, name) for name in _CARD_FIELDS},
        value=_finite_number(card.value),
        tasks=TaskCountsOut.model_construct(
            done=card.tasks_done, total=card.tasks_total, required_open=len(card.blocking_tasks)
        ),
        updated_at=card.updated_at,
        entered_stage_at=card.stage_entered_at,
        next_due_at=card.next_due_at,
        overdue=is_overdue(card.status, card.next_due_at, utcnow()),
        stale_days=stale_days,
        moves=moves,
    )


def column_out(column: Column) -> KanbanColumn:
    # Cards held the same way share one list of moves (see the kanban selector): map it once.
    shared: dict[int, list[MoveOut]] = {}
    for card in column.cards:
        if id(card.moves) not in shared:
            shared[id(card.moves)] = moves_out(card.moves, with_task_uids=False)
    return _out(
        KanbanColumn,
        column.stage,
        count=column.count,
        value_total=column.value_total,
        weighted_total=column.weighted_total,
        oldest_entered_at=column.oldest_entered_at,
        leads=[
            card_out(card.card, shared[id(card.moves)], card.stale_days) for card in column.cards
        ],
        next_cursor=column.next_cursor,
    )


def audit_entry_out(entry: AuditEntry) -> AuditEntryOut:
    return _out(AuditEntryOut, entry)


_IMPORT_STATUS = {JobStatus.DRAFT: "uploaded"}


def import_out(job: Job, errors_url: str) -> ImportOut:
    payload = payload_of(job)
    options = payload.options
    counts = {name: job.progress.get(name, 0) for name in COUNTS}
    return ImportOut(
        uid=job.uid,
        status=_IMPORT_STATUS.get(job.status, job.status.value),  # type: ignore[arg-type]
        file_name=payload.file_name,
        columns=payload.columns,
        sample_rows=payload.sample_rows,
        suggested_mapping=payload.suggested_mapping,
        **counts,
        mapping=options.mapping if options else None,
        match_on=options.match_on if options else None,
        on_match=options.on_match if options else None,
        stage=options.stage if options else None,
        assigned_to=options.assigned_to if options else None,
        created_by=job.created_by,
        created_at=job.created_at,
        queued_at=job.queued_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        error=job.error,
        errors_url=errors_url,
    )


def import_upload_out(upload: Upload) -> ImportUploadOut:
    return ImportUploadOut(
        uid=upload.job.uid,
        file_name=upload.payload.file_name,
        columns=upload.payload.columns,
        sample_rows=upload.payload.sample_rows,
        suggested_mapping=upload.suggested_mapping,
        total=upload.job.progress.get("total", 0),
    )


def import_preview_out(preview: Preview, total: int) -> ImportPreviewOut:
    return ImportPreviewOut(
        rows_checked=preview.rows_checked,
        complete=preview.complete,
        total=total,
        would_create=preview.would_create,
        would_update=preview.would_update,
        would_skip=preview.would_skip,
        would_fail=preview.would_fail,
        errors=[
            RowErrorOut(row=error.row, column=error.column, message=error.message)
            for error in preview.errors
        ],
    )


def bulk_out(results: list[BulkResult]) -> BulkOut:
    items = [
        BulkItemOut(
            uid=result.uid,
            ok=result.ok,
            version=result.version,
            changed=result.changed,
            error=None if result.error is None else ErrorDetail(**item_error(result.error)),
        )
        for result in results
    ]
    succeeded = sum(1 for item in items if item.ok)
    return BulkOut(results=items, succeeded=succeeded, failed=len(items) - succeeded)


def event_out(event: Event) -> EventOut:
    """Named field by field: a stored event also holds `previous` (the old values), which the
    stream must never carry."""
    return EventOut(
        kind=event.kind,
        uid=event.uid,
        version=event.version,
        at=event.at,
        by=EventActorOut(uid=event.by.uid, name=event.by.name) if event.by else None,
        from_stage=event.from_stage,
        to_stage=event.to_stage,
        fields=list(event.fields),
    )


def webhook_out(webhook: Webhook) -> WebhookOut:
    return _out(WebhookOut, webhook, state=_out(WebhookStateOut, webhook))


def webhook_created_out(webhook: Webhook) -> WebhookCreatedOut:
    return _out(WebhookCreatedOut, webhook, state=_out(WebhookStateOut, webhook))


def delivery_out(delivery: Delivery) -> DeliveryOut:
    pending = delivery.status is DeliveryStatus.PENDING
    return _out(
        DeliveryOut,
        delivery,
        next_attempt_at=delivery.next_attempt_at if pending else None,
        attempts=[attempt.model_dump() for attempt in reversed(delivery.attempts)],
    )


def rule_out(rule: Rule, names: Names) -> RuleOut:
    author = None
    if rule.created_by:
        author = RuleAuthorOut(
            uid=rule.created_by, name=names.users.get(rule.created_by, "(deleted user)")
        )
    return _out(RuleOut, rule, created_by=author, sentence=sentence(rule, names))


def rule_list_out(rules: list[Rule], names: Names) -> RuleListOut:
    return RuleListOut(results=[rule_out(rule, names) for rule in rules])


def run_out(run: Run) -> RunOut:
    return _out(RunOut, run)
