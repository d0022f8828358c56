"""Reports through the summaries: rebuild them from the stored leads (as the reader does), and
make them usable (a reader holds its lease) or not (nobody does)."""

from __future__ import annotations

from datetime import timedelta

from leads.domain.models import utcnow
from leads.services.summaries import summaries_rebuild
from leads.store import events as event_store

OWNER = "tests-reader"


def build() -> None:
    """The summaries of the leads stored now, and their state (the reader's rebuild)."""
    release_reader_lease()
    summaries_rebuild(owner=OWNER, lease_seconds=3600, wait_seconds=0)


def hold_reader_lease() -> None:
    now = utcnow()
    assert event_store.claim_reader(owner=OWNER, now=now, lease_until=now + timedelta(hours=1))


def release_reader_lease() -> None:
    event_store.release_reader(owner=OWNER)
