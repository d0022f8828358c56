"""The audit log: who changed the pipeline, the config or the team, and who signed in or tried
to, from where. Entries are written by the services (leads.services.audit.audit_record) and
kept out of the workflow collection, like users."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any

from pydantic import BaseModel, Field

from .models import Document, User, utcnow


class AuditAction(StrEnum):
    STAGE_CREATED = "stage.created"
    STAGE_UPDATED = "stage.updated"
    STAGE_DELETED = "stage.deleted"
    STAGES_REORDERED = "stage.reordered"
    CONFIG_UPDATED = "config.updated"
    USER_CREATED = "user.created"
    USER_UPDATED = "user.updated"
    USER_ROLE_CHANGED = "user.role_changed"
    USER_DEACTIVATED = "user.deactivated"
    USER_REACTIVATED = "user.reactivated"
    USER_PASSWORD_RESET = "user.password_reset"
    SIGNED_IN = "auth.signed_in"
    SIGN_IN_FAILED = "auth.sign_in_failed"
    SIGN_IN_THROTTLED = "auth.sign_in_throttled"
    SIGNED_OUT = "auth.signed_out"
    WEBHOOK_CREATED = "webhook.created"
    WEBHOOK_UPDATED = "webhook.updated"
    WEBHOOK_DELETED = "webhook.deleted"
    RULE_CREATED = "rule.created"
    RULE_UPDATED = "rule.updated"
    RULE_DELETED = "rule.deleted"


# What the `action` filter accepts besides a whole code: a kind, with or without its dot.
AUDIT_KINDS = ("stage", "config", "user", "auth", "webhook", "rule")


def actions_matching(pattern: str) -> list[AuditAction] | None:
    """The codes an `action` filter selects (a whole code, or a kind like `stage.`), or None
    when it names neither. A filter becomes a list of codes, not a regex, so an index on
    (action, at) serves it newest first without a sort in memory."""
    kind = pattern.removesuffix(".")
    if kind in AUDIT_KINDS:
        return [action for action in AuditAction if action.value.startswith(f"{kind}.")]
    return [action] if (action := _ACTION_BY_CODE.get(pattern)) else None


_ACTION_BY_CODE = {action.value: action for action in AuditAction}


@dataclass(frozen=True)
class Origin:
    """Where a request came from: the client's address (as the throttle sees it) and its user
    agent. None for work that no request started (a command, a script)."""

    address: str | None = None
    user_agent: str | None = None


class AuditChange(BaseModel):
    old: Any = None
    new: Any = None


class AuditEntry(Document):
    # Sorts as `at` does (see audit_uid): newest first and keyset pages need this one key.
    uid: str
    at: datetime
    action: AuditAction
    # None for a failed sign-in (the username tried is kept) and for work no user started.
    actor_uid: str | None = None
    actor_username: str | None = None
    target: str | None = None
    summary: str = ""
    changes: dict[str, AuditChange] = Field(default_factory=dict)
    address: str | None = None
    user_agent: str | None = None
    # Sign-in refusals of one throttle window are one entry, counted here (see audit_record).
    repeats: int = 1
    expires_at: datetime | None = None


def uid_bound(moment: datetime) -> str:
    """The smallest uid of an entry at or after `moment`: entries at < moment are exactly those
    whose uid sorts before it (`at` is whole milliseconds, so a moment between two rounds up)."""
    millis = -(-round(moment.timestamp() * 1_000_000) // 1000)
    return f"{millis:012x}"


def audit_uid(at: datetime) -> str:
    """The milliseconds of `at` in fixed-width hex, then the clock's sub-millisecond part (entries
    of one millisecond keep their writing order) and a little randomness (and other processes)."""
    return f"{uid_bound(at)}{time.time_ns() % 1_000_000:05x}{secrets.token_hex(3)}"


@dataclass(frozen=True)
class AuditEvent:
    """What a service says happened; audit_record adds who, when and from where."""

    action: AuditAction
    target: str | None
    summary: str
    changes: dict[str, AuditChange] = field(default_factory=dict)


def audit_event(
    action: AuditAction,
    target: str | None,
    summary: str,
    changes: dict[str, AuditChange] | None = None,
) -> AuditEvent:
    return AuditEvent(action=action, target=target, summary=summary, changes=changes or {})


def entry_for(
    event: AuditEvent, *, actor: User | None, username: str | None, origin: Origin | None
) -> AuditEntry:
    at = utcnow()
    return AuditEntry(
        uid=audit_uid(at),
        at=at,
        action=event.action,
        actor_uid=actor.uid if actor else None,
        actor_username=actor.username if actor else username,
        target=event.target,
        summary=event.summary[:300],
        changes=event.changes,
        address=origin.address if origin else None,
        user_agent=origin.user_agent[:256] if origin and origin.user_agent else None,
    )


# --- old -> new, where it is cheap ------------------------------------------------------------

_TEXT_LIMIT = 120
_LIST_LIMIT = 30


def _plain(value: Any) -> Any:
    """A short, JSON- and BSON-safe rendering of a value: scalars as they are (text cut short),
    lists of things with an identity (stages, fields, templates, reasons) as those identities."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str):
        return value if len(value) <= _TEXT_LIMIT else value[: _TEXT_LIMIT - 1] + "…"
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, BaseModel):
        for key in ("field_key", "uid", "value"):
            if hasattr(value, key):
                return _plain(getattr(value, key))
        return type(value).__name__
    if isinstance(value, list | tuple):
        items = [_plain(item) for item in value[:_LIST_LIMIT]]
        return items + ["…"] if len(value) > _LIST_LIMIT else items
    return str(value)[:_TEXT_LIMIT]


def field_changes(old: BaseModel, new: BaseModel, names: list[str]) -> dict[str, AuditChange]:
    """Old -> new of each named field that differs. A list of things whose identities stay the
    same but whose content changed (a field's label) still shows, with equal old and new."""
    changes = {}
    for name in names:
        before, after = getattr(old, name, None), getattr(new, name, None)
        if before != after:
            changes[name] = AuditChange(old=_plain(before), new=_plain(after))
    return changes


def changed_names(changes: dict[str, AuditChange]) -> str:
    return ", ".join(changes) if changes else "nothing"
