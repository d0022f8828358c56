"""Moving a lead through the pipeline: transitions and Kanban drag and drop."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from leads.domain.changes import LeadChange, LostReason, rank_change, stage_change, undo_change
from leads.domain.errors import StaleBoard, ValidationFailed
from leads.domain.fields import validate_lead_data
from leads.domain.models import User, WorkItemConfig, utcnow
from leads.domain.ranks import rank_between, rank_for_arrival
from leads.domain.transitions import LeadDetail, MoveSubject, check_transition

from .lead_writes import Decide, Loaded, lead_write


@dataclass(frozen=True)
class MoveRequest:
    """Where a seller moves a lead and what they send with it."""

    to_stage: str
    note: str | None = None
    data: dict[str, Any] | None = None
    lost_reason: str | None = None
    lost_note: str | None = None


def _lost(config: WorkItemConfig, request: MoveRequest) -> LostReason | None:
    if request.lost_reason is None:
        return None
    known = [reason.value for reason in config.lost_reasons]
    if known and request.lost_reason not in known:
        raise ValidationFailed.on("lost_reason", f"must be one of: {', '.join(known)}")
    return LostReason(reason=request.lost_reason, note=request.lost_note)


def _move(loaded: Loaded, request: MoveRequest, *, actor: User, rank: str | None) -> LeadChange:
    lead = loaded.lead
    data_after = (
        validate_lead_data(loaded.config.variables, request.data, current=lead.data)
        if request.data
        else dict(lead.data)
    )
    lost = _lost(loaded.config, request)
    current, target = check_transition(
        subject=MoveSubject.of(lead),
        pipeline=loaded.pipeline,
        to_stage=request.to_stage,
        data_after=data_after,
        actor_is_admin=actor.is_admin,
        lost_reason=lost.reason if lost else None,
    )
    now = utcnow()
    return stage_change(
        lead,
        current=current,
        target=target,
        data_after=data_after,
        note=request.note,
        rank=rank or rank_for_arrival(now),
        actor=actor,
        now=now,
        lost=lost,
    )


def _stage_write(
    uid: str,
    actor: User,
    expected_version: int | None,
    decide: Decide,
    neighbours: tuple[str, ...] = (),
) -> LeadDetail:
    # A racing move may have taken the lead elsewhere: the loser hears 409 and looks again,
    # rather than having its move re-decided on a stage it never saw.
    return lead_write(
        uid=uid,
        actor=actor,
        expected_version=expected_version,
        decide=decide,
        neighbours=neighbours,
        retry_on_conflict=False,
    ).detail


def lead_transition(
    *,
    uid: str,
    to_stage: str,
    actor: User,
    expected_version: int | None = None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
    lost_reason: str | None = None,
    lost_note: str | None = None,
) -> LeadDetail:
    """Move a lead to another stage in one conditional write, filling the target's required
    fields from `data` and saying why it was lost when the target is a lost stage. Raises
    LeadNotFound, ValidationFailed, TransitionNotAllowed, BlockingTasks, MissingRequiredFields,
    MissingLostReason, VersionConflict."""
    request = MoveRequest(
        to_stage=to_stage, note=note, data=data, lost_reason=lost_reason, lost_note=lost_note
    )
    return _stage_write(uid, actor, expected_version, move_decision(request, actor=actor))


def move_decision(
    request: MoveRequest, *, actor: User, ranks: Mapping[str, str] | None = None
) -> Decide:
    """THE decision of a transition, for one lead (lead_transition) or many (a bulk move,
    whose leads may be given their `ranks` in the target column: else each arrives on top)."""

    def decide(loaded: Loaded) -> LeadChange:
        rank = ranks.get(loaded.lead.uid) if ranks else None
        return _move(loaded, request, actor=actor, rank=rank)

    return decide


def lead_undo(*, uid: str, actor: User, expected_version: int | None) -> LeadDetail:
    """Undo the last stage change of a lead, made by `actor`, if nothing changed since.
    Raises LeadNotFound, UndoNotAvailable, VersionConflict."""

    def decide(loaded: Loaded) -> LeadChange:
        names = {stage.uid: stage.name for stage in loaded.stages}
        return undo_change(loaded.lead, stage_names=names, actor=actor, now=utcnow())

    return _stage_write(uid, actor, expected_version, decide)


def _rank_between_neighbours(
    loaded: Loaded, to_stage: str, above: str | None, below: str | None
) -> str | None:
    """The rank that puts the card below `above` and above `below` in `to_stage`."""
    if above is None and below is None:
        return None
    ranks: list[str | None] = []
    for uid in (above, below):
        if uid is None:
            ranks.append(None)
            continue
        neighbour = loaded.neighbours.get(uid)
        if neighbour is None or neighbour.current_stage != to_stage:
            raise StaleBoard(f"{uid} is no longer in that column; reload the board.")
        ranks.append(neighbour.rank)
    try:
        return rank_between(ranks[0], ranks[1])
    except ValueError:
        raise StaleBoard(
            "Those cards are no longer next to each other; reload the board."
        ) from None


def kanban_move(
    *,
    lead_uid: str,
    to_stage: str,
    actor: User,
    above: str | None = None,
    below: str | None = None,
    expected_version: int | None = None,
    data: dict[str, Any] | None = None,
    lost_reason: str | None = None,
    lost_note: str | None = None,
) -> LeadDetail:
    """Drop a card below `above` and above `below` in `to_stage`: a transition across columns,
    a rank change inside one. Raises what lead_transition raises, and StaleBoard for
    neighbours that moved."""
    neighbour_uids = tuple(uid for uid in (above, below) if uid is not None)
    if lead_uid in neighbour_uids:
        raise StaleBoard("A card cannot be its own neighbour.")

    request = MoveRequest(
        to_stage=to_stage, data=data, lost_reason=lost_reason, lost_note=lost_note
    )

    def decide(loaded: Loaded) -> LeadChange | None:
        rank = _rank_between_neighbours(loaded, to_stage, above, below)
        if to_stage != loaded.lead.current_stage:
            return _move(loaded, request, actor=actor, rank=rank)
        if rank is None or rank == loaded.lead.rank:
            return None  # dropped where it was
        return rank_change(rank, utcnow())

    return _stage_write(lead_uid, actor, expected_version, decide, neighbour_uids)
