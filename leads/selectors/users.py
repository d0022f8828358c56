"""Use cases that read accounts."""

from __future__ import annotations

from leads.domain.errors import UserNotFound
from leads.domain.models import User
from leads.store import users as user_store


def user_list(*, include_inactive: bool) -> list[User]:
    return user_store.list_users(active_only=not include_inactive)


def user_get(*, uid: str) -> User:
    """One user. Raises UserNotFound."""
    user = user_store.get_user(uid)
    if user is None:
        raise UserNotFound(f"No user {uid}.")
    return user


def user_get_or_none(*, uid: str) -> User | None:
    return user_store.get_user(uid)
