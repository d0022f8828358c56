"""The automation rules API (/work/briefs/RULES.md): admins only, rules as sentences rendered
from the current names, references checked at save time naming the field path, versions,
audit entries (and those of webhooks)."""

from __future__ import annotations

from typing import Any

import pytest

from leads.domain.enums import UserRole
from leads.store.connection import count_round_trips
from tests.builders import admin_client, assert_error, client_for, make_pipeline, make_user

RECEIVER = "http://127.0.0.1:9/hook"


@pytest.fixture(autouse=True)
def private_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADCRM_WEBHOOK_ALLOW_PRIVATE", "1")


def _create(client: Any, **values: Any) -> dict[str, Any]:
    response = client.post("/api/automation/rules/", values, format="json")
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def test_a_rule_reads_as_a_sentence_from_the_current_names() -> None:
    stages = make_pipeline()
    sam = make_user(UserRole.MEMBER, username="sam")
    admin = admin_client()
    created = _create(
        admin,
        name="Contacted follow-up",
        trigger={"kind": "stage_entered", "stage": stages["contacted"].uid},
        actions=[
            {"kind": "assign", "users": [sam.uid]},
            {"kind": "add_task", "title": "Send proposal", "due_in_days": 2},
        ],
    )
    assert created["sentence"] == (
        "When a lead enters Contacted, assign Sam and add the task \u201cSend proposal\u201d"
        " due in 2 days."
    )
    assert created["active"] is True and created["version"] == 1
    assert created["actions"][1] == {
        "kind": "add_task",
        "title": "Send proposal",
        "due_in_days": 2,
        "required": False,
    }
    assert created["stats"] == {"runs": 0, "failures": 0, "last_run_at": None, "last_error": None}
    assert created["created_by"]["name"].startswith("Admin")
    renamed = admin.patch(
        f"/api/stages/{stages['contacted'].uid}/", {"name": "Qualified"}, format="json"
    )
    assert renamed.status_code == 200, renamed.content
    shown = admin.get(f"/api/automation/rules/{created['uid']}/").json()
    assert shown["sentence"].startswith("When a lead enters Qualified, assign Sam")


def test_round_robin_and_the_other_actions_read_in_the_sentence() -> None:
    make_pipeline()
    users = [make_user(UserRole.MEMBER, username=name) for name in ("sam", "ann", "bo")]
    admin = admin_client()
    hook = admin.post("/api/webhooks/", {"url": RECEIVER, "description": "Slack"}, format="json")
    created = _create(
        admin,
        name="New leads",
        trigger={"kind": "lead_created"},
        actions=[
            {"kind": "assign", "users": [user.uid for user in users]},
            {"kind": "set_field", "field": "industry", "value": "saas"},
            {"kind": "add_tag", "tag": "inbound"},
            {"kind": "send_webhook", "webhook": hook.json()["uid"]},
        ],
    )
    assert created["sentence"] == (
        "When a lead is created, assign Sam, Ann or Bo in turn, set Industry to \u201csaas\u201d,"
        " add the tag \u201cinbound\u201d and send it to the webhook Slack."
    )
    any_task = _create(
        admin, name="Any", trigger={"kind": "task_completed"}, actions=[created["actions"][2]]
    )
    assert any_task["sentence"] == "When any task is completed, add the tag \u201cinbound\u201d."
    assert any_task["trigger"] == {"kind": "task_completed", "stage": None, "title": None}


def test_the_list_is_newest_first_in_a_few_round_trips() -> None:
    stages = make_pipeline()
    admin = admin_client()
    sam = make_user(UserRole.MEMBER, username="sam")
    uids = [
        _create(
            admin,
            name=f"Rule {n}",
            trigger={"kind": "stage_entered", "stage": stages["won"].uid},
            actions=[{"kind": "assign", "users": [sam.uid]}],
        )["uid"]
        for n in range(3)
    ]
    with count_round_trips() as trips:
        listed = admin.get("/api/automation/rules/").json()["results"]
    assert [rule["uid"] for rule in listed] == uids[::-1]
    assert all(rule["sentence"].endswith("assign Sam.") for rule in listed)
    # the session, the rules, the workflow, the users
    assert trips.count <= 5, trips


@pytest.mark.parametrize("role", [UserRole.MEMBER, UserRole.VIEWER])
def test_only_admins_may_see_or_manage_rules(role: UserRole) -> None:
    make_pipeline()
    uid = _create(
        admin_client(),
        name="R",
        trigger={"kind": "lead_created"},
        actions=[{"kind": "add_tag", "tag": "x"}],
    )["uid"]
    other = client_for(make_user(role))
    for response in (
        other.get("/api/automation/rules/"),
        other.post("/api/automation/rules/", {}, format="json"),
        other.get(f"/api/automation/rules/{uid}/"),
        other.patch(f"/api/automation/rules/{uid}/", {"version": 1}, format="json"),
        other.delete(f"/api/automation/rules/{uid}/"),
        other.get(f"/api/automation/rules/{uid}/runs/"),
    ):
        assert_error(response, 403, "permission_denied")
    assert admin_client().get(f"/api/automation/rules/{uid}/").status_code == 200


def test_unknown_references_are_refused_naming_each_field_path() -> None:
    stages = make_pipeline()
    sam = make_user(UserRole.MEMBER, username="sam")
    gone = make_user(UserRole.MEMBER, username="gone")
    admin = admin_client()
    admin_uid = admin.get("/api/auth/me/").json()["uid"]
    assert admin_uid
    deactivated = admin.patch(f"/api/users/{gone.uid}/", {"is_active": False}, format="json")
    assert deactivated.status_code == 200, deactivated.content
    response = admin.post(
        "/api/automation/rules/",
        {
            "name": "Bad",
            "trigger": {"kind": "stage_entered", "stage": "stage-nowhere"},
            "actions": [
                {"kind": "assign", "users": [sam.uid, "usr-nobody", gone.uid]},
                {"kind": "set_field", "field": "budget", "value": "lots"},
                {"kind": "set_field", "field": "shoe_size", "value": 42},
                {"kind": "send_webhook", "webhook": "whk-nothing"},
            ],
        },
        format="json",
    )
    error = assert_error(
        response,
        400,
        "invalid",
        "trigger.stage",
        "actions.0.users.1",
        "actions.0.users.2",
        "actions.1.value",
        "actions.2.field",
        "actions.3.webhook",
    )
    assert "actions.0.users.0" not in error["fields"]
    assert admin.get("/api/automation/rules/").json()["results"] == []
    closed = _create(
        admin,
        name="Closed stage is fine",
        trigger={"kind": "task_completed", "stage": stages["won"].uid, "title": "Invoice"},
        actions=[{"kind": "add_tag", "tag": "x"}],
    )
    assert closed["sentence"].startswith("When the task \u201cInvoice\u201d of Won is completed")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"actions": []}, "actions"),
        ({"actions": [{"kind": "add_tag", "tag": "t"}] * 11}, "actions"),
        ({"trigger": {"kind": "lead_moved"}}, "trigger"),
        (
            {"actions": [{"kind": "add_task", "title": "T", "due_in_days": 366}]},
            "actions.0.add_task.due_in_days",
        ),
        ({"actions": [{"kind": "assign", "users": []}]}, "actions.0.assign.users"),
        ({"actions": [{"kind": "add_tag", "tag": "x" * 41}]}, "actions.0.add_tag.tag"),
        ({"active": "yes"}, "active"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_malformed_rules_are_a_400_naming_the_field(values: dict[str, Any], field: str) -> None:
    make_pipeline()
    rule = {
        "name": "R",
        "trigger": {"kind": "lead_created"},
        "actions": [{"kind": "add_tag", "tag": "t"}],
        **values,
    }
    response = admin_client().post("/api/automation/rules/", rule, format="json")
    error = assert_error(response, 400, "invalid")
    assert any(name.startswith(field) for name in error["fields"]), error


def test_a_patch_needs_the_version_read_and_a_stale_one_is_a_409() -> None:
    make_pipeline()
    admin = admin_client()
    uid = _create(
        admin, name="R", trigger={"kind": "lead_created"}, actions=[{"kind": "add_tag", "tag": "t"}]
    )["uid"]
    assert_error(
        admin.patch(f"/api/automation/rules/{uid}/", {"active": False}, format="json"),
        400,
        "invalid",
        "version",
    )
    off = admin.patch(
        f"/api/automation/rules/{uid}/", {"active": False, "version": 1}, format="json"
    )
    assert off.status_code == 200, off.content
    assert off.json()["active"] is False and off.json()["version"] == 2
    assert off.json()["sentence"] == "When a lead is created, add the tag \u201ct\u201d."
    stale = admin.patch(f"/api/automation/rules/{uid}/", {"name": "S", "version": 1}, format="json")
    assert_error(stale, 409, "version_conflict")
    bad = admin.patch(
        f"/api/automation/rules/{uid}/",
        {"actions": [{"kind": "set_field", "field": "nope", "value": 1}], "version": 2},
        format="json",
    )
    assert_error(bad, 400, "invalid", "actions.0.field")
    assert admin.get(f"/api/automation/rules/{uid}/").json()["version"] == 2


def test_a_deleted_rule_is_gone_and_its_runs_page_is_a_404() -> None:
    make_pipeline()
    admin = admin_client()
    uid = _create(
        admin, name="R", trigger={"kind": "lead_created"}, actions=[{"kind": "add_tag", "tag": "t"}]
    )["uid"]
    assert admin.get(f"/api/automation/rules/{uid}/runs/").json() == {"results": []}
    assert admin.delete(f"/api/automation/rules/{uid}/").status_code == 204
    assert_error(admin.get(f"/api/automation/rules/{uid}/"), 404, "rule_not_found")
    assert_error(admin.get(f"/api/automation/rules/{uid}/runs/"), 404, "rule_not_found")
    assert_error(admin.delete(f"/api/automation/rules/{uid}/"), 404, "rule_not_found")


def test_rule_and_webhook_changes_are_audited() -> None:
    make_pipeline()
    admin = admin_client()
    uid = _create(
        admin, name="R", trigger={"kind": "lead_created"}, actions=[{"kind": "add_tag", "tag": "t"}]
    )["uid"]
    admin.patch(f"/api/automation/rules/{uid}/", {"name": "Renamed", "version": 1}, format="json")
    admin.delete(f"/api/automation/rules/{uid}/")
    hook = admin.post("/api/webhooks/", {"url": RECEIVER}, format="json").json()
    admin.patch(
        f"/api/webhooks/{hook['uid']}/", {"active": False, "secret": "s" * 20}, format="json"
    )
    admin.delete(f"/api/webhooks/{hook['uid']}/")
    entries = admin.get("/api/audit/", {"limit": 50}).json()["results"]
    actions = [(entry["action"], entry["target"]) for entry in entries]
    assert actions[:6] == [
        ("webhook.deleted", hook["uid"]),
        ("webhook.updated", hook["uid"]),
        ("webhook.created", hook["uid"]),
        ("rule.deleted", uid),
        ("rule.updated", uid),
        ("rule.created", uid),
    ]
    updated = entries[1]
    assert set(updated["changes"]) == {"active", "secret"}
    assert "s" * 20 not in str(entries)
    assert hook["secret"] not in str(entries)
    renamed = entries[4]
    assert renamed["changes"]["name"] == {"old": "R", "new": "Renamed"}
    only_rules = admin.get("/api/audit/", {"action": "rule."}).json()["results"]
    assert {entry["action"] for entry in only_rules} == {
        "rule.created",
        "rule.updated",
        "rule.deleted",
    }
