"""Sign-in throttling: per username and per client address, held in MongoDB so every worker
sees it; 429 with Retry-After in the error shape."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from leads.domain.enums import UserRole
from leads.domain.models import utcnow
from leads.store import connection
from tests.builders import PASSWORD, assert_error, make_user

WINDOW_SECONDS = 15 * 60


def login(username: str, password: str = PASSWORD, **headers: Any) -> Any:
    # A fresh client each time: what one worker knows, another does not; only MongoDB is shared.
    return APIClient().post(
        "/api/auth/login/",
        {"username": username, "password": password},
        format="json",
        **headers,
    )


def fail(username: str, times: int, **headers: Any) -> None:
    for _ in range(times):
        assert login(username, "wrong", **headers).status_code == 401


def assert_throttled(response: Any) -> int:
    error = assert_error(response, 429, "too_many_attempts")
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= WINDOW_SECONDS
    assert error["details"]["retry_after_seconds"] == retry_after
    return retry_after


def test_ten_failures_for_a_username_refuse_the_next_attempt_with_429() -> None:
    user = make_user(UserRole.MEMBER)
    fail(user.username, 10)

    response = login(user.username, "wrong")

    assert assert_throttled(response) > WINDOW_SECONDS - 60


def test_a_throttled_username_is_refused_even_with_the_right_password() -> None:
    user = make_user(UserRole.MEMBER)
    fail(user.username, 10)

    assert_throttled(login(user.username))


def test_nine_failures_still_let_the_right_password_in() -> None:
    user = make_user(UserRole.MEMBER)
    fail(user.username, 9)

    assert login(user.username).status_code == 200


def test_a_success_resets_the_usernames_count() -> None:
    user = make_user(UserRole.MEMBER)
    fail(user.username, 9)
    assert login(user.username).status_code == 200

    fail(user.username, 9)

    assert login(user.username).status_code == 200


def test_throttling_one_username_leaves_others_alone() -> None:
    target, other = make_user(UserRole.MEMBER), make_user(UserRole.MEMBER)
    fail(target.username, 10)

    assert login(other.username).status_code == 200


def test_unknown_usernames_are_throttled_alike() -> None:
    fail("nobody-by-that-name", 10)

    assert_throttled(login("nobody-by-that-name"))


def test_fifty_failures_from_one_address_refuse_it_for_every_username() -> None:
    user = make_user(UserRole.MEMBER)
    for index in range(50):
        fail(f"guess-{index}", 1)

    assert_throttled(login(user.username))


def test_the_window_ends_and_attempts_are_allowed_again() -> None:
    user = make_user(UserRole.MEMBER)
    fail(user.username, 10)
    assert_throttled(login(user.username))

    # As if the 15 minutes had passed (the TTL index removes such rows within a minute).
    connection.login_failures().update_many(
        {}, {"$set": {"expires_at": utcnow() - timedelta(seconds=1)}}
    )

    assert login(user.username).status_code == 200


def test_failures_are_kept_with_a_ttl_index_so_they_expire_by_themselves() -> None:
    indexes = connection.login_failures().index_information()

    assert indexes["expires_at_ttl"]["expireAfterSeconds"] == 0
    assert indexes["key_unique"]["unique"]


def test_behind_a_proxy_the_address_comes_from_x_forwarded_for(settings: Settings) -> None:
    settings.BEHIND_PROXY = True
    user = make_user(UserRole.MEMBER)
    for index in range(50):
        fail(f"guess-{index}", 1, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert_throttled(login(user.username, HTTP_X_FORWARDED_FOR="198.51.100.7"))
    # Another client behind the same proxy (the same REMOTE_ADDR) is not throttled.
    assert login(user.username, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 200


def test_behind_a_proxy_only_the_address_the_proxy_appended_counts(settings: Settings) -> None:
    settings.BEHIND_PROXY = True
    user = make_user(UserRole.MEMBER)
    for index in range(50):
        # The client invents the first hop each time; the proxy appends the real address.
        fail(f"guess-{index}", 1, HTTP_X_FORWARDED_FOR=f"10.0.0.{index}, 198.51.100.7")

    assert_throttled(login(user.username, HTTP_X_FORWARDED_FOR="198.51.100.7"))


def test_without_a_proxy_x_forwarded_for_is_ignored() -> None:
    user = make_user(UserRole.MEMBER)
    for index in range(50):
        # A client cannot escape the address count by inventing addresses.
        fail(f"guess-{index}", 1, HTTP_X_FORWARDED_FOR=f"10.0.0.{index}")

    assert_throttled(login(user.username))
