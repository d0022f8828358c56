"""Use cases that find leads which may be the same person."""

from __future__ import annotations

from leads.domain.errors import LeadNotFound, ValidationFailed
from leads.domain.merge import DUPLICATES_SHOWN, LeadMatch, merge_conflicts
from leads.store import duplicates as duplicate_store


def lead_duplicates(
    *, uid: str, limit: int = DUPLICATES_SHOWN
) -> tuple[LeadMatch, list[LeadMatch]]:
    """The lead, and the other leads with its email or phone (as domain/contacts.py compares
    them), oldest first. Raises LeadNotFound."""
    lead = duplicate_store.get_lead_match(uid)
    if lead is None:
        raise LeadNotFound(f"No lead {uid}.")
    matches = duplicate_store.find_matches(
        email_key=lead.email_key, phone_key=lead.phone_key, exclude_uid=uid, limit=limit
    )
    return lead, matches


def merge_preview(*, uid: str, other_uid: str) -> list[str]:
    """The fields a merge of `other_uid` into `uid` asks the user to choose (domain/merge.py
    decides which differ). Raises LeadNotFound naming which lead is missing."""
    if other_uid == uid:
        raise ValidationFailed.on("other", "is this lead: a lead cannot be merged with itself")
    pair = duplicate_store.get_merge_pair(uid, other_uid)
    if pair.kept is None:
        raise LeadNotFound(f"No lead {uid}.")
    if pair.other is None:
        raise LeadNotFound(f"No lead {other_uid}.", fields={"other": ["no such lead"]})
    return merge_conflicts(pair.kept, pair.other)
