"""/api/users/: admins manage accounts; the last admin stays; secrets never leave."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from leads.domain.enums import UserRole
from leads.services import users as user_services
from leads.store import connection
from tests.builders import PASSWORD, assert_error, client_for, make_user

NEW_PASSWORD = "a much longer secret"


def login(username: str, password: str = PASSWORD) -> Any:
    return APIClient().post(
        "/api/auth/login/", {"username": username, "password": password}, format="json"
    )


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def usernames(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [user["username"] for user in response.json()]


# --- create ---------------------------------------------------------------------------------


def test_an_admin_creates_a_user_and_the_password_is_never_returned() -> None:
    admin = client_for(make_user(UserRole.ADMIN))

    response = admin.post(
        "/api/users/",
        {"username": "dana", "password": NEW_PASSWORD, "role": "viewer", "email": "Dana@X.io"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["username"] == "dana" and body["role"] == "viewer" and body["is_active"] is True
    assert body["display_name"] == "dana"
    assert not {"password", "password_hash", "tokens"} & set(body)
    detail = admin.get(f"/api/users/{body['uid']}/")
    assert detail.json() == body
    assert NEW_PASSWORD not in admin.get("/api/users/").content.decode()


def test_a_created_user_can_sign_in_with_the_password_given() -> None:
    client_for(make_user(UserRole.ADMIN)).post(
        "/api/users/", {"username": "dana", "password": NEW_PASSWORD}, format="json"
    )

    response = login("dana", NEW_PASSWORD)

    assert response.status_code == 200
    assert response.json()["user"]["role"] == "member"


def test_a_duplicate_username_is_409() -> None:
    existing = make_user()
    admin = client_for(make_user(UserRole.ADMIN))

    response = admin.post(
        "/api/users/", {"username": existing.username, "password": NEW_PASSWORD}, format="json"
    )

    error = assert_error(response, 409, "duplicate")
    assert existing.username in error["message"]
    assert connection.users().count_documents({"username": existing.username}) == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": "dana", "password": NEW_PASSWORD, "role": "owner"}, "role"),
        ({"username": "dana", "password": "short"}, "password"),
        ({"username": "dana", "password": NEW_PASSWORD, "is_superuser": True}, "is_superuser"),
        ({"username": "d a n a", "password": NEW_PASSWORD}, "username"),
        ({"username": "dana", "password": NEW_PASSWORD, "email": "not-an-email"}, "email"),
        ({"password": NEW_PASSWORD}, "username"),
    ],
)
def test_invalid_user_input_is_400_naming_the_field(payload: dict[str, Any], field: str) -> None:
    admin = client_for(make_user(UserRole.ADMIN))

    response = admin.post("/api/users/", payload, format="json")

    assert_error(response, 400, "invalid", field)
    assert connection.users().count_documents({}) == 1


def test_changing_a_user_with_an_unknown_field_is_400_naming_it() -> None:
    member = make_user()
    admin = client_for(make_user(UserRole.ADMIN))

    response = admin.patch(f"/api/users/{member.uid}/", {"username": "renamed"}, format="json")

    assert_error(response, 400, "invalid", "username")
    assert admin.get(f"/api/users/{member.uid}/").json()["username"] == member.username


def test_an_unknown_user_uid_is_404() -> None:
    admin = client_for(make_user(UserRole.ADMIN))

    assert_error(admin.get("/api/users/usr-missing/"), 404, "user_not_found")
    assert_error(
        admin.patch("/api/users/usr-missing/", {"role": "viewer"}, format="json"),
        404,
        "user_not_found",
    )


# --- list -----------------------------------------------------------------------------------


def test_the_user_list_shows_active_users_only() -> None:
    admin_user = make_user(UserRole.ADMIN, username="alice")
    make_user(username="bob")
    gone = make_user(username="carol")
    admin = client_for(admin_user)
    admin.patch(f"/api/users/{gone.uid}/", {"is_active": False}, format="json")

    assert usernames(admin.get("/api/users/")) == ["alice", "bob"]


def test_admins_may_include_inactive_users() -> None:
    admin_user = make_user(UserRole.ADMIN, username="alice")
    gone = make_user(username="carol")
    admin = client_for(admin_user)
    admin.patch(f"/api/users/{gone.uid}/", {"is_active": False}, format="json")

    response = admin.get("/api/users/?include_inactive=1")

    assert usernames(response) == ["alice", "carol"]
    assert [user["is_active"] for user in response.json()] == [True, False]


def test_include_inactive_shows_non_admins_active_users_only() -> None:
    admin_user = make_user(UserRole.ADMIN, username="alice")
    gone = make_user(username="carol")
    client_for(admin_user).patch(f"/api/users/{gone.uid}/", {"is_active": False}, format="json")
    member = client_for(make_user(username="bob"))

    assert usernames(member.get("/api/users/?include_inactive=1")) == ["alice", "bob"]


# --- update ---------------------------------------------------------------------------------


def test_an_admin_changes_a_users_role_and_profile() -> None:
    member = make_user()
    admin = client_for(make_user(UserRole.ADMIN))

    response = admin.patch(
        f"/api/users/{member.uid}/",
        {"role": "viewer", "display_name": "Dana D.", "email": "dana@example.com"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["role"] == "viewer"
    assert client_for(member).get("/api/auth/me/").json()["display_name"] == "Dana D."


def test_deactivating_a_user_makes_their_token_stop_working() -> None:
    member = make_user()
    token = login(member.username).json()["token"]
    admin = client_for(make_user(UserRole.ADMIN))

    response = admin.patch(f"/api/users/{member.uid}/", {"is_active": False}, format="json")

    assert response.status_code == 200 and response.json()["is_active"] is False
    assert_error(bearer(token).get("/api/auth/me/"), 401, "authentication_failed")


def test_demoting_the_last_active_admin_is_409() -> None:
    only_admin = make_user(UserRole.ADMIN)
    admin = client_for(only_admin)

    response = admin.patch(f"/api/users/{only_admin.uid}/", {"role": "member"}, format="json")

    error = assert_error(response, 409, "last_admin")
    assert "last active admin" in error["message"]
    assert admin.get("/api/auth/me/").json()["role"] == "admin"


def test_deactivating_the_last_active_admin_is_409() -> None:
    only_admin = make_user(UserRole.ADMIN)
    admin = client_for(only_admin)

    response = admin.patch(f"/api/users/{only_admin.uid}/", {"is_active": False}, format="json")

    assert_error(response, 409, "last_admin")
    assert admin.get("/api/auth/me/").json()["is_active"] is True


def test_an_inactive_admin_does_not_count_as_the_remaining_admin() -> None:
    only_admin = make_user(UserRole.ADMIN)
    retired = make_user(UserRole.ADMIN)
    admin = client_for(only_admin)
    admin.patch(f"/api/users/{retired.uid}/", {"is_active": False}, format="json")

    response = admin.patch(f"/api/users/{only_admin.uid}/", {"role": "viewer"}, format="json")

    assert_error(response, 409, "last_admin")


def test_an_admin_can_be_demoted_while_another_admin_remains() -> None:
    first = make_user(UserRole.ADMIN)
    second = make_user(UserRole.ADMIN)

    response = client_for(first).patch(
        f"/api/users/{second.uid}/", {"role": "member"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["role"] == "member"


def test_changing_a_password_signs_the_user_out() -> None:
    member = make_user()
    old_token = login(member.username).json()["token"]
    admin = client_for(make_user(UserRole.ADMIN))

    response = admin.patch(f"/api/users/{member.uid}/", {"password": NEW_PASSWORD}, format="json")

    assert response.status_code == 200
    assert "password" not in response.json()
    assert_error(bearer(old_token).get("/api/auth/me/"), 401, "authentication_failed")
    assert_error(login(member.username), 401, "invalid_credentials")
    assert login(member.username, NEW_PASSWORD).status_code == 200


def test_changing_a_password_also_ends_the_users_web_session() -> None:
    # A password is changed because someone else may know it: their browser must be out too.
    member = make_user()
    browser = APIClient()
    browser.post(
        "/api/auth/login/", {"username": member.username, "password": PASSWORD}, format="json"
    )
    assert browser.get("/api/auth/me/").status_code == 200

    client_for(make_user(UserRole.ADMIN)).patch(
        f"/api/users/{member.uid}/", {"password": NEW_PASSWORD}, format="json"
    )

    assert_error(browser.get("/api/auth/me/"), 401, "not_authenticated")


@pytest.mark.parametrize("field", ["role", "is_active", "display_name"])
def test_a_null_for_a_required_user_field_is_refused_and_the_user_left_intact(
    field: str,
) -> None:
    admin_user = make_user(UserRole.ADMIN)
    member = make_user()
    admin = client_for(admin_user)

    response = admin.patch(f"/api/users/{member.uid}/", {field: None}, format="json")

    assert_error(response, 400, "invalid", field)
    listed = admin.get("/api/users/")
    assert listed.status_code == 200, listed.content
    assert {user["uid"]: user["role"] for user in listed.json()}.get(member.uid) == "member"
    assert client_for(member).get("/api/auth/me/").status_code == 200


# --- the start-up admin ---------------------------------------------------------------------


def test_the_configured_admin_is_created_at_start_up_and_can_sign_in() -> None:
    created = user_services.bootstrap_admin(username="boss", password=NEW_PASSWORD)

    assert created is None
    response = login("boss", NEW_PASSWORD)
    assert response.status_code == 200
    assert response.json()["user"]["role"] == "admin"


def test_the_configured_admin_keeps_the_password_it_has() -> None:
    user_services.bootstrap_admin(username="boss", password=NEW_PASSWORD)

    user_services.bootstrap_admin(username="boss", password="another password entirely")

    assert login("boss", NEW_PASSWORD).status_code == 200


def test_without_any_admin_a_first_admin_gets_a_generated_password() -> None:
    make_user(username="admin")

    created = user_services.bootstrap_admin(username=None, password=None)

    assert created is not None
    user, password = created
    assert user.username != "admin" and user.role is UserRole.ADMIN
    assert login(user.username, password).status_code == 200


def test_no_admin_is_generated_when_one_exists() -> None:
    make_user(UserRole.ADMIN)

    assert user_services.bootstrap_admin(username=None, password=None) is None
    assert connection.users().count_documents({}) == 1
