from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from leads.domain.enums import UserRole
from leads.domain.models import User
from leads.store.connection import count_round_trips
from tests.builders import (
    assert_error,
    client_for,
    make_lead,
    make_pipeline,
    make_stage,
    make_user,
)

AUTH_ROUND_TRIPS = 1


@pytest.fixture
def member() -> User:
    make_pipeline()
    return make_user()


def _board(client: Any, **params: Any) -> dict[str, Any]:
    response = client.get("/api/leads/kanban/", params)
    assert response.status_code == 200, response.json()
    return {column["uid"]: column for column in response.json()["columns"]}


def _complete_open_required(client: Any, uid: str) -> None:
    lead = client.get(f"/api/leads/{uid}/").json()
    for task in lead["tasks"]:
        if task["stage"] == lead["current_stage"] and task["required"]:
            client.post(f"/api/leads/{uid}/tasks/{task['uid']}/complete/")


def _column_uids(client: Any, stage: str) -> list[str]:
    return [card["uid"] for card in _board(client)[stage]["leads"]]


def test_a_lead_is_worked_from_new_to_won_through_the_api(member: User) -> None:
    client = client_for(member)
    uid = client.post(
        "/api/leads/", {"name": "Ada", "data": {"budget": 5000}}, format="json"
    ).json()["uid"]

    refused = client.post(
        f"/api/leads/{uid}/transition/", {"to_stage": "stage-contacted"}, format="json"
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "blocking_tasks"
    reasons = refused.json()["error"]["details"]["reasons"]
    assert reasons[0]["tasks"][0]["title"] == "Call the lead"

    _complete_open_required(client, uid)
    contacted = client.post(
        f"/api/leads/{uid}/transition/",
        {"to_stage": "stage-contacted", "note": "Spoke today"},
        format="json",
    )
    assert contacted.status_code == 200
    assert contacted.json()["activities"][0]["body"] == "Spoke today"
    _complete_open_required(client, uid)
    won = client.post(f"/api/leads/{uid}/transition/", {"to_stage": "stage-won"}, format="json")

    assert won.status_code == 200
    assert won.json()["status"] == "won" and won.json()["closed_at"] is not None


def test_transition_errors_are_409_with_a_reason_and_400_for_unknown_stages(member: User) -> None:
    client = client_for(member)
    uid = make_lead(member).uid

    not_allowed = client.post(
        f"/api/leads/{uid}/transition/", {"to_stage": "stage-won"}, format="json"
    )
    same = client.post(f"/api/leads/{uid}/transition/", {"to_stage": "stage-new"}, format="json")
    unknown = client.post(f"/api/leads/{uid}/transition/", {"to_stage": "stage-x"}, format="json")

    assert not_allowed.status_code == 409
    assert not_allowed.json()["error"]["details"]["reason"] == "not_allowed"
    assert same.status_code == 409
    assert unknown.status_code == 400 and "to_stage" in unknown.json()["error"]["fields"]


def test_transition_costs_at_most_two_round_trips(member: User) -> None:
    client = client_for(member)
    uid = make_lead(member).uid
    _complete_open_required(client, uid)

    with count_round_trips() as trips:
        response = client.post(
            f"/api/leads/{uid}/transition/", {"to_stage": "stage-contacted"}, format="json"
        )

    assert response.status_code == 200
    assert trips.count - AUTH_ROUND_TRIPS <= 2


def test_completing_a_task_twice_is_harmless_and_says_so(member: User) -> None:
    client = client_for(member)
    lead = make_lead(member)
    task_uid = lead.tasks[0].uid

    first = client.post(f"/api/leads/{lead.uid}/tasks/{task_uid}/complete/")
    second = client.post(f"/api/leads/{lead.uid}/tasks/{task_uid}/complete/")

    assert first.json()["changed"] is True
    assert first.json()["task"]["completed_by"] == member.uid
    assert first.json()["lead"]["activities"][0]["body"] == "Completed task: Call the lead"
    assert second.status_code == 200 and second.json()["changed"] is False
    assert second.json()["message"] == "'Call the lead' was already completed."


def test_completing_the_last_required_task_opens_the_moves_it_held(member: User) -> None:
    client = client_for(member)
    lead = make_lead(member, data={"budget": 10})
    task_uid = next(task.uid for task in lead.tasks if task.required)

    answer = client.post(f"/api/leads/{lead.uid}/tasks/{task_uid}/complete/").json()["lead"]

    moves = {move["to_stage"]: move for move in answer["moves"]}
    assert moves["stage-contacted"]["allowed"] is True
    assert answer["task_counts"] == {"done": 1, "total": 2, "required_open": 0}


def test_a_task_action_reads_the_lead_with_its_workflow_then_writes_it_once(
    member: User,
) -> None:
    client = client_for(member)
    lead = make_lead(member)

    with count_round_trips() as trips:
        client.post(f"/api/leads/{lead.uid}/tasks/{lead.tasks[0].uid}/complete/")

    assert trips.commands[AUTH_ROUND_TRIPS:] == ["aggregate", "findAndModify"]


def test_tasks_can_be_reopened_skipped_where_allowed_and_added(member: User) -> None:
    client = client_for(member)
    lead = make_lead(member)
    required, optional = lead.tasks

    client.post(f"/api/leads/{lead.uid}/tasks/{required.uid}/complete/")
    reopened = client.post(f"/api/leads/{lead.uid}/tasks/{required.uid}/reopen/")
    not_skippable = client.post(f"/api/leads/{lead.uid}/tasks/{required.uid}/skip/")
    added = client.post(
        f"/api/leads/{lead.uid}/tasks/",
        {"title": "Send pricing", "due_at": "2030-01-01T09:00:00Z", "assigned_to": member.uid},
        format="json",
    )
    skipped = client.post(f"/api/leads/{lead.uid}/tasks/{added.json()['uid']}/skip/")
    listed = client.get(f"/api/leads/{lead.uid}/tasks/", {"status": "pending"}).json()

    assert reopened.json()["task"]["status"] == "pending"
    assert not_skippable.status_code == 409
    assert added.status_code == 201 and added.json()["stage"] == "stage-new"
    assert skipped.json()["task"]["status"] == "skipped"
    assert [task["title"] for task in listed] == [required.title, optional.title]
    assert client.post(f"/api/leads/{lead.uid}/tasks/task-nope/complete/").status_code == 404


def test_assignment_checks_users_and_logs_old_and_new(member: User) -> None:
    client = client_for(member)
    colleague = make_user()
    uid = make_lead(member).uid
    inactive = make_user()
    client_for(make_user(UserRole.ADMIN)).patch(
        f"/api/users/{inactive.uid}/", {"is_active": False}, format="json"
    )

    added = client.post(
        f"/api/leads/{uid}/assign/",
        {"user_ids": [member.uid, colleague.uid], "mode": "add"},
        format="json",
    )
    removed = client.post(
        f"/api/leads/{uid}/assign/", {"user_ids": [member.uid], "mode": "remove"}, format="json"
    )
    refused = client.post(
        f"/api/leads/{uid}/assign/", {"user_ids": ["usr-ghost", inactive.uid]}, format="json"
    )

    assert added.json()["assigned_to"] == [member.uid, colleague.uid]
    assert removed.json()["assigned_to"] == [colleague.uid]
    assignment = removed.json()["activities"][0]
    assert assignment["type"] == "assignment"
    assert assignment["details"]["old"] == [member.uid, colleague.uid]
    assert refused.status_code == 400 and "user_ids" in refused.json()["error"]["fields"]


def test_timeline_is_newest_first_paged_and_filterable(member: User) -> None:
    client = client_for(member)
    uid = make_lead(member).uid
    for n in range(25):
        client.post(
            f"/api/leads/{uid}/activities/", {"type": "note", "body": f"note {n}"}, format="json"
        )
    client.post(
        f"/api/leads/{uid}/activities/",
        {"type": "call", "outcome": "voicemail", "duration_minutes": 3},
        format="json",
    )

    first = client.get(f"/api/leads/{uid}/activities/", {"limit": "10"}).json()
    second = client.get(first["next"]).json()
    notes = client.get(f"/api/leads/{uid}/activities/", {"type": "note", "limit": "100"}).json()
    detail = client.get(f"/api/leads/{uid}/").json()

    assert first["total"] == 27
    assert first["results"][0]["type"] == "call"
    assert [a["body"] for a in first["results"][1:3]] == ["note 24", "note 23"]
    assert second["results"][0]["body"] == "note 15"
    assert notes["total"] == 25 and notes["next"] is None
    assert len(detail["activities"]) == 20 and detail["activity_count"] == 27
    empty_note = client.post(f"/api/leads/{uid}/activities/", {"type": "note"}, format="json")
    system = client.post(
        f"/api/leads/{uid}/activities/", {"type": "system", "body": "x"}, format="json"
    )
    assert empty_note.status_code == 400 and system.status_code == 400


def test_kanban_shows_every_stage_in_order_with_totals(member: User) -> None:
    client = client_for(member)
    for budget in (1000, 3000):
        make_lead(member, data={"budget": budget})
    make_stage("Empty", probability=50)

    response = client.get("/api/leads/kanban/")
    columns = response.json()["columns"]

    assert [column["name"] for column in columns] == ["New", "Contacted", "Empty", "Won", "Lost"]
    new = columns[0]
    assert new["count"] == 2 and new["value_total"] == 4000
    assert new["oldest_entered_at"] is not None
    assert columns[2]["count"] == 0 and columns[2]["leads"] == []
    card = new["leads"][0]
    assert card["tasks"] == {"done": 0, "total": 2, "required_open": 1}
    assert not {"activities", "history", "data"} & set(card)


def test_kanban_weighted_total_uses_the_stage_probability(member: User) -> None:
    admin_client = client_for(make_user(UserRole.ADMIN))
    admin_client.patch("/api/stages/stage-new/", {"probability": 25}, format="json")
    make_lead(member, data={"budget": 1000})

    new = _board(client_for(member))["stage-new"]

    assert new["weighted_total"] == 250


def test_kanban_pages_a_column_and_honours_filters(member: User) -> None:
    client = client_for(member)
    uids = [make_lead(member, tags=["hot"] if n % 2 else []).uid for n in range(5)]

    board = _board(client, per_column="2")
    first = board["stage-new"]
    more = client.get(
        "/api/leads/kanban/",
        {"stage": "stage-new", "cursor": first["next_cursor"], "per_column": "2"},
    ).json()["columns"]
    hot = _board(client, tag="hot")["stage-new"]

    assert first["count"] == 5 and len(first["leads"]) == 2
    assert [card["uid"] for card in more[0]["leads"]] == list(reversed(uids))[2:4]
    assert hot["count"] == 2
    assert client.get("/api/leads/kanban/", {"per_column": "201"}).status_code == 400
    assert client.get("/api/leads/kanban/", {"cursor": "x"}).status_code == 400


def test_the_board_costs_two_round_trips_whatever_its_size(member: User) -> None:
    client = client_for(member)
    for _ in range(30):
        make_lead(member)

    with count_round_trips() as trips:
        client.get("/api/leads/kanban/", {"per_column": "200"})

    assert trips.count - AUTH_ROUND_TRIPS <= 2


def test_drag_within_a_column_places_the_card_and_survives_reload(member: User) -> None:
    client = client_for(member)
    for _ in range(4):
        make_lead(member)
    order = _column_uids(client, "stage-new")

    def move(uid: str, above: str | None, below: str | None) -> None:
        body = {"lead_uid": uid, "to_stage": "stage-new", "above": above, "below": below}
        response = client.post("/api/leads/kanban/move/", body, format="json")
        assert response.status_code == 200, response.json()

    move(order[3], None, order[0])  # to the top
    move(order[0], order[2], None)  # to the bottom
    expected = [order[3], order[1], order[2], order[0]]
    assert _column_uids(client, "stage-new") == expected
    for _ in range(30):  # back and forth between two adjacent cards
        current = _column_uids(client, "stage-new")
        move(current[0], current[1], current[2])
        current = _column_uids(client, "stage-new")
        move(current[1], None, current[0])
    assert sorted(_column_uids(client, "stage-new")) == sorted(order)


def test_a_move_writes_one_document_in_two_round_trips(member: User) -> None:
    client = client_for(member)
    first, second = make_lead(member), make_lead(member)

    with count_round_trips() as trips:
        client.post(
            "/api/leads/kanban/move/",
            {"lead_uid": first.uid, "to_stage": "stage-new", "above": None, "below": second.uid},
            format="json",
        )

    assert trips.count - AUTH_ROUND_TRIPS <= 2
    assert _column_uids(client, "stage-new") == [first.uid, second.uid]


def test_drag_across_columns_is_a_transition_with_the_same_refusals(member: User) -> None:
    client = client_for(member)
    uid = make_lead(member).uid

    blocked = client.post(
        "/api/leads/kanban/move/", {"lead_uid": uid, "to_stage": "stage-contacted"}, format="json"
    )
    _complete_open_required(client, uid)
    moved = client.post(
        "/api/leads/kanban/move/", {"lead_uid": uid, "to_stage": "stage-contacted"}, format="json"
    )

    assert blocked.status_code == 409 and blocked.json()["error"]["code"] == "blocking_tasks"
    assert moved.status_code == 200
    assert _column_uids(client, "stage-contacted") == [uid]
    stale = client.post(
        "/api/leads/kanban/move/",
        {"lead_uid": uid, "to_stage": "stage-contacted", "version": 1},
        format="json",
    )
    assert stale.status_code == 409


def test_deleting_a_stage_with_move_to_logs_a_system_activity(member: User) -> None:
    admin = client_for(make_user(UserRole.ADMIN))
    extra = make_stage("Holding")
    lead = make_lead(member)
    client = client_for(member)
    _complete_open_required(client, lead.uid)
    admin.patch("/api/stages/stage-new/", {"allowed_next_stages": [extra.uid]}, format="json")
    client.post(f"/api/leads/{lead.uid}/transition/", {"to_stage": extra.uid}, format="json")

    response = admin.delete(f"/api/stages/{extra.uid}/?move_to=stage-contacted")

    assert response.status_code == 200 and response.json()["moved_leads"] == 1
    moved = client.get(f"/api/leads/{lead.uid}/").json()
    assert moved["current_stage"] == "stage-contacted"
    assert moved["activities"][0]["type"] == "system"


def test_removing_an_allowed_next_stage_takes_effect_for_the_next_transition(
    member: User,
) -> None:
    client = client_for(member)
    uid = make_lead(member).uid
    _complete_open_required(client, uid)
    client_for(make_user(UserRole.ADMIN)).patch(
        "/api/stages/stage-new/", {"allowed_next_stages": ["stage-lost"]}, format="json"
    )

    response = client.post(
        f"/api/leads/{uid}/transition/", {"to_stage": "stage-contacted"}, format="json"
    )

    assert response.status_code == 409
    reasons = response.json()["error"]["details"]["reasons"]
    assert reasons[0]["code"] == "not_allowed"
    assert reasons[0]["message"] == "New cannot move to Contacted (allowed: Lost)."


def test_the_first_release_names_after_and_before_still_place_a_card(member: User) -> None:
    client = client_for(member)
    first, second = make_lead(member), make_lead(member)  # second arrives on top

    response = client.post(
        "/api/leads/kanban/move/",
        {"lead_uid": second.uid, "to_stage": "stage-new", "after": first.uid, "before": None},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert _column_uids(client, "stage-new") == [first.uid, second.uid]


def test_a_move_naming_a_neighbour_in_another_column_is_a_stale_board(member: User) -> None:
    client = client_for(member)
    lead, elsewhere = make_lead(member), make_lead(member)

    response = client.post(
        "/api/leads/kanban/move/",
        {"lead_uid": lead.uid, "to_stage": "stage-contacted", "above": elsewhere.uid},
        format="json",
    )

    assert_error(response, 409, "stale_board")


def test_every_card_carries_the_moves_the_server_would_accept(member: User) -> None:
    client = client_for(member)
    make_lead(member, data={"budget": 10})

    card = _board(client)["stage-new"]["leads"][0]

    moves = {move["to_stage"]: move for move in card["moves"]}
    assert list(moves) == ["stage-contacted", "stage-won", "stage-lost"]
    assert [reason["code"] for reason in moves["stage-contacted"]["reasons"]] == ["blocking_tasks"]
    assert moves["stage-won"]["allowed"] is False
    assert card["tasks"]["required_open"] == 1


def test_a_card_s_moves_and_the_lead_s_moves_agree(member: User) -> None:
    client = client_for(member)
    uid = make_lead(member).uid

    card = _board(client)["stage-new"]["leads"][0]
    detail = client.get(f"/api/leads/{uid}/").json()

    # A card's reasons name the blocking tasks in their message; only the lead lists their uids.
    for move in detail["moves"]:
        for reason in move["reasons"]:
            reason["tasks"] = None
    assert card["moves"] == detail["moves"]


def test_a_skip_of_a_task_that_cannot_be_skipped_is_409_task_not_skippable(
    member: User,
) -> None:
    client = client_for(member)
    lead = make_lead(member)
    required = next(task for task in lead.tasks if task.required and not task.skippable)

    response = client.post(f"/api/leads/{lead.uid}/tasks/{required.uid}/skip/")

    assert_error(response, 409, "task_not_skippable")


def test_the_board_is_sent_gzipped_to_a_client_that_accepts_it(member: User) -> None:
    client = client_for(member)
    for _ in range(40):
        make_lead(member)

    plain = client.get("/api/leads/kanban/")
    zipped = client.get("/api/leads/kanban/", HTTP_ACCEPT_ENCODING="gzip")

    assert zipped["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped.content)) == plain.json()
    assert len(zipped.content) < len(plain.content) / 10
