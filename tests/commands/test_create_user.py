"""`manage.py create_user`: where the password comes from and how refusals read."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command

from leads.domain.enums import UserRole
from leads.services.users import auth_login
from leads.store import users as user_store

PASSWORD = "correct-horse-battery"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _no_password_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEADCRM_NEW_PASSWORD", raising=False)


def _create(*args: str) -> str:
    out = io.StringIO()
    call_command("create_user", *args, stdout=out)
    return out.getvalue()


def _typed(monkeypatch: pytest.MonkeyPatch, *answers: str) -> None:
    monkeypatch.setattr("sys.stdin", _Terminal())
    replies: Iterator[str] = iter(answers)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(replies))


def test_the_created_user_can_sign_in_with_the_given_password() -> None:
    output = _create(
        "--username",
        "alice",
        "--password",
        PASSWORD,
        "--role",
        "admin",
        "--display-name",
        "Alice Doe",
        "--email",
        "Alice@Example.com",
    )

    signed_in = auth_login(username="alice", password=PASSWORD)
    assert signed_in.user.role is UserRole.ADMIN
    assert signed_in.user.display_name == "Alice Doe"
    assert signed_in.user.email == "Alice@example.com"
    assert "Created admin 'alice'" in output


def test_a_user_is_a_member_unless_a_role_is_given() -> None:
    _create("--username", "bob", "--password", PASSWORD)

    user = user_store.get_user_by_username("bob")
    assert user is not None and user.role is UserRole.MEMBER


def test_the_password_comes_from_the_environment_when_not_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEADCRM_NEW_PASSWORD", PASSWORD)

    _create("--username", "carol")

    assert auth_login(username="carol", password=PASSWORD).user.username == "carol"


def test_the_password_is_asked_twice_in_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    _typed(monkeypatch, PASSWORD, PASSWORD)

    _create("--username", "dave")

    assert auth_login(username="dave", password=PASSWORD).user.username == "dave"


def test_two_different_typed_passwords_create_nobody(monkeypatch: pytest.MonkeyPatch) -> None:
    _typed(monkeypatch, PASSWORD, PASSWORD + "x")

    with pytest.raises(CommandError, match="passwords differ"):
        _create("--username", "erin")
    assert user_store.get_user_by_username("erin") is None


def test_without_a_password_or_a_terminal_it_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO())

    with pytest.raises(CommandError, match="LEADCRM_NEW_PASSWORD"):
        _create("--username", "frank")


def test_a_taken_username_is_one_clear_line() -> None:
    _create("--username", "grace", "--password", PASSWORD)

    with pytest.raises(CommandError) as refused:
        _create("--username", "grace", "--password", PASSWORD)

    assert str(refused.value) == "username 'grace' is taken: choose another one"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--username", "heidi", "--password", "short"], "--password: "),
        (["--username", "h", "--password", PASSWORD], "--username: "),
        (["--username", "heidi", "--password", PASSWORD, "--email", "nope"], "--email: "),
    ],
)
def test_invalid_input_is_one_clear_line(args: list[str], expected: str) -> None:
    with pytest.raises(CommandError) as refused:
        _create(*args)

    message = str(refused.value)
    assert message.startswith(expected)
    assert "\n" not in message
    assert user_store.list_users(active_only=False) == []
