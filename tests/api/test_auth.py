"""Signing in and out (token and session), and what each role may do."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from leads.domain.enums import UserRole
from leads.domain.models import utcnow
from leads.services import users as user_services
from leads.store import connection
from tests.builders import PASSWORD, assert_error, client_for, make_lead, make_pipeline, make_user


def login(client: APIClient, username: str, password: str = PASSWORD) -> Any:
    return client.post(
        "/api/auth/login/", {"username": username, "password": password}, format="json"
    )


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


# --- tokens ---------------------------------------------------------------------------------


def test_login_returns_a_token_that_works_as_a_bearer_header() -> None:
    user = make_user(UserRole.MEMBER)

    response = login(APIClient(), user.username)

    assert response.status_code == 200
    assert response.json()["user"]["uid"] == user.uid
    me = bearer(response.json()["token"]).get("/api/auth/me/")
    assert me.status_code == 200
    assert me.json()["username"] == user.username


def test_wrong_password_unknown_user_and_inactive_user_are_refused_alike() -> None:
    user = make_user()
    inactive = make_user()
    client_for(make_user(UserRole.ADMIN)).patch(
        f"/api/users/{inactive.uid}/", {"is_active": False}, format="json"
    )

    refusals = [
        login(APIClient(), user.username, "not the password"),
        login(APIClient(), "nobody-by-that-name"),
        login(APIClient(), inactive.username),
    ]

    errors = [assert_error(response, 401, "invalid_credentials") for response in refusals]
    assert len({error["message"] for error in errors}) == 1


def test_login_without_a_password_is_400_naming_it() -> None:
    user = make_user()

    response = APIClient().post("/api/auth/login/", {"username": user.username}, format="json")

    assert_error(response, 400, "invalid", "password")


def test_logout_revokes_the_token() -> None:
    user = make_user()
    token = login(APIClient(), user.username).json()["token"]
    client = bearer(token)

    assert client.post("/api/auth/logout/").status_code == 204

    assert_error(bearer(token).get("/api/auth/me/"), 401, "authentication_failed")


def test_logout_leaves_the_users_other_tokens_working() -> None:
    user = make_user()
    first = login(APIClient(), user.username).json()["token"]
    second = login(APIClient(), user.username).json()["token"]

    bearer(first).post("/api/auth/logout/")

    assert bearer(second).get("/api/auth/me/").status_code == 200


def test_an_expired_token_is_refused() -> None:
    user = make_user()
    token = login(APIClient(), user.username).json()["token"]
    connection.users().update_one(
        {"uid": user.uid}, {"$set": {"tokens.$[].expires_at": utcnow() - timedelta(seconds=1)}}
    )

    response = bearer(token).get("/api/auth/me/")

    assert_error(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_made_up_token_is_refused() -> None:
    make_user()

    assert_error(bearer("not-a-token").get("/api/auth/me/"), 401, "authentication_failed")


def test_tokens_are_stored_hashed() -> None:
    user = make_user()
    token = login(APIClient(), user.username).json()["token"]

    stored = connection.users().find_one({"uid": user.uid})

    assert stored is not None
    assert token not in str(stored)
    assert user_services.auth_user_for_token(token) == user


def test_me_returns_the_user_without_password_hash_or_tokens() -> None:
    user = make_user(UserRole.VIEWER)

    response = client_for(user).get("/api/auth/me/")

    assert response.status_code == 200
    body = response.json()
    assert body["uid"] == user.uid and body["role"] == "viewer"
    assert not {"password", "password_hash", "tokens", "_id"} & set(body)
    assert PASSWORD not in response.content.decode()


# --- the web app's session ------------------------------------------------------------------


def test_login_also_signs_in_the_session_cookie() -> None:
    user = make_user()
    client = APIClient()
    login(client, user.username)

    response = client.get("/api/auth/me/")

    assert response.status_code == 200
    assert response.json()["uid"] == user.uid


def test_an_unsafe_request_on_the_session_without_the_csrf_token_is_403() -> None:
    make_pipeline()
    user = make_user()
    client = APIClient(enforce_csrf_checks=True)
    login(client, user.username)

    response = client.post("/api/leads/", {"name": "Acme"}, format="json")

    error = assert_error(response, 403, "permission_denied")
    assert "CSRF" in error["message"]
    assert connection.leads().count_documents({"type": "lead"}) == 0


def test_an_unsafe_request_on_the_session_with_the_csrf_header_passes() -> None:
    make_pipeline()
    user = make_user()
    client = APIClient(enforce_csrf_checks=True)
    login(client, user.username)
    csrf = client.cookies["csrftoken"].value

    response = client.post("/api/leads/", {"name": "Acme"}, format="json", HTTP_X_CSRFTOKEN=csrf)

    assert response.status_code == 201
    assert response.json()["created_by"] == user.uid


def test_logout_ends_the_session() -> None:
    user = make_user()
    client = APIClient(enforce_csrf_checks=True)
    login(client, user.username)
    csrf = client.cookies["csrftoken"].value

    assert client.post("/api/auth/logout/", HTTP_X_CSRFTOKEN=csrf).status_code == 204

    assert_error(client.get("/api/auth/me/"), 401, "not_authenticated")


def _copy_of_the_session(client: APIClient) -> APIClient:
    """Another client holding the same session cookie, as if it had been copied."""
    thief = APIClient()
    thief.cookies["sessionid"] = client.cookies["sessionid"].value
    return thief


def test_a_copied_session_cookie_stops_working_after_logout() -> None:
    user = make_user()
    client = APIClient()
    login(client, user.username)
    thief = _copy_of_the_session(client)
    assert thief.get("/api/auth/me/").status_code == 200

    assert client.post("/api/auth/logout/").status_code == 204

    assert_error(thief.get("/api/auth/me/"), 401, "not_authenticated")


def test_logging_out_with_a_copied_cookie_ends_the_original_session_too() -> None:
    user = make_user()
    client = APIClient()
    login(client, user.username)

    assert _copy_of_the_session(client).post("/api/auth/logout/").status_code == 204

    assert_error(client.get("/api/auth/me/"), 401, "not_authenticated")


def test_logging_out_one_session_leaves_the_users_other_sessions_signed_in() -> None:
    user = make_user()
    laptop, phone = APIClient(), APIClient()
    login(laptop, user.username)
    login(phone, user.username)

    laptop.post("/api/auth/logout/")

    assert phone.get("/api/auth/me/").status_code == 200


def test_the_session_cookie_does_not_hold_a_usable_token() -> None:
    user = make_user()
    client = APIClient()
    token = login(client, user.username).json()["token"]

    assert token not in client.cookies["sessionid"].value


def test_a_deactivated_users_session_stops_working() -> None:
    user = make_user()
    client = APIClient()
    login(client, user.username)

    client_for(make_user(UserRole.ADMIN)).patch(
        f"/api/users/{user.uid}/", {"is_active": False}, format="json"
    )

    assert_error(client.get("/api/auth/me/"), 401, "not_authenticated")


# --- anonymous ------------------------------------------------------------------------------

SIGNED_IN_ONLY = [
    ("get", "/api/auth/me/"),
    ("post", "/api/auth/logout/"),
    ("get", "/api/leads/"),
    ("post", "/api/leads/"),
    ("get", "/api/leads/LEAD-202601-00001/"),
    ("patch", "/api/leads/LEAD-202601-00001/"),
    ("delete", "/api/leads/LEAD-202601-00001/"),
    ("get", "/api/stages/"),
    ("post", "/api/stages/"),
    ("get", "/api/stages/stage-new/"),
    ("patch", "/api/stages/stage-new/"),
    ("delete", "/api/stages/stage-new/"),
    ("post", "/api/stages/reorder/"),
    ("get", "/api/config/"),
    ("patch", "/api/config/"),
    ("get", "/api/users/"),
    ("post", "/api/users/"),
    ("get", "/api/users/usr-1/"),
    ("patch", "/api/users/usr-1/"),
]


@pytest.mark.parametrize(("method", "path"), SIGNED_IN_ONLY)
def test_anonymous_requests_are_401(method: str, path: str) -> None:
    make_pipeline()

    response = getattr(APIClient(), method)(path, {}, format="json")

    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/", "/healthz"])
def test_schema_docs_and_health_work_anonymously(path: str) -> None:
    assert APIClient().get(path).status_code == 200


def test_login_works_anonymously() -> None:
    user = make_user()

    assert login(APIClient(), user.username).status_code == 200


# --- roles ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/leads/", "/api/stages/", "/api/stages/stage-new/", "/api/config/", "/api/users/"]
)
def test_a_viewer_can_read_leads_stages_config_and_users(path: str) -> None:
    make_pipeline()
    make_lead(make_user())

    assert client_for(make_user(UserRole.VIEWER)).get(path).status_code == 200


def _write_requests(lead_uid: str, user_uid: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("post", "/api/leads/", {"name": "Acme"}),
        ("patch", f"/api/leads/{lead_uid}/", {"company": "Acme Ltd"}),
        ("delete", f"/api/leads/{lead_uid}/", {}),
        ("post", "/api/stages/", {"name": "Proposal"}),
        ("patch", "/api/stages/stage-new/", {"name": "Fresh"}),
        ("post", "/api/stages/reorder/", {"order": []}),
        ("delete", "/api/stages/stage-lost/", {}),
        ("patch", "/api/config/", {"workflow_name": "Renamed"}),
        ("post", "/api/users/", {"username": "newbie", "password": PASSWORD}),
        ("patch", f"/api/users/{user_uid}/", {"display_name": "Renamed"}),
    ]


def test_a_viewer_cannot_change_anything() -> None:
    make_pipeline()
    member = make_user()
    lead = make_lead(member)
    viewer = client_for(make_user(UserRole.VIEWER))
    before = list(connection.leads().find({}, {"_id": 0}).sort("uid"))

    for method, path, payload in _write_requests(lead.uid, member.uid):
        response = getattr(viewer, method)(path, payload, format="json")
        assert_error(response, 403, "permission_denied")

    assert list(connection.leads().find({}, {"_id": 0}).sort("uid")) == before
    assert connection.users().count_documents({}) == 2


def test_a_member_can_create_and_update_leads() -> None:
    make_pipeline()
    member = client_for(make_user(UserRole.MEMBER))

    created = member.post("/api/leads/", {"name": "Acme"}, format="json")
    updated = member.patch(
        f"/api/leads/{created.json()['uid']}/", {"company": "Acme Ltd"}, format="json"
    )

    assert created.status_code == 201
    assert updated.status_code == 200
    assert updated.json()["company"] == "Acme Ltd"


def test_a_member_cannot_change_stages_config_or_users() -> None:
    make_pipeline()
    member = make_user()
    lead = make_lead(member)
    client = client_for(member)
    pipeline_writes = _write_requests(lead.uid, member.uid)[3:]
    before = list(connection.leads().find({"type": {"$ne": "lead"}}, {"_id": 0}).sort("uid"))

    for method, path, payload in pipeline_writes:
        response = getattr(client, method)(path, payload, format="json")
        error = assert_error(response, 403, "permission_denied")
        assert "admin" in error["message"]

    assert list(connection.leads().find({"type": {"$ne": "lead"}}, {"_id": 0}).sort("uid")) == (
        before
    )


def test_an_admin_can_change_leads_stages_config_and_users() -> None:
    stages = make_pipeline()
    admin = client_for(make_user(UserRole.ADMIN))
    member = make_user()
    lead = make_lead(member)
    order = [stages[name].uid for name in ("new", "contacted", "lost", "won")]

    responses = [
        admin.post("/api/leads/", {"name": "Acme"}, format="json"),
        admin.patch(f"/api/leads/{lead.uid}/", {"company": "Acme Ltd"}, format="json"),
        admin.post("/api/stages/", {"name": "Proposal"}, format="json"),
        admin.patch("/api/stages/stage-new/", {"name": "Fresh"}, format="json"),
        admin.post("/api/stages/reorder/", {"order": [*order, "stage-proposal"]}, format="json"),
        admin.patch("/api/config/", {"workflow_name": "Renamed"}, format="json"),
        admin.post("/api/users/", {"username": "newbie", "password": PASSWORD}, format="json"),
        admin.patch(f"/api/users/{member.uid}/", {"display_name": "Renamed"}, format="json"),
        admin.delete("/api/stages/stage-proposal/"),
        admin.delete(f"/api/leads/{lead.uid}/"),
    ]

    assert [response.status_code for response in responses] == [
        201,
        200,
        201,
        200,
        200,
        200,
        201,
        200,
        200,
        204,
    ]
