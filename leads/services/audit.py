"""The one way a service records what it did in the audit log."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings

from leads.domain.audit import AuditEvent, Origin, entry_for
from leads.domain.models import User
from leads.store import audit as audit_store
from leads.store.connection import Session

logger = logging.getLogger(__name__)


def audit_record(
    *events: AuditEvent,
    actor: User | None,
    origin: Origin | None,
    username: str | None = None,
    session: Session | None = None,
    repeat_key: str | None = None,
) -> None:
    """Write one entry per event, in one round trip, stamped with who (`actor`, or only the
    `username` tried for a failed sign-in), when and from where.

    Inside a transaction (`session`) the entries commit or roll back with the change, and a
    failure to write them fails the change. Outside one the change is already stored: a
    failure to write its entries is logged, never turned into an error for the caller, since
    answering 500 for a change that happened would make clients retry it. With `repeat_key`,
    the one event is written once per key and only counted after that.
    """
    if not events:
        return
    retention = timedelta(days=settings.LEADCRM_AUDIT_RETENTION_DAYS)
    entries = []
    for event in events:
        entry = entry_for(event, actor=actor, username=username, origin=origin)
        entry.expires_at = entry.at + retention
        entries.append(entry)
    if session is not None:
        audit_store.insert_entries(entries, session=session)
        return
    try:
        if repeat_key is not None:
            audit_store.record_repeating(entries[0], key=repeat_key)
        else:
            audit_store.insert_entries(entries)
    except Exception:  # whatever failed, the change it describes is stored and stays
        logger.exception(
            "audit entries not written: %s", ", ".join(f"{e.action} {e.target}" for e in entries)
        )
