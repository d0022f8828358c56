"""Use cases that find leads which may be the same person."""

from __future__ import annotations

from leads.domain.errors import LeadNotFound
from leads.domain.merge import DUPLICATES_SHOWN, LeadMatch
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
