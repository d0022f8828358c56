"""Moving a lead through the pipeline: transitions and Kanban drag and drop."""

from __future__ import annotations

from typing import Any

from leads.domain.enums import ActivityType, WorkItemStatus
from leads.domain.errors import ConfigNotFound, Conflict, LeadNotFound, VersionConflict
from leads.domain.fields import validate_lead_data
from leads.domain.models import (
    Activity,
    FieldChange,
    FieldChangeEntry,
    StageVisit,
    User,
    WorkItem,
    WorkItemConfig,
    utcnow,
)
from leads.domain.ranks import rank_between, rank_for_arrival
from leads.domain.transitions import check_transition
from leads.services.leads import stage_tasks
from leads.services.workflow import STATUS_OF_KIND
from leads.store import leads as lead_store


def _loaded(
    context: lead_store.LeadContext, uid: str, expected_version: int | None
) -> tuple[WorkItem, WorkItemConfig]:
    if context.lead is None:
        raise LeadNotFound(f"No lead {uid}.")
    if context.config is None:
        raise ConfigNotFound()
    if expected_version is not None and expected_version != context.lead.version:
        raise VersionConflict(details={"current_version": context.lead.version})
    return context.lead, context.config


def _transition(
    context: lead_store.LeadContext,
    *,
    lead: WorkItem,
    config: WorkItemConfig,
    to_stage: str,
    actor: User,
    note: str | None,
    data: dict[str, Any] | None,
    rank: str | None,
) -> WorkItem:
    new_data = (
        validate_lead_data(config.variables, data, current=lead.data) if data else dict(lead.data)
    )
    current, target = check_transition(
        lead=lead,
        stages=context.stages,
        config=config,
        to_stage=to_stage,
        data_after=new_data,
        actor=actor,
    )
    now = utcnow()
    set_fields: dict[str, Any] = {}
    history_entries: list[Any] = []
    changes = [
        FieldChange(field=f"data.{key}", old=lead.data.get(key), new=new_data.get(key))
        for key in sorted(set(lead.data) | set(new_data))
        if lead.data.get(key) != new_data.get(key)
    ]
    if changes:
        set_fields["data"] = new_data
        history_entries.append(FieldChangeEntry(at=now, by=actor.uid, changes=changes))
    status = STATUS_OF_KIND[target.kind]
    if status is not lead.status:
        set_fields["status"] = status.value
        set_fields["closed_at"] = None if status is WorkItemStatus.OPEN else now
    from_name = current.name if current is not None else lead.current_stage
    activity = Activity(
        type=ActivityType.STAGE_CHANGE,
        actor=actor.uid,
        created_at=now,
        body=note or f"Moved from {from_name} to {target.name}",
        details={
            "from_stage": lead.current_stage,
            "to_stage": target.uid,
            "note": note,
            "fields": [change.field for change in changes],
        },
    )
    moved = lead_store.transition_lead(
        uid=lead.uid,
        expected_version=lead.version,
        to_stage=target.uid,
        visit=StageVisit(stage=target.uid, entered_at=now, entered_by=actor.uid),
        activities=[activity],
        tasks=stage_tasks(target, actor=actor, now=now),
        rank=rank or rank_for_arrival(now),
        moved_at=now,
        set_fields=set_fields,
        history_entries=history_entries,
    )
    if moved is None:
        # Someone else changed the lead between our read and our write: their change stands.
        raise VersionConflict("The lead changed meanwhile; reload it and try again.")
    return moved


def lead_transition(
    *,
    uid: str,
    to_stage: str,
    actor: User,
    expected_version: int | None = None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> WorkItem:
    """Move a lead to another stage in one conditional write, filling the target's required
    fields from `data`. Raises LeadNotFound, ValidationFailed, TransitionNotAllowed,
    BlockingTasks, MissingRequiredFields, VersionConflict."""
    context = lead_store.get_lead_with_workflow(uid)
    lead, config = _loaded(context, uid, expected_version)
    return _transition(
        context,
        lead=lead,
        config=config,
        to_stage=to_stage,
        actor=actor,
        note=note,
        data=data,
        rank=None,
    )


def _rank_between_neighbours(
    context: lead_store.LeadContext, to_stage: str, after: str | None, before: str | None
) -> str | None:
    """The rank that puts the card below `after` and above `before` in `to_stage`."""
    if after is None and before is None:
        return None
    ranks: list[str | None] = []
    for uid in (after, before):
        if uid is None:
            ranks.append(None)
            continue
        neighbour = context.neighbours.get(uid)
        if neighbour is None or neighbour.current_stage != to_stage:
            raise Conflict(
                f"{uid} is no longer in that column; reload the board.",
                details={"reason": "stale_board"},
            )
        ranks.append(neighbour.rank)
    try:
        return rank_between(ranks[0], ranks[1])
    except ValueError:
        raise Conflict(
            "Those cards are no longer next to each other; reload the board.",
            details={"reason": "stale_board"},
        ) from None


def kanban_move(
    *,
    lead_uid: str,
    to_stage: str,
    actor: User,
    after: str | None = None,
    before: str | None = None,
    expected_version: int | None = None,
    data: dict[str, Any] | None = None,
) -> WorkItem:
    """Drop a card below `after` and above `before` in `to_stage`: a transition across columns,
    a rank change inside one. Raises what lead_transition raises, and Conflict for neighbours
    that moved."""
    neighbour_uids = tuple(uid for uid in (after, before) if uid is not None)
    if lead_uid in neighbour_uids:
        raise Conflict("A card cannot be its own neighbour.", details={"reason": "stale_board"})
    context = lead_store.get_lead_with_workflow(lead_uid, neighbour_uids)
    lead, config = _loaded(context, lead_uid, expected_version)
    rank = _rank_between_neighbours(context, to_stage, after, before)
    if to_stage != lead.current_stage:
        return _transition(
            context,
            lead=lead,
            config=config,
            to_stage=to_stage,
            actor=actor,
            note=None,
            data=data,
            rank=rank,
        )
    if rank is None or rank == lead.rank:
        # Dropped where it was: nothing to write.
        current = lead_store.get_lead(lead_uid)
        if current is None:
            raise LeadNotFound(f"No lead {lead_uid}.")
        return current
    placed = lead_store.set_rank(
        uid=lead_uid, expected_version=lead.version, rank=rank, now=utcnow()
    )
    if placed is None:
        raise VersionConflict("The lead changed meanwhile; reload the board.")
    return placed
