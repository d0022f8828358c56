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

from leads.domain.enums import UserRole
from leads.domain.errors import InvalidCredentials, TooManyAttempts, UserNotFound
from leads.domain.inputs import UserCreate, UserUpdate, sent
from leads.domain.models import User, utcnow
from leads.store import throttle as throttle_store
from leads.store import users as user_store


@functools.cache
def _dummy_hash() -> str:
    # Checked against for unknown usernames too, so timing does not tell which ones exist.
    return make_password("not-a-password-anyone-has")


def token_digest(token: str) -> str:
    """What the store keeps of a token (and a session cookie names): its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def user_create(*, data: UserCreate) -> User:
    """Add a user. Raises DuplicateKey when the username is taken."""
    user = User(
        username=data.username,
        display_name=data.display_name or data.username,
        email=data.email,
        role=data.role,
    )
    user_store.insert_user(user, password_hash=make_password(data.password))
    return user


def _may_end_an_admin(changes: dict[str, Any]) -> bool:
    """Whether the change would demote or deactivate the user if they are an active admin
    (decided from the change alone: the user read beforehand may be stale by the write)."""
    return changes.get("role", UserRole.ADMIN) is not UserRole.ADMIN or (
        changes.get("is_active") is False
    )


def user_update(*, uid: str, changes: UserUpdate) -> User:
    """Change a user's profile, role, password or active flag. Raises UserNotFound, LastAdmin
    (from the store, which checks it in the same transaction as the write)."""
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


def _refuse_when_throttled(keys: list[tuple[str, int]], now: datetime) -> None:
    counts = throttle_store.failures([key for key, _ in keys], now)
    waits = [
        counts[key][1] - now for key, limit in keys if key in counts and counts[key][0] >= limit
    ]
    if waits:
        raise TooManyAttempts(retry_after_seconds=math.ceil(max(waits).total_seconds()))


def _check_password(username: str, password: str) -> User:
    user = user_store.get_user_by_username(username)
    if user is None or not user.is_active:
        check_password(password, _dummy_hash())
        raise InvalidCredentials()
    stored = user_store.get_password_hash(user.uid)
    if not stored or not check_password(password, stored):
        raise InvalidCredentials()
    return user


def auth_login(*, username: str, password: str, address: str | None = None) -> SignIn:
    """Check the password and issue a bearer token; too many failures for the username (or
    from the address) in the window refuse even a right password until it ends. Raises
    InvalidCredentials, TooManyAttempts."""
    keys = _throttle_keys(username, address)
    now = utcnow()
    _refuse_when_throttled(keys, now)
    try:
        user = _check_password(username, password)
    except InvalidCredentials:
        window = timedelta(minutes=settings.LEADCRM_LOGIN_WINDOW_MINUTES)
        for key, _ in keys:
            throttle_store.record_failure(key, now, window)
        raise
    # The username's count starts over; the address keeps its count (one address may try
    # many usernames).
    throttle_store.clear(keys[0][0])
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=settings.LEADCRM_TOKEN_TTL_HOURS)
    user_store.add_token(user.uid, digest=token_digest(token), expires_at=expires_at, now=now)
    return SignIn(token=token, user=user)


def auth_logout(*, token: str) -> None:
    user_store.remove_token(token_digest(token))


def auth_user_for_token(token: str) -> User | None:
    return user_store.user_for_token(token_digest(token), utcnow())


def auth_user_for_session(*, digest: str) -> User | None:
    """The active user whose sign-in (token digest) the session names, while it stands."""
    return user_store.user_for_token(digest, utcnow())


def auth_logout_session(*, digest: str) -> None:
    user_store.remove_token(digest)


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
