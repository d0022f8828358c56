"""The workflow that helps the seller (issue 8): Lost and back moves, undo, overdue and stale."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from leads.domain.fields import FieldOption
from leads.domain.inputs import ConfigUpdate, StageUpdate
from leads.domain.models import User, utcnow
from leads.services import workflow as workflow_services
from leads.store import connection
from tests.builders import assert_error, client_for, make_lead, make_pipeline, make_user


@pytest.fixture
def member() -> User:
    make_pipeline()
    workflow_services.config_update(
        changes=ConfigUpdate(
            lost_reasons=[
                FieldOption(value="price", label="Price"),
                FieldOption(value="timing", label="Timing"),
            ]
        ),
        expected_version=None,
    )
    # Contacted may step back to New.
    workflow_services.stage_update(
        uid="stage-contacted",
        changes=StageUpdate(allowed_next_stages=["stage-won", "stage-lost", "stage-new"]),
        expected_version=None,
    )
    return make_user()


def _move(client: Any, uid: str, to_stage: str, **extra: Any) -> Any:
    return client.post(
        f"/api/leads/{uid}/transition/", {"to_stage": to_stage, **extra}, format="json"
    )


def _contacted_lead(member: User) -> str:
    client = client_for(member)
    uid = make_lead(member).uid
    for task in client.get(f"/api/leads/{uid}/").json()["tasks"]:
        if task["required"]:
            client.post(f"/api/leads/{uid}/tasks/{task['uid']}/complete/")
    assert _move(client, uid, "stage-contacted").status_code == 200
    return uid


def test_a_lead_with_open_required_tasks_is_lost_with_a_reason(member: User) -> None:
    client = client_for(member)
    uid = make_lead(member).uid

    response = _move(client, uid, "stage-lost", lost_reason="price", lost_note="Too dear")

    assert response.status_code == 200, response.json()
    lead = response.json()
    assert (lead["status"], lead["lost_reason"], lead["lost_note"]) == ("lost", "price", "Too dear")


def test_a_move_to_lost_without_a_reason_is_409_naming_lost_reason(member: User) -> None:
    client = client_for(member)
    uid = make_lead(member).uid

    response = _move(client, uid, "stage-lost")

    assert_error(response, 409, "lost_reason_required", "lost_reason")
    assert client.get(f"/api/leads/{uid}/").json()["current_stage"] == "stage-new"


def test_a_lost_reason_the_config_does_not_list_is_400(member: User) -> None:
    uid = make_lead(member).uid

    response = _move(client_for(member), uid, "stage-lost", lost_reason="weather")

    assert_error(response, 400, "invalid", "lost_reason")


def test_a_back_move_is_allowed_while_required_tasks_are_open(member: User) -> None:
    client = client_for(member)
    uid = _contacted_lead(member)  # Contacted's required task is open

    response = _move(client, uid, "stage-new")

    assert response.status_code == 200, response.json()


def test_a_forward_move_is_still_refused_while_required_tasks_are_open(member: User) -> None:
    client = client_for(member)
    uid = _contacted_lead(member)

    response = _move(client, uid, "stage-won")

    assert_error(response, 409, "blocking_tasks")


def test_reopening_a_lost_lead_clears_its_reason(member: User) -> None:
    admin = client_for(make_user("admin"))
    uid = make_lead(member).uid
    _move(client_for(member), uid, "stage-lost", lost_reason="timing")

    reopened = _move(admin, uid, "stage-new").json()

    assert (reopened["status"], reopened["lost_reason"]) == ("open", None)


def test_the_mover_undoes_a_move_and_the_lead_is_back_as_it_was(member: User) -> None:
    client = client_for(member)
    uid = make_lead(member).uid
    before = client.get(f"/api/leads/{uid}/").json()
    moved = _move(client, uid, "stage-lost", lost_reason="price").json()

    undone = client.post(f"/api/leads/{uid}/undo/", {"version": moved["version"]}, format="json")

    assert undone.status_code == 200, undone.json()
    lead = undone.json()
    assert (lead["current_stage"], lead["status"], lead["lost_reason"]) == (
        "stage-new",
        "open",
        None,
    )
    assert [task["uid"] for task in lead["tasks"]] == [task["uid"] for task in before["tasks"]]
    assert lead["activities"][0]["body"] == "Undid the move from New to Lost"
    assert lead["history"][-1]["changes"][0] == {
        "field": "current_stage",
        "old": "stage-lost",
        "new": "stage-new",
    }
    assert lead["can_undo"] is False


def test_the_undone_visit_does_not_count_as_a_visit(member: User) -> None:
    client = client_for(member)
    uid = make_lead(member).uid
    moved = _move(client, uid, "stage-lost", lost_reason="price").json()

    lead = client.post(f"/api/leads/{uid}/undo/", {"version": moved["version"]}, format="json")

    visits = [entry for entry in lead.json()["history"] if entry["kind"] == "stage_visit"]
    assert [(visit["stage"], visit["exited_at"]) for visit in visits] == [("stage-new", None)]


def test_another_user_cannot_undo_someone_s_move(member: User) -> None:
    uid = make_lead(member).uid
    moved = _move(client_for(member), uid, "stage-lost", lost_reason="price").json()

    response = client_for(make_user()).post(
        f"/api/leads/{uid}/undo/", {"version": moved["version"]}, format="json"
    )

    assert_error(response, 409, "undo_not_available")


def test_a_move_cannot_be_undone_after_a_later_change(member: User) -> None:
    client = client_for(member)
    uid = make_lead(member).uid
    _move(client, uid, "stage-lost", lost_reason="price")
    client.post(f"/api/leads/{uid}/activities/", {"type": "note", "body": "x"}, format="json")

    response = client.post(f"/api/leads/{uid}/undo/", {}, format="json")

    assert_error(response, 409, "undo_not_available")


def test_a_lead_with_a_task_past_due_is_overdue_and_listed_by_the_overdue_filter(
    member: User,
) -> None:
    client = client_for(member)
    late, on_time = make_lead(member).uid, make_lead(member).uid
    connection.leads().update_one(
        {"type": "lead", "uid": late}, {"$set": {"next_due_at": utcnow() - timedelta(hours=1)}}
    )

    listed = client.get("/api/leads/", {"overdue": "true"}).json()["results"]

    assert [lead["uid"] for lead in listed] == [late]
    assert listed[0]["overdue"] is True
    assert client.get(f"/api/leads/{on_time}/").json()["overdue"] is False


def test_creating_a_lead_keeps_its_next_due_date(member: User) -> None:
    lead = client_for(member).post("/api/leads/", {"name": "Ada"}, format="json").json()

    due = [task["due_at"] for task in lead["tasks"] if task["due_at"]]
    assert lead["next_due_at"] == min(due)


def test_completing_the_earliest_task_moves_the_next_due_date_on(member: User) -> None:
    client = client_for(member)
    lead = client.post("/api/leads/", {"name": "Ada"}, format="json").json()
    first = min((task for task in lead["tasks"] if task["due_at"]), key=lambda t: t["due_at"])

    after = client.post(f"/api/leads/{lead['uid']}/tasks/{first['uid']}/complete/").json()

    assert after["lead"]["next_due_at"] != first["due_at"]


def test_a_lead_idle_longer_than_its_stage_allows_is_stale_on_the_board_and_the_filter(
    member: User,
) -> None:
    client = client_for(member)
    workflow_services.stage_update(
        uid="stage-new", changes=StageUpdate(rot_after_days=5), expected_version=None
    )
    idle, busy = make_lead(member).uid, make_lead(member).uid
    connection.leads().update_one(
        {"type": "lead", "uid": idle},
        {"$set": {"last_activity_at": utcnow() - timedelta(days=12)}},
    )

    stale = client.get("/api/leads/", {"stale": "true"}).json()["results"]
    board = client.get("/api/leads/kanban/").json()["columns"][0]["leads"]

    assert [lead["uid"] for lead in stale] == [idle]
    cards = {card["uid"]: card for card in board}
    assert (cards[idle]["stale_days"], cards[busy]["stale_days"]) == (12, None)


def test_the_creator_is_assigned_unless_the_form_says_otherwise(member: User) -> None:
    client = client_for(member)

    default = client.post("/api/leads/", {"name": "Ada"}, format="json").json()
    nobody = client.post("/api/leads/", {"name": "Bob", "assigned_to": []}, format="json").json()

    assert (default["assigned_to"], nobody["assigned_to"]) == ([member.uid], [])


def test_the_answer_to_a_move_says_its_mover_may_undo_it(member: User) -> None:
    uid = make_lead(member).uid

    moved = _move(client_for(member), uid, "stage-lost", lost_reason="price").json()

    assert moved["can_undo"] is True
