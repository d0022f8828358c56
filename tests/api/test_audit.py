"""The audit log: every admin change to stages, the config and users, every sign-in, refused
or not, and every sign-out is recorded with who, what and from where; admins read it newest
first in stable cursor pages."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from leads.domain.enums import UserRole
from leads.domain.models import User
from leads.store.audit import AUDIT, audit
from leads.store.connection import count_round_trips, database
from tests.builders import (
    PASSWORD,
    assert_error,
    client_for,
    make_lead,
    make_pipeline,
    make_user,
)

ADDRESS = "192.0.2.44"
AGENT = "Mozilla/5.0 (audit test)"
WHERE = {"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT}


@pytest.fixture
def admin() -> User:
    return make_user(UserRole.ADMIN, username="ada")


@pytest.fixture
def client(admin: User) -> APIClient:
    client = client_for(admin)
    client.defaults.update(WHERE)
    # Only what the test itself does: the set-up's own entries (builders, sign-in) go.
    audit().delete_many({})
    return client


def recorded(action: str | None = None) -> list[dict[str, Any]]:
    """The stored entries (of `action`), newest first."""
    query = {"action": action} if action else {}
    return list(audit().find(query, {"_id": 0}).sort([("at", -1), ("uid", -1)]))


def only(action: str) -> dict[str, Any]:
    entries = recorded(action)
    assert len(entries) == 1, entries
    return entries[0]


def assert_by(entry: dict[str, Any], user: User) -> None:
    assert entry["actor_uid"] == user.uid
    assert entry["actor_username"] == user.username
    assert entry["address"] == ADDRESS
    assert entry["user_agent"] == AGENT


def login(username: str, password: str = PASSWORD, **headers: Any) -> Any:
    return APIClient().post(
        "/api/auth/login/",
        {"username": username, "password": password},
        format="json",
        **{**WHERE, **headers},
    )


# --- stages -----------------------------------------------------------------------------------


def test_editing_a_stage_records_who_from_where_and_the_fields_old_and_new(
    admin: User, client: APIClient
) -> None:
    stages = make_pipeline()
    audit().delete_many({})

    response = client.patch(
        f"/api/stages/{stages['new'].uid}/",
        {"name": "Fresh", "color": "#123456"},
        format="json",
    )

    assert response.status_code == 200
    entry = only("stage.updated")
    assert_by(entry, admin)
    assert entry["target"] == stages["new"].uid
    assert entry["changes"] == {
        "color": {"old": stages["new"].color, "new": "#123456"},
        "name": {"old": "New", "new": "Fresh"},
    }
    assert "Fresh" in entry["summary"]


def test_creating_a_stage_is_recorded(admin: User, client: APIClient) -> None:
    make_pipeline()
    audit().delete_many({})

    response = client.post("/api/stages/", {"name": "Demo"}, format="json")

    assert response.status_code == 201
    entry = only("stage.created")
    assert_by(entry, admin)
    assert entry["target"] == response.json()["uid"]
    assert entry["changes"]["name"] == {"old": None, "new": "Demo"}


def test_deleting_a_stage_records_where_its_leads_went(admin: User, client: APIClient) -> None:
    stages = make_pipeline()
    demo = client.post("/api/stages/", {"name": "Demo"}, format="json").json()
    # A lead starts in Demo while it is the initial stage, which a stage in use cannot be.
    client.patch("/api/config/", {"initial_stage": demo["uid"]}, format="json")
    make_lead(admin)
    client.patch("/api/config/", {"initial_stage": stages["new"].uid}, format="json")
    audit().delete_many({})

    response = client.delete(f"/api/stages/{demo['uid']}/?move_to={stages['new'].uid}")

    assert response.status_code == 200, response.content
    entry = only("stage.deleted")
    assert_by(entry, admin)
    assert entry["target"] == demo["uid"]
    assert entry["changes"] == {"leads": {"old": demo["uid"], "new": stages["new"].uid}}
    assert "moved 1 lead(s) to 'New'" in entry["summary"]


def test_reordering_stages_records_the_order_before_and_after(
    admin: User, client: APIClient
) -> None:
    stages = make_pipeline()
    before = [stages[name].uid for name in ("new", "contacted", "won", "lost")]
    after = [stages[name].uid for name in ("contacted", "new", "won", "lost")]
    audit().delete_many({})

    response = client.post("/api/stages/reorder/", {"order": after}, format="json")

    assert response.status_code == 200
    entry = only("stage.reordered")
    assert_by(entry, admin)
    assert entry["changes"] == {"order": {"old": before, "new": after}}


def test_a_refused_stage_change_records_nothing(client: APIClient) -> None:
    stages = make_pipeline()
    audit().delete_many({})

    response = client.patch(
        f"/api/stages/{stages['new'].uid}/", {"allowed_next_stages": ["nowhere"]}, format="json"
    )

    assert response.status_code == 400
    assert recorded() == []


# --- config -----------------------------------------------------------------------------------


def test_changing_the_lost_reasons_records_the_reasons_old_and_new(
    admin: User, client: APIClient
) -> None:
    make_pipeline()
    old = [reason["value"] for reason in client.get("/api/config/").json()["lost_reasons"]]
    audit().delete_many({})

    response = client.patch(
        "/api/config/",
        {"lost_reasons": [{"value": "price", "label": "Too expensive"}]},
        format="json",
    )

    assert response.status_code == 200, response.content
    entry = only("config.updated")
    assert_by(entry, admin)
    assert entry["target"] == "default"
    assert entry["changes"] == {"lost_reasons": {"old": old, "new": ["price"]}}


def test_removing_a_field_records_the_field_keys_and_is_written_with_the_change(
    admin: User, client: APIClient
) -> None:
    make_pipeline()
    variables = client.get("/api/config/").json()["variables"]
    audit().delete_many({})

    # "industry" goes: no stage requires it, so this is the write without a transaction.
    response = client.patch("/api/config/", {"variables": variables[:1]}, format="json")

    assert response.status_code == 200, response.content
    entry = only("config.updated")
    assert entry["changes"] == {"variables": {"old": ["budget", "industry"], "new": ["budget"]}}


def test_locking_the_workflow_is_recorded_as_such(admin: User, client: APIClient) -> None:
    make_pipeline()
    audit().delete_many({})

    assert client.patch("/api/config/", {"locked": True}, format="json").status_code == 200

    entry = only("config.updated")
    assert entry["summary"] == "Locked the workflow"
    assert entry["changes"] == {"locked": {"old": False, "new": True}}


# --- users ------------------------------------------------------------------------------------


def test_adding_a_user_records_the_username_and_role(admin: User, client: APIClient) -> None:
    response = client.post(
        "/api/users/",
        {"username": "dana", "password": "a long enough secret", "role": "viewer"},
        format="json",
    )

    assert response.status_code == 201
    entry = only("user.created")
    assert_by(entry, admin)
    assert entry["target"] == response.json()["uid"]
    assert entry["changes"] == {
        "username": {"old": None, "new": "dana"},
        "role": {"old": None, "new": "viewer"},
    }
    assert "a long enough secret" not in str(recorded())


def test_a_role_change_a_deactivation_and_a_password_reset_are_each_recorded(
    admin: User, client: APIClient
) -> None:
    member = make_user(UserRole.MEMBER)
    audit().delete_many({})

    response = client.patch(
        f"/api/users/{member.uid}/",
        {"role": "viewer", "is_active": False, "password": "another long secret"},
        format="json",
    )

    assert response.status_code == 200
    assert sorted(entry["action"] for entry in recorded()) == [
        "user.deactivated",
        "user.password_reset",
        "user.role_changed",
    ]
    for entry in recorded():
        assert_by(entry, admin)
        assert entry["target"] == member.uid
    assert only("user.role_changed")["changes"] == {"role": {"old": "member", "new": "viewer"}}
    assert only("user.deactivated")["changes"] == {"is_active": {"old": True, "new": False}}
    # That the password changed, never what it is.
    assert only("user.password_reset")["changes"] == {}
    assert "another long secret" not in str(recorded())


def test_reactivating_and_editing_a_profile_are_recorded(admin: User, client: APIClient) -> None:
    member = make_user(UserRole.MEMBER)
    client.patch(f"/api/users/{member.uid}/", {"is_active": False}, format="json")
    audit().delete_many({})

    client.patch(
        f"/api/users/{member.uid}/", {"is_active": True, "display_name": "Mo"}, format="json"
    )

    assert only("user.reactivated")["target"] == member.uid
    changes = only("user.updated")["changes"]
    assert changes == {"display_name": {"old": member.display_name, "new": "Mo"}}


def test_refusing_to_demote_the_last_admin_records_nothing(admin: User, client: APIClient) -> None:
    response = client.patch(f"/api/users/{admin.uid}/", {"role": "member"}, format="json")

    assert_error(response, 409, "last_admin")
    assert recorded() == []


# --- signing in and out -----------------------------------------------------------------------


def test_a_sign_in_is_recorded_with_the_user_and_where_from() -> None:
    member = make_user(UserRole.MEMBER)

    assert login(member.username).status_code == 200

    entry = only("auth.signed_in")
    assert_by(entry, member)
    assert entry["target"] == member.uid


def test_a_failed_sign_in_records_the_username_tried_and_no_user() -> None:
    member = make_user(UserRole.MEMBER)

    assert login(member.username, "wrong").status_code == 401
    assert login("no-such-person", "wrong").status_code == 401

    failed = recorded("auth.sign_in_failed")
    assert [entry["actor_username"] for entry in failed] == ["no-such-person", member.username]
    for entry in failed:
        assert entry["actor_uid"] is None
        assert entry["address"] == ADDRESS
        assert entry["user_agent"] == AGENT
    assert recorded("auth.signed_in") == []


def test_throttled_sign_ins_are_recorded_once_per_window_with_a_count() -> None:
    member = make_user(UserRole.MEMBER)
    for _ in range(10):
        login(member.username, "wrong")

    for _ in range(3):
        assert login(member.username).status_code == 429

    entry = only("auth.sign_in_throttled")
    assert entry["actor_username"] == member.username
    assert entry["actor_uid"] is None
    assert entry["address"] == ADDRESS
    assert entry["repeats"] == 3
    assert "for this username" in entry["summary"]
    assert len(recorded("auth.sign_in_failed")) == 10


def test_behind_a_proxy_the_address_recorded_is_the_one_the_proxy_appended(
    settings: Settings,
) -> None:
    settings.BEHIND_PROXY = True
    member = make_user(UserRole.MEMBER)

    login(member.username, HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.7")

    assert only("auth.signed_in")["address"] == "198.51.100.7"


def test_signing_out_is_recorded(admin: User, client: APIClient) -> None:
    assert client.post("/api/auth/logout/").status_code == 204

    entry = only("auth.signed_out")
    assert_by(entry, admin)


def test_signing_out_of_a_session_is_recorded_and_ends_the_session() -> None:
    member = make_user(UserRole.MEMBER)
    browser = APIClient(enforce_csrf_checks=False)
    browser.defaults.update(WHERE)
    assert (
        browser.post(
            "/api/auth/login/", {"username": member.username, "password": PASSWORD}, format="json"
        ).status_code
        == 200
    )
    browser.credentials()  # the session cookie only

    browser.post("/api/auth/logout/", HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value)

    assert_by(only("auth.signed_out"), member)
    assert browser.get("/api/auth/me/").status_code in (401, 403)


# --- when the entry cannot be written --------------------------------------------------------


def refuse_audit_writes() -> None:
    """Make the real server refuse every new entry (a validator no entry passes)."""
    database().command("collMod", AUDIT, validator={"action": {"$exists": False}})


def test_a_stage_edit_stands_and_answers_200_when_its_entry_cannot_be_written(
    client: APIClient, caplog: pytest.LogCaptureFixture
) -> None:
    stages = make_pipeline()
    refuse_audit_writes()

    response = client.patch(f"/api/stages/{stages['new'].uid}/", {"name": "Fresh"}, format="json")

    assert response.status_code == 200
    assert client.get(f"/api/stages/{stages['new'].uid}/").json()["name"] == "Fresh"
    assert "audit entries not written: stage.updated stage-new" in caplog.text
    assert recorded("stage.updated") == []


def test_a_sign_in_still_succeeds_when_its_entry_cannot_be_written() -> None:
    member = make_user(UserRole.MEMBER)
    refuse_audit_writes()

    assert login(member.username).status_code == 200
    assert login(member.username, "wrong").status_code == 401


def test_a_reorder_whose_entry_cannot_be_written_is_not_made_and_says_so(
    client: APIClient,
) -> None:
    stages = make_pipeline()
    before = [stage["uid"] for stage in client.get("/api/stages/").json()]
    audit().delete_many({})
    refuse_audit_writes()

    response = client.post("/api/stages/reorder/", {"order": before[::-1]}, format="json")

    assert_error(response, 503, "audit_unavailable")
    assert [stage["uid"] for stage in client.get("/api/stages/").json()] == before
    assert recorded("stage.reordered") == [] and stages["new"].uid in before


# --- reading it -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [UserRole.MEMBER, UserRole.VIEWER])
def test_only_admins_read_the_audit_log(role: UserRole) -> None:
    response = client_for(make_user(role)).get("/api/audit/")

    assert_error(response, 403, "permission_denied")


def test_signed_out_callers_cannot_read_the_audit_log() -> None:
    assert APIClient().get("/api/audit/").status_code in (401, 403)


def test_the_log_is_newest_first_and_shows_who_what_and_where(
    admin: User, client: APIClient
) -> None:
    stages = make_pipeline()
    audit().delete_many({})
    client.patch(f"/api/stages/{stages['new'].uid}/", {"name": "Fresh"}, format="json")
    client.post("/api/stages/", {"name": "Demo"}, format="json")

    body = client.get("/api/audit/").json()

    assert [entry["action"] for entry in body["results"]] == ["stage.created", "stage.updated"]
    shown = body["results"][1]
    assert shown["actor_username"] == "ada" and shown["actor_uid"] == admin.uid
    assert shown["target"] == stages["new"].uid
    assert shown["address"] == ADDRESS and shown["user_agent"] == AGENT
    assert shown["changes"] == {"name": {"old": "New", "new": "Fresh"}}
    assert shown["repeats"] == 1
    assert "expires_at" not in shown and "repeat_key" not in shown
    assert body["next"] is None and body["next_cursor"] is None


def test_the_action_filter_takes_a_kind_or_a_whole_code(client: APIClient) -> None:
    stages = make_pipeline()
    client.patch(f"/api/stages/{stages['new'].uid}/", {"name": "Fresh"}, format="json")
    login("somebody", "wrong")

    kinds = {entry["action"] for entry in client.get("/api/audit/?action=stage.").json()["results"]}
    exact = client.get("/api/audit/?action=auth.sign_in_failed").json()["results"]

    assert kinds == {"stage.created", "stage.reordered", "stage.updated"}
    assert [entry["actor_username"] for entry in exact] == ["somebody"]


def test_an_unknown_action_filter_is_a_400_naming_it(client: APIClient) -> None:
    for value in ("stage.nope", "sta", ".*"):
        assert_error(client.get(f"/api/audit/?action={value}"), 400, "invalid", "action")


def test_the_actor_filter_takes_a_username(admin: User, client: APIClient) -> None:
    member = make_user(UserRole.MEMBER)
    login(member.username)
    client.post("/api/stages/", {"name": "Demo"}, format="json")

    results = client.get(f"/api/audit/?actor={member.username}").json()["results"]

    assert [entry["action"] for entry in results] == ["auth.signed_in"]


def test_from_and_to_bound_the_time(client: APIClient) -> None:
    client.post("/api/stages/", {"name": "Early"}, format="json")
    cut = recorded()[0]["at"]
    client.post("/api/stages/", {"name": "Late"}, format="json")
    late = recorded()[0]["at"]
    assert late > cut, "the two writes fell in one millisecond"
    stamp = late.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    before = client.get("/api/audit/", {"to": stamp}).json()["results"]
    since = client.get("/api/audit/", {"from": stamp}).json()["results"]

    assert "'Early'" in before[0]["summary"] and len(before) == 1
    assert "'Late'" in since[0]["summary"] and len(since) == 1


def test_bad_filters_and_cursors_are_400s_naming_the_parameter(client: APIClient) -> None:
    assert_error(client.get("/api/audit/?from=yesterday"), 400, "invalid", "from")
    assert_error(client.get("/api/audit/?limit=0"), 400, "invalid", "limit")
    assert_error(client.get("/api/audit/?cursor=forged"), 400, "invalid", "cursor")
    assert_error(client.get("/api/audit/?since=x"), 400, "invalid", "since")


def test_pages_hold_still_while_entries_are_added(client: APIClient) -> None:
    for index in range(7):
        login(f"guess-{index}", "wrong")
    first = client.get("/api/audit/?limit=3").json()

    # Newer entries arrive while the admin pages on.
    login("late-1", "wrong")
    login("late-2", "wrong")
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    names = [e["actor_username"] for page in (first, second, third) for e in page["results"]]
    assert names == [f"guess-{index}" for index in range(6, -1, -1)]
    assert third["next"] is None


# --- round trips --------------------------------------------------------------------------------

# Authenticating a bearer token is one round trip of every request below.
AUTH = 1


def test_an_audited_stage_edit_costs_one_round_trip_more_than_the_edit(client: APIClient) -> None:
    stages = make_pipeline()

    with count_round_trips() as trips:
        response = client.patch(
            f"/api/stages/{stages['new'].uid}/", {"name": "Fresh"}, format="json"
        )

    assert response.status_code == 200
    # config and stages (1), the conditional replace (1), the entry (1)
    assert trips.count - AUTH == 3, trips.commands
    assert trips.commands[-1] == "insert"


def test_an_audited_reorder_writes_its_entry_inside_its_transaction(client: APIClient) -> None:
    stages = make_pipeline()
    order = [stages[name].uid for name in ("contacted", "new", "won", "lost")]

    with count_round_trips() as trips:
        client.post("/api/stages/reorder/", {"order": order}, format="json")

    # stages (1), the bulk reorder (1), the entry (1), the stages as now (1), commit (1)
    assert trips.commands[AUTH:] == ["find", "update", "insert", "find", "commitTransaction"]


def test_an_audited_user_change_writes_all_its_entries_in_one_round_trip(
    client: APIClient,
) -> None:
    member = make_user(UserRole.MEMBER)

    with count_round_trips() as profile:
        client.patch(
            f"/api/users/{member.uid}/", {"display_name": "Mo", "email": "mo@x.io"}, format="json"
        )
    with count_round_trips() as demotion:
        client.patch(
            f"/api/users/{member.uid}/",
            {"role": "viewer", "password": "long new secret"},
            format="json",
        )

    # the user, the update, its entry
    assert profile.commands[AUTH:] == ["find", "findAndModify", "insert"]
    # the user; a role change runs in the last-admin transaction (guard made once, guard, the
    # user, the update, commit); then its two entries in one insert
    assert demotion.commands[AUTH:] == [
        "find",
        "update",
        "update",
        "find",
        "findAndModify",
        "commitTransaction",
        "insert",
    ]
    assert len(recorded("user.role_changed")) == 1
    assert len(recorded("user.password_reset")) == 1


def test_a_sign_in_costs_one_round_trip_for_its_entry() -> None:
    member = make_user(UserRole.MEMBER)

    with count_round_trips() as trips:
        assert login(member.username).status_code == 200

    # throttle counts, user, password hash, reset the count, token, the entry
    assert trips.commands == ["find", "find", "find", "delete", "update", "insert"]


def test_a_throttled_sign_in_costs_one_round_trip_for_its_entry() -> None:
    member = make_user(UserRole.MEMBER)
    for _ in range(10):
        login(member.username, "wrong")

    with count_round_trips() as trips:
        assert login(member.username).status_code == 429

    # the throttle counts, the counted entry
    assert trips.commands == ["find", "update"]
