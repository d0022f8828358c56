from __future__ import annotations

import re
from typing import Any

import pytest

from leads.domain.enums import UserRole
from leads.store.connection import count_round_trips
from tests.builders import client_for, field, make_config, make_lead, make_pipeline, make_user

# Every authenticated request first looks its bearer token up.
AUTH_ROUND_TRIPS = 1


@pytest.fixture
def member_client() -> Any:
    make_pipeline(
        field("budget", "currency", required=True, min=0),
        field("industry", "select", options=[{"value": "saas", "label": "SaaS"}]),
        field("employees", "integer", min=1),
        field("website", "url"),
    )
    member = make_user(UserRole.MEMBER)
    return client_for(member)


def _create(client: Any, **values: Any) -> Any:
    body = {"name": "Ada Lovelace", "data": {"budget": 1000}, **values}
    return client.post("/api/leads/", body, format="json")


def test_create_numbers_the_lead_and_puts_it_in_the_initial_stage(member_client: Any) -> None:
    response = _create(member_client, email="ADA@Example.com", tags=["vip", "vip"])

    assert response.status_code == 201
    lead = response.json()
    assert re.fullmatch(r"LEAD-\d{6}-00001", lead["uid"])
    assert lead["current_stage"] == "stage-new"
    assert lead["email"] == "ADA@example.com"
    assert lead["tags"] == ["vip"]
    assert lead["version"] == 1
    assert [task["title"] for task in lead["tasks"]] == ["Call the lead", "Research the company"]
    assert lead["tasks"][0]["due_at"] is not None
    assert lead["history"][0]["kind"] == "stage_visit"
    assert lead["history"][0]["stage"] == "stage-new"
    assert set(lead) == {  # the public fields only: no `_id`, no `type`, no unlisted field
        *("uid", "name", "email", "phone", "company", "source", "status", "current_stage"),
        *("rank", "stage_entered_at", "assigned_to", "data", "tags", "version", "created_at"),
        *("updated_at", "created_by", "closed_at", "tasks", "task_counts", "activities"),
        *("activity_count", "history", "moves", "lost_reason", "lost_note", "next_due_at"),
        *("last_activity_at", "overdue", "stale_days", "can_undo", "possible_duplicates"),
    }
    assert "last_move" not in lead  # what undo needs stays on the server
    assert response["ETag"] == '"1"'


def test_lead_numbers_follow_each_other(member_client: Any) -> None:
    first = _create(member_client).json()["uid"]
    second = _create(member_client).json()["uid"]

    assert int(second[-5:]) == int(first[-5:]) + 1


def test_create_validates_custom_fields_naming_each_key(member_client: Any) -> None:
    response = _create(
        member_client, data={"industry": "mining", "employees": "many", "colour": "red"}
    )

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"data.budget", "data.industry", "data.employees", "data.colour"}
    assert member_client.get("/api/leads/").json()["results"] == []  # nothing stored


def test_create_coerces_custom_field_values(member_client: Any) -> None:
    response = _create(member_client, data={"budget": "2,500.499", "employees": "12"})

    assert response.status_code == 201
    assert response.json()["data"] == {"budget": 2500.5, "employees": 12}


@pytest.mark.parametrize(
    "field_name",
    [
        "uid",
        "version",
        "current_stage",
        "tasks",
        "history",
        "activities",
        "created_at",
        "updated_at",
        "status",
        "rank",
    ],
)
def test_clients_cannot_write_server_owned_fields(member_client: Any, field_name: str) -> None:
    response = _create(member_client, **{field_name: "x"})

    assert response.status_code == 400
    assert field_name in response.json()["error"]["fields"]


def test_create_refuses_unknown_assignees(member_client: Any) -> None:
    response = _create(member_client, assigned_to=["usr-nobody"])

    assert response.status_code == 400
    assert "assigned_to" in response.json()["error"]["fields"]


def test_create_without_a_configured_workflow_says_so() -> None:
    member = make_user()
    response = client_for(member).post("/api/leads/", {"name": "X"}, format="json")

    assert response.status_code == 404
    assert "init_lead_data" in response.json()["error"]["message"]


def test_detail_returns_the_lead_and_unknown_uids_are_404(member_client: Any) -> None:
    uid = _create(member_client).json()["uid"]

    assert member_client.get(f"/api/leads/{uid}/").json()["uid"] == uid
    missing = member_client.get("/api/leads/LEAD-202601-99999/")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "lead_not_found"


def test_patch_records_each_field_change_in_history(member_client: Any) -> None:
    lead = _create(member_client, company="Analytical Engines").json()

    response = member_client.patch(
        f"/api/leads/{lead['uid']}/",
        {"company": "Babbage & Co", "data": {"budget": 1500, "industry": "saas"}, "version": 1},
        format="json",
    )

    assert response.status_code == 200
    updated = response.json()
    assert updated["version"] == 2
    assert updated["company"] == "Babbage & Co"
    assert updated["data"] == {"budget": 1500.0, "industry": "saas"}
    changes = updated["history"][-1]["changes"]
    assert changes == [
        {"field": "company", "old": "Analytical Engines", "new": "Babbage & Co"},
        {"field": "data.budget", "old": 1000.0, "new": 1500.0},
        {"field": "data.industry", "old": None, "new": "saas"},
    ]
    assert updated["activities"][0]["type"] == "field_change"


def test_patch_with_a_stale_version_is_409_and_changes_nothing(member_client: Any) -> None:
    uid = _create(member_client).json()["uid"]
    member_client.patch(f"/api/leads/{uid}/", {"name": "First edit"}, format="json")

    stale = member_client.patch(
        f"/api/leads/{uid}/", {"name": "Second edit", "version": 1}, format="json"
    )
    stale_header = member_client.patch(
        f"/api/leads/{uid}/", {"name": "Third edit"}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    assert stale_header.status_code == 409
    assert member_client.get(f"/api/leads/{uid}/").json()["name"] == "First edit"


def test_patch_can_clear_an_optional_field_but_not_a_required_one(member_client: Any) -> None:
    uid = _create(member_client, data={"budget": 10, "industry": "saas"}).json()["uid"]

    cleared = member_client.patch(f"/api/leads/{uid}/", {"data": {"industry": None}}, format="json")
    refused = member_client.patch(f"/api/leads/{uid}/", {"data": {"budget": None}}, format="json")

    assert cleared.status_code == 200 and "industry" not in cleared.json()["data"]
    assert refused.status_code == 400
    assert list(refused.json()["error"]["fields"]) == ["data.budget"]


def test_patch_cannot_touch_server_owned_fields(member_client: Any) -> None:
    uid = _create(member_client).json()["uid"]

    for name in ("current_stage", "tasks", "history", "uid", "created_at"):
        response = member_client.patch(f"/api/leads/{uid}/", {name: "x"}, format="json")
        assert response.status_code == 400, name
    assert member_client.get(f"/api/leads/{uid}/").json()["version"] == 1


def test_delete_removes_the_lead_and_respects_if_match(member_client: Any) -> None:
    uid = _create(member_client).json()["uid"]

    assert member_client.delete(f"/api/leads/{uid}/", HTTP_IF_MATCH='"7"').status_code == 409
    assert member_client.delete(f"/api/leads/{uid}/").status_code == 204
    assert member_client.get(f"/api/leads/{uid}/").status_code == 404
    assert member_client.delete(f"/api/leads/{uid}/").status_code == 404


def test_injection_attempts_are_refused_before_any_query(member_client: Any) -> None:
    attempts = [
        {"name": {"$ne": None}},
        {"name": "x", "data": {"$where": "1"}},
        {"name": "x", "data": {"budget.$": 1}},
        {"name": "x", "tags": [{"$gt": ""}]},
    ]
    for attempt in attempts:
        response = member_client.post("/api/leads/", attempt, format="json")
        assert response.status_code == 400, attempt
    listing = member_client.get("/api/leads/", {"q": '.*"$where'})
    assert listing.status_code == 200 and listing.json()["results"] == []
    assert member_client.get("/api/leads/LEAD-1{$ne:0}/").status_code == 404


def test_viewers_read_but_cannot_change_leads() -> None:
    make_pipeline()
    member = make_user()
    lead = make_lead(member, data={"budget": 5})
    viewer = client_for(make_user(UserRole.VIEWER))

    assert viewer.get(f"/api/leads/{lead.uid}/").status_code == 200
    assert viewer.post("/api/leads/", {"name": "x"}, format="json").status_code == 403
    assert viewer.patch(f"/api/leads/{lead.uid}/", {"name": "y"}, format="json").status_code == 403
    assert viewer.delete(f"/api/leads/{lead.uid}/").status_code == 403


def test_round_trips_detail_one_create_three(member_client: Any) -> None:
    with count_round_trips() as create:
        uid = _create(member_client).json()["uid"]
    with count_round_trips() as detail:
        member_client.get(f"/api/leads/{uid}/")
    with count_round_trips() as patch:
        member_client.patch(f"/api/leads/{uid}/", {"name": "New name"}, format="json")

    assert create.count - AUTH_ROUND_TRIPS <= 3
    assert detail.count - AUTH_ROUND_TRIPS == 1
    assert patch.count - AUTH_ROUND_TRIPS == 2


def test_config_without_stages_cannot_take_leads() -> None:
    make_config(field("budget", "currency"))
    response = client_for(make_user()).post("/api/leads/", {"name": "x"}, format="json")

    assert response.status_code == 409
    assert "initial_stage" in response.json()["error"]["message"]


@pytest.mark.parametrize("name", ["name", "tags", "data", "status", "version"])
def test_a_null_for_a_lead_field_that_cannot_be_cleared_is_400_naming_it(
    member_client: Any, name: str
) -> None:
    uid = _create(member_client).json()["uid"]

    response = member_client.patch(f"/api/leads/{uid}/", {name: None}, format="json")

    assert response.status_code == 400
    assert name in response.json()["error"]["fields"]
    assert member_client.get(f"/api/leads/{uid}/").json()["version"] == 1


@pytest.mark.parametrize("name", ["email", "phone", "company", "source"])
def test_a_null_clears_a_lead_s_contact_field(member_client: Any, name: str) -> None:
    uid = _create(
        member_client, email="ada@example.com", phone="+44 20", company="A", source="web"
    ).json()["uid"]

    response = member_client.patch(f"/api/leads/{uid}/", {name: None}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()[name] is None


def test_archiving_a_lead_refuses_every_move_until_it_is_restored(member_client: Any) -> None:
    uid = _create(member_client).json()["uid"]

    archived = member_client.patch(f"/api/leads/{uid}/", {"status": "archived"}, format="json")
    restored = member_client.patch(f"/api/leads/{uid}/", {"status": "open"}, format="json")

    assert archived.json()["status"] == "archived"
    assert {r["code"] for m in archived.json()["moves"] for r in m["reasons"]} == {"archived"}
    assert restored.json()["status"] == "open"
    assert "archived" not in {r["code"] for m in restored.json()["moves"] for r in m["reasons"]}


def test_a_won_lead_cannot_be_reopened_by_a_status_edit(member_client: Any) -> None:
    uid = _create(member_client).json()["uid"]
    member_client.patch(f"/api/leads/{uid}/", {"status": "archived"}, format="json")

    response = member_client.patch(f"/api/leads/{uid}/", {"status": "won"}, format="json")

    assert response.status_code == 400 and "status" in response.json()["error"]["fields"]


def test_the_list_filters_by_exact_email_and_phone(member_client: Any) -> None:
    ada = _create(member_client, email="ada@EXAMPLE.com", phone="+44 20 7946 0958").json()
    _create(member_client, name="Grace", email="grace@example.com")

    by_email = member_client.get("/api/leads/", {"email": "ada@example.COM"}).json()
    by_phone = member_client.get("/api/leads/", {"phone": "+44 20 7946 0958"}).json()

    assert [lead["uid"] for lead in by_email["results"]] == [ada["uid"]]
    assert [lead["uid"] for lead in by_phone["results"]] == [ada["uid"]]
