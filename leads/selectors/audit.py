"""Reading the audit log: newest first, in keyset pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core import signing

from leads.domain.audit import AuditEntry, actions_matching, uid_bound
from leads.domain.errors import ValidationFailed
from leads.store import audit as audit_store

_CURSOR_SALT = "audit.cursor"


@dataclass(frozen=True)
class AuditPage:
    items: list[AuditEntry]
    next_cursor: str | None


def _decode_cursor(cursor: str) -> str:
    """The uid of the last entry the previous page showed."""
    try:
        return str(signing.loads(cursor, salt=_CURSOR_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        raise ValidationFailed.on("cursor", "is not a cursor this service issued") from None


def audit_list(
    *,
    action: str | None,
    actor: str | None,
    since: datetime | None,
    until: datetime | None,
    cursor: str | None,
    limit: int,
) -> AuditPage:
    """A page of audit entries, newest first; `action` is a code or a kind (`stage.`). Pages
    hold still while entries are added: a cursor names the last entry shown, not an offset.
    Raises ValidationFailed for an unknown action or a bad cursor."""
    actions = None
    if action is not None:
        matching = actions_matching(action)
        if matching is None:
            raise ValidationFailed.on(
                "action", "must be an action code (e.g. stage.updated) or a kind (e.g. stage.)"
            )
        actions = [code.value for code in matching]
    # Entries before `until`, and before the last one shown: the lower of the two uids.
    below = [uid_bound(until)] if until is not None else []
    if cursor:
        below.append(_decode_cursor(cursor))
    rows = audit_store.find_entries(
        actions=actions,
        actor=actor,
        from_uid=uid_bound(since) if since is not None else None,
        to_uid=min(below) if below else None,
        limit=limit + 1,
    )
    items = rows[:limit]
    next_cursor = None
    if len(rows) > limit and items:
        next_cursor = signing.dumps(items[-1].uid, salt=_CURSOR_SALT)
    return AuditPage(items=items, next_cursor=next_cursor)
