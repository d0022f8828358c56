"""One action on many leads (DESIGN.md section 10): each lead under the single operation's rules,
decided by the single operation's own decision, and written together."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from leads.domain.changes import LeadChange, with_derived_fields
from leads.domain.errors import (
    ConfigNotFound,
    DomainError,
    LeadNotFound,
    StaleBoard,
    VersionConflict,
)
from leads.domain.events import EventKind, WriteStamp, actor_of
from leads.domain.inputs import LeadBulk, LeadUpdate
from leads.domain.models import User, utcnow
from leads.domain.ranks import ranks_between, ranks_for_arrival
from leads.store import leads as lead_store

from .lead_writes import Decide, Loaded, lead_write
from .leads import assign_decision, edit_decision
from .transitions import MoveRequest, move_decision

# What refuses one lead of a bulk action without failing the others: the errors the single
# operation answers 4xx with. Anything else (the database gone) fails the request.
ItemError = DomainError | ValidationError


@dataclass(frozen=True)
class BulkResult:
    """What became of one lead: its version after the action (None once deleted), whether the
    action changed it, or why it was refused."""

    uid: str
    version: int | None = None
    changed: bool = False
    error: ItemError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _tag_decision(tags: list[str], *, add: bool, actor: User) -> Decide:
    """Adding or removing tags is an edit of the lead's `tags` (its limits, its history)."""

    def decide(loaded: Loaded) -> LeadChange | None:
        current = loaded.lead.tags
        if add:
            wanted = [*current, *(tag for tag in tags if tag not in current)]
        else:
            wanted = [tag for tag in current if tag not in tags]
        if wanted == current:
            return None
        return edit_decision(LeadUpdate.model_validate({"tags": wanted}), actor)(loaded)

    return decide


def _neighbours(data: LeadBulk) -> list[str]:
    return [uid for uid in (data.above, data.below) if uid is not None]


def _placement(data: LeadBulk, uids: list[str], context: lead_store.LeadsContext) -> dict[str, str]:
    """uid -> its rank in the target column, between the cards `above` and `below` in the
    order of `uids` (a board's drop of several cards); on top in that order when neither is
    named (a drop into an empty column, a move from the list). Raises
    StaleBoard for a neighbour that is one of the leads or no longer in that column, as a
    single Kanban move does: nothing is moved then."""
    named = _neighbours(data)
    if not named:
        # on top of the column, as a single move arrives, but in the order of `uids`
        return dict(zip(uids, ranks_for_arrival(utcnow(), len(uids)), strict=True))
    ranks: list[str | None] = []
    for uid in (data.above, data.below):
        if uid is None:
            ranks.append(None)
            continue
        record = context.records.get(uid)
        if uid in uids or record is None or record.lead.current_stage != data.to_stage:
            raise StaleBoard(f"{uid} is no longer in that column; reload the board.")
        ranks.append(record.lead.rank)
    try:
        placed = ranks_between(ranks[0], ranks[1], len(uids))
    except ValueError:
        raise StaleBoard(
            "Those cards are no longer next to each other; reload the board."
        ) from None
    return dict(zip(uids, placed, strict=True))


def _decision(data: LeadBulk, actor: User, ranks: dict[str, str]) -> Decide:
    """The single operation's decision for the action; what it checks once for every lead
    (the users assigned) fails the whole request."""
    if data.action == "move":
        assert data.to_stage is not None  # LeadBulk requires it for a move
        request = MoveRequest(
            to_stage=data.to_stage,
            note=data.note,
            lost_reason=data.lost_reason,
            lost_note=data.lost_note,
        )
        return move_decision(request, actor=actor, ranks=ranks)
    if data.action == "assign":
        assert data.user_ids is not None
        return assign_decision(user_ids=data.user_ids, mode=data.mode or "replace", actor=actor)
    assert data.tags is not None
    return _tag_decision(data.tags, add=data.action == "tag", actor=actor)


def _conflict(current_version: int) -> VersionConflict:
    return VersionConflict(details={"current_version": current_version})


def leads_bulk(*, data: LeadBulk, actor: User) -> list[BulkResult]:
    """Apply `data.action` to each lead of `data.uids` (a uid once), in their order; one result
    each. The changes are written in one bulk write. A lead someone changed between the read
    and that write is decided again on its own, like a single write is, unless the client
    named the version it read or the action is a move (whose loser hears version_conflict).
    Raises ValidationFailed (unknown users to assign), ConfigNotFound, StaleBoard (a move's
    `above` / `below`)."""
    uids = list(dict.fromkeys(data.uids))
    if data.action == "delete":
        return _delete(uids, data.versions, actor)
    # The neighbours of a placed move are read in the same round trip as the leads.
    context = lead_store.get_leads_with_workflow([*uids, *_neighbours(data)])
    if context.config is None:
        raise ConfigNotFound()
    decide = _decision(data, actor, _placement(data, uids, context))
    results: dict[str, BulkResult] = {}
    changes: list[tuple[str, int, LeadChange]] = []
    for uid in uids:
        record = context.records.get(uid)
        if record is None:
            results[uid] = BulkResult(uid, error=LeadNotFound(f"No lead {uid}."))
            continue
        lead = record.lead
        expected = data.versions.get(uid)
        if expected is not None and expected != lead.version:
            results[uid] = BulkResult(uid, error=_conflict(lead.version))
            continue
        loaded = Loaded(lead=lead, config=context.config, stages=context.stages, neighbours={})
        try:
            decided = decide(loaded)
        except (DomainError, ValidationError) as exc:
            results[uid] = BulkResult(uid, version=lead.version, error=exc)
            continue
        if decided is None:
            results[uid] = BulkResult(uid, version=lead.version)
        else:
            changes.append((uid, lead.version, with_derived_fields(lead, decided, actor=actor)))
    conflicted = lead_store.write_lead_changes(changes)
    for uid, version, _change in changes:
        if uid not in conflicted:
            results[uid] = BulkResult(uid, version=version + 1, changed=True)
        elif data.action == "move" or uid in data.versions:
            results[uid] = BulkResult(
                uid, error=VersionConflict("The lead changed meanwhile; reload it and try again.")
            )
        else:
            results[uid] = _write_alone(uid, decide, actor)
    return [results[uid] for uid in uids]


def _write_alone(uid: str, decide: Decide, actor: User) -> BulkResult:
    """A lead that changed under the bulk write: the single write loop decides again on what
    it is now (a few leads at most, so its round trips stay few)."""
    try:
        written = lead_write(uid=uid, actor=actor, expected_version=None, decide=decide)
    except (DomainError, ValidationError) as exc:
        return BulkResult(uid, error=exc)
    return BulkResult(uid, version=written.detail.lead.version, changed=written.changed)


def _delete(uids: list[str], versions: dict[str, int], actor: User) -> list[BulkResult]:
    """Delete the leads, each with its activity pages, in one transaction; a lead with a
    version named must still have it (as a single delete's If-Match)."""
    found = lead_store.lead_versions(uids)
    results: dict[str, BulkResult] = {}
    targets: list[tuple[str, int | None]] = []
    for uid in uids:
        if uid not in found:
            results[uid] = BulkResult(uid, error=LeadNotFound(f"No lead {uid}."))
        elif uid in versions and versions[uid] != found[uid]:
            results[uid] = BulkResult(uid, error=_conflict(found[uid]))
        else:
            targets.append((uid, versions.get(uid)))
    stamp = WriteStamp(kind=EventKind.LEAD_DELETED, uid="", at=utcnow(), by=actor_of(actor))
    deleted = lead_store.delete_leads(targets, stamp) if targets else set()
    for uid, version in targets:
        if uid in deleted:
            results[uid] = BulkResult(uid, changed=True)
        elif version is not None:
            results[uid] = BulkResult(uid, error=VersionConflict())
        else:
            results[uid] = BulkResult(uid, error=LeadNotFound(f"No lead {uid}."))
    return [results[uid] for uid in uids]
