"""Use cases for accounts: users, sign-in tokens and the start-up admin."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password

from leads.domain.enums import UserRole
from leads.domain.errors import InvalidCredentials, LastAdmin, UserNotFound
from leads.domain.inputs import UserCreate, UserUpdate, sent
from leads.domain.models import User, utcnow
from leads.store import users as user_store


@functools.cache
def _dummy_hash() -> str:
    # Checked against for unknown usernames too, so timing does not tell which ones exist.
    return make_password("not-a-password-anyone-has")


def _digest(token: str) -> str:
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


def _would_leave_no_admin(user: User, changes: dict[str, Any]) -> bool:
    stays_admin = changes.get("role", user.role) is UserRole.ADMIN and changes.get(
        "is_active", user.is_active
    )
    return (
        user.is_admin
        and user.is_active
        and not stays_admin
        and (user_store.count_active_admins() <= 1)
    )


def user_update(*, uid: str, changes: UserUpdate) -> User:
    """Change a user's profile, role, password or active flag. Raises UserNotFound, LastAdmin."""
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
    if _would_leave_no_admin(user, values):
        raise LastAdmin()
    if not values:
        return user
    values["updated_at"] = utcnow()
    updated = user_store.update_user(uid, values)
    if updated is None:
        raise UserNotFound(f"No user {uid}.")
    return updated


@dataclass(frozen=True)
class SignIn:
    token: str
    user: User


def auth_login(*, username: str, password: str) -> SignIn:
    """Check the password and issue a bearer token. Raises InvalidCredentials."""
    user = user_store.get_user_by_username(username)
    if user is None or not user.is_active:
        check_password(password, _dummy_hash())
        raise InvalidCredentials()
    stored = user_store.get_password_hash(user.uid)
    if not stored or not check_password(password, stored):
        raise InvalidCredentials()
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires_at = now + timedelta(hours=settings.LEADCRM_TOKEN_TTL_HOURS)
    user_store.add_token(user.uid, digest=_digest(token), expires_at=expires_at, now=now)
    return SignIn(token=token, user=user)


def auth_logout(*, token: str) -> None:
    user_store.remove_token(_digest(token))


def auth_user_for_token(token: str) -> User | None:
    return user_store.user_for_token(_digest(token), utcnow())


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
