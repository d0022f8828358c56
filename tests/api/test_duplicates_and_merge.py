"""Possible duplicates (on create and per lead) and POST /api/leads/{uid}/merge/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from leads.domain.enums import ActivityType, UserRole
from leads.domain.models import User, WorkItem, recorded_at
from leads.services import merges as merge_services
from leads.store import duplicates as duplicate_store
from leads.store import leads as lead_store
from leads.store.connection import count_round_trips
from leads.store.connection import leads as leads_collection
from tests.builders import assert_error, client_for, make_lead, make_pipeline, make_user

AUTH_ROUND_TRIPS = 1
LONG_AGO = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def member() -> User:
    make_pipeline()
    return make_user(UserRole.MEMBER, username="dana")


def _lead(uid: str) -> WorkItem | None:
    record = lead_store.get_lead(uid)
    return None if record is None else record.lead


def _merge(client: Any, uid: str, **body: Any) -> Any:
    return client.post(f"/api/leads/{uid}/merge/", body, format="json")


# --- possible duplicates ------------------------------------------------------------------


def test_a_create_answers_with_the_leads_of_the_same_email_or_phone(member: User) -> None:
    by_email = make_lead(member, name="Ann One", email="ann@example.com")
    by_phone = make_lead(member, name="Ann Two", phone="+1 (415) 555-0100")
    make_lead(member, name="Someone else", email="bob@example.com", phone="+1 415 555 0199")

    response = client_for(member).post(
        "/api/leads/",
        {"name": "Ann", "email": "ANN@example.com", "phone": "+1.415.555.0100"},
        format="json",
    )

    assert response.status_code == 201
    matches = response.json()["possible_duplicates"]
    assert [(match["uid"], match["matched_on"]) for match in matches] == [
        (by_email.uid, ["email"]),
        (by_phone.uid, ["phone"]),
    ]
    assert set(matches[0]) == {
        *("uid", "name", "email", "phone", "company", "current_stage", "status"),
        *("created_at", "matched_on"),
    }


def test_a_create_lists_five_duplicates_at_most_and_none_without_email_or_phone(
    member: User,
) -> None:
    for _ in range(7):
        make_lead(member, email="same@example.com")
    client = client_for(member)

    same = client.post("/api/leads/", {"name": "x", "email": "same@example.com"}, format="json")
    bare = client.post("/api/leads/", {"name": "x"}, format="json")

    assert len(same.json()["possible_duplicates"]) == 5
    assert bare.json()["possible_duplicates"] == []


def test_the_duplicate_check_costs_a_create_one_query_and_none_without_email_or_phone(
    member: User,
) -> None:
    client = client_for(member)
    with count_round_trips() as bare:
        client.post("/api/leads/", {"name": "x"}, format="json")
    with count_round_trips() as checked:
        client.post("/api/leads/", {"name": "y", "email": "y@example.com"}, format="json")

    assert bare.count - AUTH_ROUND_TRIPS == 3
    assert checked.count - AUTH_ROUND_TRIPS == 4
    assert checked.commands[-1] == "find"


def test_a_leads_duplicates_share_its_email_or_phone_and_leave_itself_out(member: User) -> None:
    lead = make_lead(member, email="Ann@Example.com", phone="0044 20 7946 0018")
    twin = make_lead(member, email="ann@example.com")
    phone_twin = make_lead(member, phone="+44 (20) 7946-0018")
    make_lead(member, email="other@example.com")
    viewer = client_for(make_user(UserRole.VIEWER))

    with count_round_trips() as trips:
        response = viewer.get(f"/api/leads/{lead.uid}/duplicates/")

    assert response.status_code == 200
    assert [(m["uid"], m["matched_on"]) for m in response.json()["results"]] == [
        (twin.uid, ["email"]),
        (phone_twin.uid, ["phone"]),
    ]
    assert trips.count - AUTH_ROUND_TRIPS == 2


def test_duplicates_of_an_unknown_lead_are_404_and_a_bad_limit_400(member: User) -> None:
    client = client_for(member)
    lead = make_lead(member, email="a@example.com")

    assert_error(client.get("/api/leads/LEAD-209901-00001/duplicates/"), 404, "lead_not_found")
    assert_error(client.get(f"/api/leads/{lead.uid}/duplicates/?limit=0"), 400, "invalid", "limit")
    assert_error(client.get(f"/api/leads/{lead.uid}/duplicates/?sort=x"), 400, "invalid", "sort")


# --- merge ---------------------------------------------------------------------------------


@pytest.fixture
def pair(member: User) -> tuple[WorkItem, WorkItem]:
    """Two leads of one person: the kept one (older) and the other, each with its own past."""
    colleague = make_user(UserRole.MEMBER, username="eli")
    with recorded_at(LONG_AGO):
        kept = make_lead(
            member,
            name="Ann Lee",
            email="ann@example.com",
            company=None,
            tags=["hot"],
            data={"budget": 100},
        )
    with recorded_at(LONG_AGO + timedelta(days=2)):
        other = make_lead(
            colleague,
            name="Annie Lee",
            email="ANN@example.com",
            phone="+1 415 555 0100",
            company="Acme",
            tags=["hot", "partner"],
            data={"budget": 250, "industry": "saas"},
        )
    client = client_for(member)
    with recorded_at(LONG_AGO + timedelta(days=1)):
        client.post(
            f"/api/leads/{kept.uid}/activities/",
            {"type": "note", "body": "kept note"},
            format="json",
        )
    with recorded_at(LONG_AGO + timedelta(days=3)):
        client_for(colleague).post(
            f"/api/leads/{other.uid}/activities/",
            {"type": "call", "body": "other call"},
            format="json",
        )
    return _lead(kept.uid) or kept, _lead(other.uid) or other


def test_a_merge_keeps_this_leads_values_fills_its_blanks_and_deletes_the_other(
    member: User, pair: tuple[WorkItem, WorkItem]
) -> None:
    kept, other = pair

    response = _merge(client_for(member), kept.uid, other=other.uid)

    assert response.status_code == 200, response.json()
    lead = response.json()
    assert lead["uid"] == kept.uid
    assert lead["name"] == "Ann Lee"  # both set: this one's
    assert lead["email"] == "ann@example.com"
    assert lead["company"] == "Acme"  # blank here: the other's
    assert lead["phone"] == "+1 415 555 0100"
    assert lead["data"] == {"budget": 100, "industry": "saas"}
    assert lead["tags"] == ["hot", "partner"]
    assert lead["assigned_to"] == [*kept.assigned_to, *other.assigned_to]
    assert lead["version"] == kept.version + 1
    assert _lead(other.uid) is None
    assert client_for(member).get(f"/api/leads/{other.uid}/").status_code == 404


def test_the_merge_preview_asks_only_about_values_that_really_differ(
    member: User, pair: tuple[WorkItem, WorkItem]
) -> None:
    kept, other = pair
    client = client_for(member)

    with count_round_trips() as trips:
        response = client.get(f"/api/leads/{kept.uid}/merge/?other={other.uid}")

    assert response.status_code == 200, response.json()
    # The emails differ only in case (one address); the phone and company are blank on the
    # kept lead and the industry on it too: none of those asks anything.
    assert response.json() == {"other": other.uid, "conflicts": ["name", "data.budget"]}
    assert trips.commands[AUTH_ROUND_TRIPS:] == ["find"]  # both leads and the workflow


def test_a_phone_written_differently_is_no_merge_conflict(member: User) -> None:
    kept = make_lead(member, name="Bo", phone="+1 (415) 555-0100", company="Acme")
    other = make_lead(member, name="Bo", phone="+1.415.555.0100", company="Acme Inc")

    response = client_for(member).get(f"/api/leads/{kept.uid}/merge/?other={other.uid}")

    assert response.json()["conflicts"] == ["company"]


def test_a_merge_preview_of_a_missing_lead_is_404_and_of_itself_400(
    member: User, pair: tuple[WorkItem, WorkItem]
) -> None:
    kept, _ = pair
    client = client_for(member)

    missing = client.get(f"/api/leads/{kept.uid}/merge/?other=L-2026-01-99999")
    itself = client.get(f"/api/leads/{kept.uid}/merge/?other={kept.uid}")
    unnamed = client.get(f"/api/leads/{kept.uid}/merge/")

    assert_error(missing, 404, "lead_not_found", "other")
    assert_error(itself, 400, "invalid", "other")
    assert_error(unnamed, 400, "invalid", "other")


def test_chosen_fields_come_from_the_lead_chosen(
    member: User, pair: tuple[WorkItem, WorkItem]
) -> None:
    kept, other = pair

    response = _merge(
        client_for(member),
        kept.uid,
        other=other.uid,
        fields={"name": "other", "company": "this", "data": {"budget": "other"}},
    )

    lead = response.json()
    assert lead["name"] == "Annie Lee"
    assert lead["company"] is None  # chosen: this one's, blank as it is
    assert lead["data"] == {"budget": 250, "industry": "saas"}


def test_tasks_activities_and_history_are_combined_in_time_order_with_a_merge_activity(
    member: User, pair: tuple[WorkItem, WorkItem]
) -> None:
    kept, other = pair

    _merge(client_for(member), kept.uid, other=other.uid, fields={"name": "other"})

    lead = _lead(kept.uid)
    assert lead is not None
    # Both leads got their stage's tasks: the merged lead holds each one once, the kept lead's.
    assert {task.uid for task in lead.tasks} == {task.uid for task in kept.tasks}
    assert [task.created_at for task in lead.tasks] == sorted(t.created_at for t in lead.tasks)
    bodies = [activity.body for activity in lead.activities]
    moments = [activity.created_at for activity in reversed(lead.activities)]
    assert moments == sorted(moments)
    merged = lead.activities[0]  # newest
    assert merged.type is ActivityType.SYSTEM
    assert merged.body == f"Merged {other.uid} (Annie Lee) into this lead"
    assert merged.details["other_uid"] == other.uid
    assert "kept note" in bodies and "other call" in bodies
    # Both stage visits, the other's closed by the merge; one open visit, this lead's.
    visits = [entry for entry in lead.history if entry.kind == "stage_visit"]
    assert len(visits) == 2
    assert [visit.exited_at is None for visit in visits] == [True, False]
    last = lead.history[-1]
    assert last.kind == "field_change"
    changed = {change.field: (change.old, change.new) for change in last.changes}
    assert changed["name"] == ("Ann Lee", "Annie Lee")
    assert changed["company"] == (None, "Acme")
    assert changed["data.industry"] == (None, "saas")
    assert changed["merged_from"] == (None, other.uid)
    # What the new email/phone compare by is kept with them.
    assert lead.phone_key == "+14155550100"


def test_a_stage_task_done_on_the_other_lead_stays_done_and_is_not_asked_twice(
    member: User, pair: tuple[WorkItem, WorkItem]
) -> None:
    kept, other = pair
    done = other.tasks[0]
    client = client_for(member)
    response = client.post(f"/api/leads/{other.uid}/tasks/{done.uid}/complete/", {}, format="json")
    assert response.status_code == 200, response.content

    _merge(client, kept.uid, other=other.uid)

    lead = _lead(kept.uid)
    assert lead is not None
    same_template = [task for task in lead.tasks if task.template_uid == done.template_uid]
    assert [(task.uid, task.status.is_done) for task in same_template] == [(done.uid, True)]
    assert len(lead.tasks) == len(kept.tasks)


def test_a_stale_version_of_either_lead_is_409_and_changes_nothing(
    member: User, pair: tuple[WorkItem, WorkItem]
) -> None:
    kept, other = pair
    client = client_for(member)

    stale_this = _merge(client, kept.uid, other=other.uid, version=kept.version - 1)
    stale_other = _merge(
        client, kept.uid, other=other.uid, version=kept.version, other_version=other.version - 1
    )
    stale_header = client.post(
        f"/api/leads/{kept.uid}/merge/", {"other": other.uid}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert_error(stale_this, 409, "version_conflict")
    assert_error(stale_other, 409, "version_conflict", "other_version")
    assert_error(stale_header, 409, "version_conflict")
    assert _lead(kept.uid) == kept
    assert _lead(other.uid) == other
    ok = _merge(
        client, kept.uid, other=other.uid, version=kept.version, other_version=other.version
    )
    assert ok.status_code == 200


def test_a_lead_cannot_be_merged_with_itself_nor_with_a_deleted_lead(
    member: User, pair: tuple[WorkItem, WorkItem]
) -> None:
    kept, other = pair
    client = client_for(member)

    assert_error(_merge(client, kept.uid, other=kept.uid), 400, "invalid", "other")
    client.delete(f"/api/leads/{other.uid}/")
    assert_error(_merge(client, kept.uid, other=other.uid), 404, "lead_not_found", "other")
    assert_error(_merge(client, "LEAD-209901-00001", other=kept.uid), 404, "lead_not_found")
    assert _lead(kept.uid) == kept


def test_a_lead_whose_old_activities_are_paged_out_is_kept_not_merged_away(
    member: User, pair: tuple[WorkItem, WorkItem]
) -> None:
    kept, other = pair
    leads_collection().update_one({"uid": other.uid}, {"$set": {"paged_activities": 100}})
    client = client_for(member)

    assert_error(_merge(client, kept.uid, other=other.uid), 409, "merge_too_large", "other")
    assert _lead(kept.uid) == kept
    assert _lead(other.uid) is not None


def test_bad_merge_bodies_are_400_naming_the_field(
    member: User, pair: tuple[WorkItem, WorkItem]
) -> None:
    kept, other = pair
    client = client_for(member)

    assert_error(_merge(client, kept.uid), 400, "invalid", "other")
    assert_error(
        _merge(client, kept.uid, other=other.uid, fields={"name": "mine"}),
        400,
        "invalid",
        "fields.name",
    )
    assert_error(
        _merge(client, kept.uid, other=other.uid, fields={"status": "other"}),
        400,
        "invalid",
        "fields.status",
    )
    assert_error(
        _merge(client, kept.uid, other=other.uid, fields={"data": {"colour": "other"}}),
        400,
        "invalid",
        "fields.data.colour",
    )
    assert _lead(other.uid) == other


def test_viewers_cannot_merge(member: User, pair: tuple[WorkItem, WorkItem]) -> None:
    kept, other = pair
    viewer = client_for(make_user(UserRole.VIEWER))

    assert _merge(viewer, kept.uid, other=other.uid).status_code == 403
    assert _lead(other.uid) == other


def test_a_failure_in_the_middle_of_a_merge_changes_nothing(
    member: User, pair: tuple[WorkItem, WorkItem], monkeypatch: pytest.MonkeyPatch
) -> None:
    kept, other = pair
    written = duplicate_store.write_merge

    def write_then_fail(**arguments: Any) -> Any:
        written(**arguments)  # the kept lead written and the other deleted, in the transaction
        raise RuntimeError("the server went away")

    monkeypatch.setattr(duplicate_store, "write_merge", write_then_fail)

    with pytest.raises(RuntimeError):
        merge_services.lead_merge(
            uid=kept.uid,
            other_uid=other.uid,
            choices={},
            actor=member,
            expected_version=None,
            other_version=None,
        )

    assert _lead(kept.uid) == kept
    assert _lead(other.uid) == other


def test_a_merge_costs_six_round_trips(member: User, pair: tuple[WorkItem, WorkItem]) -> None:
    kept, other = pair
    client = client_for(member)

    with count_round_trips() as trips:
        _merge(client, kept.uid, other=other.uid)

    # The other lead is stamped before it goes: its deletion's change event names no uid.
    assert trips.commands[AUTH_ROUND_TRIPS:] == [
        "find",
        "findAndModify",
        "update",
        "delete",
        "commitTransaction",
    ]
