"""Use cases for accounts: users, sign-in tokens and the start-up admin."""

from __future__ import annotations

import functools
import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password

from leads.domain.audit import (
    AuditAction,
    AuditChange,
    AuditEvent,
    Origin,
    audit_event,
    changed_names,
    field_changes,
)
from leads.domain.enums import UserRole
from leads.domain.errors import InvalidCredentials, TooManyAttempts, UserNotFound
from leads.domain.inputs import UserCreate, UserUpdate, sent
from leads.domain.models import User, utcnow
from leads.store import throttle as throttle_store
from leads.store import users as user_store

from .audit import audit_record


@functools.cache
def _dummy_hash() -> str:
    # Checked against for unknown usernames too, so timing does not tell which ones exist.
    return make_password("not-a-password-anyone-has")


def token_digest(token: str) -> str:
    """What the store keeps of a token (and a session cookie names): its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def user_create(
    *, data: UserCreate, actor: User | None = None, origin: Origin | None = None
) -> User:
    """Add a user, audited as `user.created`. Raises DuplicateKey when the username is taken."""
    user = User(
        username=data.username,
        display_name=data.display_name or data.username,
        email=data.email,
        role=data.role,
    )
    user_store.insert_user(user, password_hash=make_password(data.password))
    summary = f"Added the {user.role.value} '{user.username}'"
    changes = {
        "username": AuditChange(new=user.username),
        "role": AuditChange(new=user.role.value),
    }
    audit_record(
        audit_event(AuditAction.USER_CREATED, user.uid, summary, changes),
        actor=actor,
        origin=origin,
    )
    return user


def _user_events(before: User, after: User, *, password: bool) -> list[AuditEvent]:
    """One entry per kind of change, so each can be found by its code."""
    name = after.username
    events = []
    if before.role is not after.role:
        role = field_changes(before, after, ["role"])
        events.append(
            audit_event(
                AuditAction.USER_ROLE_CHANGED,
                after.uid,
                f"Made '{name}' {'an' if after.role is UserRole.ADMIN else 'a'} {after.role.value}",
                role,
            )
        )
    if before.is_active != after.is_active:
        action, summary = (
            (AuditAction.USER_REACTIVATED, f"Let '{name}' sign in again")
            if after.is_active
            else (AuditAction.USER_DEACTIVATED, f"Deactivated '{name}'")
        )
        events.append(
            audit_event(action, after.uid, summary, field_changes(before, after, ["is_active"]))
        )
    if password:
        # Never the password, nor its hash: only that it changed.
        events.append(
            audit_event(
                AuditAction.USER_PASSWORD_RESET, after.uid, f"Set a new password for '{name}'"
            )
        )
    profile = field_changes(before, after, ["display_name", "email"])
    if profile:
        summary = f"Changed the profile of '{name}': {changed_names(profile)}"
        events.append(audit_event(AuditAction.USER_UPDATED, after.uid, summary, profile))
    return events


def _may_end_an_admin(changes: dict[str, Any]) -> bool:
    """Whether the change would demote or deactivate the user if they are an active admin
    (decided from the change alone: the user read beforehand may be stale by the write)."""
    return changes.get("role", UserRole.ADMIN) is not UserRole.ADMIN or (
        changes.get("is_active") is False
    )


def user_update(
    *, uid: str, changes: UserUpdate, actor: User | None = None, origin: Origin | None = None
) -> User:
    """Change a user's profile, role, password or active flag; audited as `user.role_changed`,
    `user.deactivated`, `user.reactivated`, `user.password_reset`, `user.updated` (one entry
    each). Raises UserNotFound, LastAdmin (from the store, which checks it in the same
    transaction as the write)."""
    user = user_store.get_user(uid)
    if user is None:
        raise UserNotFound(f"No user {uid}.")
    values = sent(changes)
    password = values.pop("password", None)
    if password is not None:
        values["password_hash"] = make_password(password)
        # A new password signs the user out everywhere: tokens go, sessions see the new stamp.
        values["tokens"] = []
        values["password_changed_at"] = utcnow()
    if values.get("is_active") is False:
        # Deactivation ends every sign-in for good: reactivating must not revive old tokens.
        values["tokens"] = []
    if not values:
        return user
    values["updated_at"] = utcnow()
    if _may_end_an_admin(values):
        # Checked and written in one transaction: concurrent demotions cannot both pass.
        updated = user_store.update_user_keeping_an_admin(uid, values)
    else:
        updated = user_store.update_user(uid, values)
    if updated is None:
        raise UserNotFound(f"No user {uid}.")
    events = _user_events(user, updated, password=password is not None)
    audit_record(*events, actor=actor, origin=origin)
    return updated


@dataclass(frozen=True)
class SignIn:
    token: str
    user: User


def _throttle_keys(username: str, address: str | None) -> list[tuple[str, int]]:
    """(key, failures allowed in a window) for the username and, when known, the address."""
    keys = [(f"user:{username}", settings.LEADCRM_LOGIN_MAX_FAILURES_PER_USER)]
    if address:
        keys.append((f"address:{address}", settings.LEADCRM_LOGIN_MAX_FAILURES_PER_ADDRESS))
    return keys


def _throttled_until(keys: list[tuple[str, int]], now: datetime) -> tuple[datetime, str] | None:
    """(when the longest wait ends, the key that holds it) if a key is over its limit."""
    counts = throttle_store.failures([key for key, _ in keys], now)
    over = [
        (counts[key][1], key) for key, limit in keys if key in counts and counts[key][0] >= limit
    ]
    return max(over) if over else None


def _refuse_throttled(
    username: str, until: datetime, key: str, now: datetime, origin: Origin | None
) -> TooManyAttempts:
    who = "for this username" if key.startswith("user:") else "from this address"
    summary = (
        f"Refused a sign-in as '{username}': too many failed sign-ins {who} until {until:%H:%M} UTC"
    )
    # One entry per throttled key and window, however often a script knocks meanwhile.
    audit_record(
        audit_event(AuditAction.SIGN_IN_THROTTLED, None, summary),
        actor=None,
        username=username,
        origin=origin,
        repeat_key=f"throttled {key} {until.isoformat()}",
    )
    return TooManyAttempts(retry_after_seconds=math.ceil((until - now).total_seconds()))


def _check_password(username: str, password: str) -> User:
    user = user_store.get_user_by_username(username)
    if user is None or not user.is_active:
        check_password(password, _dummy_hash())
        raise InvalidCredentials()
    stored = user_store.get_password_hash(user.uid)
    if not stored or not check_password(password, stored):
        raise InvalidCredentials()
    return user


def auth_login(*, username: str, password: str, origin: Origin | None = None) -> SignIn:
    """Check the password and issue a bearer token; too many failures for the username (or
    from the client's address) in the window refuse even a right password until it ends.
    Audited as `auth.signed_in`, `auth.sign_in_failed`, `auth.sign_in_throttled`. Raises
    InvalidCredentials, TooManyAttempts."""
    keys = _throttle_keys(username, origin.address if origin else None)
    now = utcnow()
    throttled = _throttled_until(keys, now)
    if throttled is not None:
        raise _refuse_throttled(username, *throttled, now, origin)
    try:
        user = _check_password(username, password)
    except InvalidCredentials:
        window = timedelta(minutes=settings.LEADCRM_LOGIN_WINDOW_MINUTES)
        for key, _ in keys:
            throttle_store.record_failure(key, now, window)
        summary = f"Failed sign-in as '{username}'"
        audit_record(
            audit_event(AuditAction.SIGN_IN_FAILED, None, summary),
            actor=None,
            username=username,
            origin=origin,
        )
        raise
    # The username's count starts over; the address keeps its count (one address may try
    # many usernames).
    throttle_store.clear(keys[0][0])
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=settings.LEADCRM_TOKEN_TTL_HOURS)
    user_store.add_token(user.uid, digest=token_digest(token), expires_at=expires_at, now=now)
    audit_record(
        audit_event(AuditAction.SIGNED_IN, user.uid, f"'{user.username}' signed in"),
        actor=user,
        origin=origin,
    )
    return SignIn(token=token, user=user)


def auth_logout(*, digests: list[str], actor: User, origin: Origin | None = None) -> None:
    """End the sign-ins whose tokens have these digests (the bearer token's, the one a session
    names) for every copy of them; audited as `auth.signed_out`."""
    for digest in digests:
        user_store.remove_token(digest)
    audit_record(
        audit_event(AuditAction.SIGNED_OUT, actor.uid, f"'{actor.username}' signed out"),
        actor=actor,
        origin=origin,
    )


def auth_user_for_token(token: str) -> User | None:
    return user_store.user_for_token(token_digest(token), utcnow())


def auth_user_for_session(*, digest: str) -> User | None:
    """The active user whose sign-in (token digest) the session names, while it stands."""
    return user_store.user_for_token(digest, utcnow())


def bootstrap_admin(*, username: str | None, password: str | None) -> tuple[User, str] | None:
    """Make sure someone can sign in: the configured admin if missing, else a first admin with a
    generated password when there is no admin at all. Returns (user, password) when it created
    one with a generated password, so the caller can print it once."""
    if username and password:
        if user_store.get_user_by_username(username) is None:
            user_create(data=UserCreate(username=username, password=password, role=UserRole.ADMIN))
        return None
    if user_store.count_active_admins() > 0:
        return None
    name = username or "admin"
    generated = secrets.token_urlsafe(12)
    if user_store.get_user_by_username(name) is not None:
        name = f"{name}-{secrets.token_hex(2)}"
    user = user_create(data=UserCreate(username=name, password=generated, role=UserRole.ADMIN))
    return user, generated
