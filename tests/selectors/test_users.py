"""user_list, user_get and user_get_or_none."""

from __future__ import annotations

import pytest

from leads.domain.enums import UserRole
from leads.domain.errors import UserNotFound
from leads.domain.inputs import UserUpdate
from leads.selectors.users import user_get, user_get_or_none, user_list
from leads.services.users import user_update
from tests.builders import make_user


def _deactivated(username: str) -> str:
    user = make_user(UserRole.MEMBER, username=username)
    user_update(uid=user.uid, changes=UserUpdate(is_active=False))
    return user.username


def test_the_user_list_is_in_username_order() -> None:
    for name in ("carol", "alice", "bob"):
        make_user(username=name)

    assert [user.username for user in user_list(include_inactive=False)] == [
        "alice",
        "bob",
        "carol",
    ]


def test_the_user_list_leaves_deactivated_users_out() -> None:
    make_user(username="active")
    _deactivated("gone")

    assert [user.username for user in user_list(include_inactive=False)] == ["active"]


def test_the_user_list_shows_deactivated_users_when_asked() -> None:
    make_user(username="active")
    _deactivated("gone")

    assert [user.username for user in user_list(include_inactive=True)] == ["active", "gone"]


def test_user_get_returns_the_user_with_that_uid() -> None:
    make_user(username="other")
    wanted = make_user(UserRole.VIEWER, username="wanted")

    found = user_get(uid=wanted.uid)

    assert (found.username, found.role) == ("wanted", UserRole.VIEWER)


def test_user_get_of_an_unknown_uid_raises_user_not_found() -> None:
    with pytest.raises(UserNotFound):
        user_get(uid="usr-nope")


def test_user_get_or_none_of_an_unknown_uid_is_none() -> None:
    make_user()

    assert user_get_or_none(uid="usr-nope") is None
