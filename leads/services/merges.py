"""Merging two leads that are the same person."""

from __future__ import annotations

from collections.abc import Mapping

from leads.domain.changes import with_derived_fields
from leads.domain.errors import (
    ConfigNotFound,
    LeadNotFound,
    MergeTooLarge,
    ValidationFailed,
    VersionConflict,
)
from leads.domain.events import EventKind, WriteStamp, actor_of
from leads.domain.merge import Side, merge_change
from leads.domain.models import User, utcnow
from leads.domain.transitions import LeadDetail, Pipeline
from leads.store import duplicates as duplicate_store
from leads.store.connection import Session, in_transaction


def lead_merge(
    *,
    uid: str,
    other_uid: str,
    choices: Mapping[str, Side],
    actor: User,
    expected_version: int | None,
    other_version: int | None,
) -> LeadDetail:
    """Fold lead `other_uid` into lead `uid` and delete it, in one transaction (domain/merge.py
    decides what the kept lead holds). Raises ValidationFailed, LeadNotFound, ConfigNotFound,
    VersionConflict."""
    if other_uid == uid:
        raise ValidationFailed.on("other", "is this lead: a lead cannot be merged with itself")

    def merge(session: Session) -> LeadDetail:
        pair = duplicate_store.get_merge_pair(uid, other_uid, session)
        if pair.kept is None:
            raise LeadNotFound(f"No lead {uid}.")
        if pair.other is None:
            raise LeadNotFound(
                f"No lead {other_uid} to merge: it was deleted, or merged already.",
                fields={"other": ["no such lead"]},
            )
        if pair.config is None:
            raise ConfigNotFound()
        kept, other = pair.kept, pair.other
        if pair.other_paged:
            # Its oldest activities live in pages keyed by its own uid, which the kept lead's
            # timeline does not read: merging would hide them. Merge the other way round.
            raise MergeTooLarge(
                f"{other.uid} has {pair.other_paged} older activities in pages; merge it the "
                f"other way round (keep {other.uid}).",
                fields={"other": ["has a long timeline: keep it and merge this lead into it"]},
            )
        if expected_version is not None and expected_version != kept.version:
            raise VersionConflict(details={"current_version": kept.version})
        if other_version is not None and other_version != other.version:
            raise VersionConflict(
                f"{other.uid} changed since you read it; reload both leads and try again.",
                fields={"other_version": [f"the lead is at version {other.version} now"]},
            )
        now = utcnow()
        change = with_derived_fields(
            kept, merge_change(kept, other, choices=choices, actor=actor, now=now), actor=actor
        )
        record = duplicate_store.write_merge(
            kept_uid=kept.uid,
            kept_version=kept.version,
            change=change,
            other_uid=other.uid,
            other_version=other.version,
            other_stamp=WriteStamp(
                kind=EventKind.LEAD_DELETED,
                uid=other.uid,
                version=other.version,
                at=now,
                by=actor_of(actor),
            ),
            session=session,
        )
        if record is None:
            raise VersionConflict("One of the leads changed meanwhile; reload and try again.")
        return LeadDetail.of(record, Pipeline.of(pair.stages, pair.config), reader=actor)

    return in_transaction(merge)
