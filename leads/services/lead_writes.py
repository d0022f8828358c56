"""THE write loop every change of one lead goes through: load, decide, write, retry."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from leads.domain.changes import LeadChange, with_derived_fields
from leads.domain.errors import ConfigNotFound, LeadNotFound, VersionConflict
from leads.domain.models import LeadRecord, LeadSummary, User, WorkItem, WorkItemConfig, WorkStage
from leads.domain.transitions import LeadDetail, Pipeline
from leads.store import leads as lead_store
from leads.store.connection import RequestJournal, self_checking

_ATTEMPTS = 3


@dataclass(frozen=True)
class Loaded:
    """What a decision reads: the lead as it is now, and the workflow around it."""

    lead: WorkItem
    config: WorkItemConfig
    stages: list[WorkStage]
    neighbours: dict[str, LeadSummary]

    @property
    def pipeline(self) -> Pipeline:
        return Pipeline.of(self.stages, self.config)


# Returns the change to write, or None when there is nothing to change.
Decide = Callable[[Loaded], LeadChange | None]


@dataclass(frozen=True)
class Written:
    detail: LeadDetail
    changed: bool


def lead_write(
    *,
    uid: str,
    actor: User,
    expected_version: int | None,
    decide: Decide,
    neighbours: tuple[str, ...] = (),
    retry_on_conflict: bool = True,
) -> Written:
    """Load the lead with its workflow (one round trip), let `decide` rule on it, and write the
    change in one conditional write on the version read (a second round trip).

    When someone else's write slips in between, the decision is taken again on their result,
    unless the client named the version it read (`expected_version`) or a retry could change
    the meaning of the request (`retry_on_conflict=False`, e.g. a move whose loser must hear
    409).

    Each write carries a fresh id, so that a run of the same request after an election, which
    cannot know whether the earlier run's write landed, recognises it instead of applying the
    change a second time (or refusing it as a conflict with itself). Raises LeadNotFound,
    ConfigNotFound, VersionConflict, and whatever `decide` raises.
    """
    with self_checking() as journal:
        for _attempt in range(_ATTEMPTS):
            context = lead_store.get_lead_with_workflow(uid, neighbours)
            if context.record is None:
                raise LeadNotFound(f"No lead {uid}.")
            if context.config is None:
                raise ConfigNotFound()
            lead = context.record.lead
            loaded = Loaded(
                lead=lead,
                config=context.config,
                stages=context.stages,
                neighbours=context.neighbours,
            )
            if _landed_earlier(journal, uid, lead):
                return Written(_detail(context.record, loaded, actor), changed=True)
            if expected_version is not None and expected_version != lead.version:
                raise VersionConflict(details={"current_version": lead.version})
            decided = decide(loaded)
            if decided is None:
                return Written(_detail(context.record, loaded, actor), changed=False)
            change = with_derived_fields(lead, decided, actor=actor)
            write_id = uuid.uuid4().hex
            if journal is not None:
                journal.notes[_note(uid)] = (lead.version, write_id)
            written = lead_store.write_lead(
                uid=uid, expected_version=lead.version, change=change, write_id=write_id
            )
            if written is not None:
                return Written(_detail(written, loaded, actor), changed=True)
            if expected_version is not None or not retry_on_conflict:
                raise VersionConflict("The lead changed meanwhile; reload it and try again.")
        raise VersionConflict("The lead keeps changing; reload it and try again.")


def _note(uid: str) -> str:
    return f"lead_write:{uid}"


def _landed_earlier(journal: RequestJournal | None, uid: str, lead: WorkItem) -> bool:
    """Whether an earlier run of this request wrote the lead as it is now (its write landed,
    its answer was lost in an election). Raises VersionConflict when that cannot be told: the
    lead moved on past the version that write would have made."""
    if journal is None or _note(uid) not in journal.notes:
        return False
    version, write_id = journal.notes.pop(_note(uid))
    if lead.version == version + 1:
        # Ours, or another writer's that won the same version: then ours cannot have landed.
        return lead_store.lead_written_by(uid=uid, version=lead.version, write_id=write_id)
    if lead.version > version + 1:
        raise VersionConflict("The lead changed meanwhile; reload it and try again.")
    return False


def _detail(record: LeadRecord, loaded: Loaded, actor: User) -> LeadDetail:
    return LeadDetail.of(record, loaded.pipeline, reader=actor)
