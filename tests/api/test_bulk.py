"""POST /api/leads/bulk/: one action on many leads, each under the single operation's rules."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from leads.domain.enums import UserRole
from leads.domain.inputs import LeadUpdate
from leads.domain.models import StageVisit, User
from leads.selectors.leads import lead_get
from leads.services import leads as lead_services
from leads.store import leads as lead_store
from leads.store.connection import count_round_trips
from tests.builders import (
    assert_error,
    client_for,
    complete_required_tasks,
    make_lead,
    make_pipeline,
    make_user,
)

URL = "/api/leads/bulk/"
# Every authenticated request first looks its bearer token up.
AUTH_ROUND_TRIPS = 1


@pytest.fixture
def member() -> User:
    make_pipeline()
    return make_user(UserRole.MEMBER)


def _bulk(user: User, **body: Any) -> Any:
    return client_for(user).post(URL, body, format="json")


def _by_uid(response: Any) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.content
    return {item["uid"]: item for item in response.json()["results"]}


def test_bulk_assign_answers_each_lead_in_order_with_unknown_and_stale_ones_refused(
    member: User,
) -> None:
    seller = make_user(UserRole.MEMBER)
    first, second, stale = (make_lead(member) for _ in range(3))
    uids = [first.uid, "LEAD-209901-00001", second.uid, stale.uid, first.uid]

    response = _bulk(
        member,
        uids=uids,
        action="assign",
        user_ids=[seller.uid],
        mode="add",
        versions={stale.uid: stale.version + 1},
    )

    body = response.json()
    assert [item["uid"] for item in body["results"]] == uids[:4]  # a repeated uid once
    assert (body["succeeded"], body["failed"]) == (2, 2)
    results = _by_uid(response)
    assert results[first.uid] == {
        "uid": first.uid,
        "ok": True,
        "version": first.version + 1,
        "changed": True,
        "error": None,
    }
    assert results["LEAD-209901-00001"]["error"]["code"] == "lead_not_found"
    assert results[stale.uid]["error"]["code"] == "version_conflict"
    assert results[stale.uid]["error"]["details"]["current_version"] == stale.version
    assert lead_get(uid=first.uid, actor=member).lead.assigned_to == [member.uid, seller.uid]
    assert lead_get(uid=stale.uid, actor=member).lead.assigned_to == [member.uid]


def test_bulk_assign_records_history_and_an_activity_like_a_single_assign(member: User) -> None:
    seller = make_user(UserRole.MEMBER)
    lead = make_lead(member)

    _bulk(member, uids=[lead.uid], action="assign", user_ids=[seller.uid])

    after = lead_get(uid=lead.uid, actor=member).lead
    assert after.assigned_to == [seller.uid]
    assert after.history[-1].kind == "field_change"
    assert after.activities[0].type == "assignment"
    assert after.activities[0].details["new"] == [seller.uid]


def test_bulk_assign_of_a_lead_already_so_assigned_is_ok_and_unchanged(member: User) -> None:
    lead = make_lead(member)

    results = _by_uid(_bulk(member, uids=[lead.uid], action="assign", user_ids=[member.uid]))

    assert results[lead.uid]["ok"] is True
    assert results[lead.uid]["changed"] is False
    assert results[lead.uid]["version"] == lead.version


def test_bulk_assign_to_an_unknown_user_is_a_400_naming_user_ids_and_changes_nothing(
    member: User,
) -> None:
    lead = make_lead(member)

    response = _bulk(member, uids=[lead.uid], action="assign", user_ids=["nobody"])

    assert_error(response, 400, "invalid", "user_ids")
    assert lead_get(uid=lead.uid, actor=member).lead.version == lead.version


def test_bulk_move_moves_the_free_leads_and_refuses_blocked_ones_with_their_reasons(
    member: User,
) -> None:
    free = make_lead(member)
    complete_required_tasks(free.uid, member)
    blocked = make_lead(member)

    response = _bulk(
        member, uids=[free.uid, blocked.uid], action="move", to_stage="stage-contacted", note="Go"
    )

    results = _by_uid(response)
    assert results[free.uid]["ok"] is True
    moved = lead_get(uid=free.uid, actor=member).lead
    assert moved.current_stage == "stage-contacted"
    left, entered = moved.history[-2:]
    assert isinstance(left, StageVisit) and isinstance(entered, StageVisit)
    assert (left.stage, entered.stage) == ("stage-new", "stage-contacted")
    assert left.exited_at == entered.entered_at  # New's visit closed as Contacted's opened
    assert moved.activities[0].body == "Go"
    assert [task.title for task in moved.stage_tasks()] == ["Send intro email"]
    error = results[blocked.uid]["error"]
    assert error["code"] == "blocking_tasks"
    assert error["details"]["reasons"][0]["tasks"][0]["title"] == "Call the lead"
    assert lead_get(uid=blocked.uid, actor=member).lead.current_stage == "stage-new"


def test_bulk_move_to_a_lost_stage_needs_a_lost_reason_for_each_lead(member: User) -> None:
    lead = make_lead(member)

    refused = _by_uid(_bulk(member, uids=[lead.uid], action="move", to_stage="stage-lost"))
    moved = _by_uid(
        _bulk(member, uids=[lead.uid], action="move", to_stage="stage-lost", lost_reason="price")
    )

    assert refused[lead.uid]["error"]["code"] == "lost_reason_required"
    assert refused[lead.uid]["error"]["fields"] == {"lost_reason": ["is required to enter Lost"]}
    assert moved[lead.uid]["ok"] is True
    assert lead_get(uid=lead.uid, actor=member).lead.status == "lost"


def test_bulk_move_to_an_unknown_stage_refuses_each_lead_naming_to_stage(member: User) -> None:
    lead = make_lead(member)

    results = _by_uid(_bulk(member, uids=[lead.uid], action="move", to_stage="stage-nowhere"))

    assert results[lead.uid]["error"]["code"] == "invalid"
    assert "to_stage" in results[lead.uid]["error"]["fields"]


def _column(user: User, stage: str) -> list[str]:
    response = client_for(user).get("/api/leads/kanban/", {"stage": stage})
    assert response.status_code == 200, response.content
    return [card["uid"] for card in response.json()["columns"][0]["leads"]]


def _free_leads(member: User, count: int) -> list[str]:
    uids = [make_lead(member).uid for _ in range(count)]
    for uid in uids:
        complete_required_tasks(uid, member)
    return uids


def test_a_placed_bulk_move_puts_the_leads_between_the_neighbours_in_the_order_sent(
    member: User,
) -> None:
    top, bottom = _free_leads(member, 2)
    for uid in (bottom, top):  # a later arrival goes on top
        _bulk(member, uids=[uid], action="move", to_stage="stage-contacted")
    assert _column(member, "stage-contacted") == [top, bottom]
    first, second, third = _free_leads(member, 3)
    blocked = make_lead(member)  # its required task open: refused, the others land in order
    client = client_for(member)
    client.get("/api/leads/kanban/")  # the bearer token made before the count

    with count_round_trips() as placed:
        response = client.post(
            URL,
            {
                "uids": [third, blocked.uid, first, second],
                "action": "move",
                "to_stage": "stage-contacted",
                "above": top,
                "below": bottom,
            },
            format="json",
        )

    results = _by_uid(response)
    assert results[blocked.uid]["error"]["code"] == "blocking_tasks"
    assert _column(member, "stage-contacted") == [top, third, first, second, bottom]
    # As an unplaced move: the leads and their neighbours read in one, one bulk write.
    assert placed.count == AUTH_ROUND_TRIPS + 2


def test_a_group_dropped_into_an_empty_column_lands_in_the_order_it_was_sent(
    member: User,
) -> None:
    group = _free_leads(member, 5)
    sent = [group[3], group[0], group[4], group[1], group[2]]

    _bulk(member, uids=sent, action="move", to_stage="stage-contacted")

    assert _column(member, "stage-contacted") == sent


def test_a_bulk_move_placed_below_the_last_card_lands_at_the_bottom(member: User) -> None:
    (last,) = _free_leads(member, 1)
    _bulk(member, uids=[last], action="move", to_stage="stage-contacted")
    first, second = _free_leads(member, 2)

    _bulk(member, uids=[first, second], action="move", to_stage="stage-contacted", above=last)

    assert _column(member, "stage-contacted") == [last, first, second]


@pytest.mark.parametrize("neighbour", ["moved", "elsewhere", "unknown"])
def test_a_bulk_move_next_to_a_card_no_longer_in_that_column_is_a_409_moving_nothing(
    member: User, neighbour: str
) -> None:
    moving, other = _free_leads(member, 2)
    above = {"moved": moving, "elsewhere": other, "unknown": "LEAD-209901-00001"}[neighbour]

    response = _bulk(member, uids=[moving], action="move", to_stage="stage-contacted", above=above)

    assert_error(response, 409, "stale_board")
    assert lead_get(uid=moving, actor=member).lead.current_stage == "stage-new"


def _racing_write(monkeypatch: pytest.MonkeyPatch, uid: str, actor: User) -> None:
    """Someone edits lead `uid` after the bulk action read it, just before it writes."""
    write = lead_store.write_lead_changes

    def someone_else() -> None:
        lead_services.lead_update(
            uid=uid, changes=LeadUpdate(company="Racing Ltd"), actor=actor, expected_version=None
        )

    def write_after_someone_else(changes: Any) -> set[str]:
        # Another thread: this request's journal must not take their write for its own.
        other = threading.Thread(target=someone_else)
        other.start()
        other.join()
        return write(changes)

    monkeypatch.setattr(lead_store, "write_lead_changes", write_after_someone_else)


def test_a_bulk_move_racing_another_write_refuses_that_lead_as_a_version_conflict(
    member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    raced, calm = make_lead(member), make_lead(member)
    for lead in (raced, calm):
        complete_required_tasks(lead.uid, member)
    _racing_write(monkeypatch, raced.uid, member)

    results = _by_uid(
        _bulk(member, uids=[raced.uid, calm.uid], action="move", to_stage="stage-contacted")
    )

    assert results[raced.uid]["error"]["code"] == "version_conflict"
    assert results[calm.uid]["ok"] is True
    assert lead_get(uid=raced.uid, actor=member).lead.current_stage == "stage-new"


def test_a_bulk_tag_racing_another_write_decides_again_and_keeps_both_changes(
    member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead = make_lead(member, tags=["old"])
    _racing_write(monkeypatch, lead.uid, member)

    results = _by_uid(_bulk(member, uids=[lead.uid], action="tag", tags=["hot"]))

    after = lead_get(uid=lead.uid, actor=member).lead
    assert results[lead.uid]["ok"] is True
    assert results[lead.uid]["version"] == after.version
    assert after.tags == ["old", "hot"]
    assert after.company == "Racing Ltd"


def test_bulk_tag_adds_only_missing_tags_and_untag_removes_them(member: User) -> None:
    tagged = make_lead(member, tags=["vip", "hot"])
    plain = make_lead(member)

    tag = _by_uid(_bulk(member, uids=[tagged.uid, plain.uid], action="tag", tags=["hot", "q4"]))
    untag = _by_uid(_bulk(member, uids=[tagged.uid, plain.uid], action="untag", tags=["vip"]))

    assert tag[tagged.uid]["changed"] and tag[plain.uid]["changed"]
    assert lead_get(uid=tagged.uid, actor=member).lead.tags == ["hot", "q4"]
    assert lead_get(uid=plain.uid, actor=member).lead.tags == ["hot", "q4"]
    assert untag[plain.uid] == {**untag[plain.uid], "ok": True, "changed": False}
    history = lead_get(uid=tagged.uid, actor=member).lead.history[-1]
    assert history.kind == "field_change"
    assert history.changes[0].old == ["vip", "hot", "q4"]


def test_bulk_tag_beyond_a_leads_thirty_tags_refuses_that_lead_naming_tags(member: User) -> None:
    full = make_lead(member, tags=[f"t{number}" for number in range(30)])
    roomy = make_lead(member)

    results = _by_uid(_bulk(member, uids=[full.uid, roomy.uid], action="tag", tags=["extra"]))

    assert results[full.uid]["error"]["code"] == "invalid"
    assert "tags" in results[full.uid]["error"]["fields"]
    assert results[roomy.uid]["ok"] is True


def test_bulk_delete_deletes_each_lead_unless_its_version_moved_on(member: User) -> None:
    gone, kept = make_lead(member), make_lead(member)

    response = _bulk(
        member,
        uids=[gone.uid, kept.uid, "LEAD-209901-00001"],
        action="delete",
        versions={gone.uid: gone.version, kept.uid: kept.version + 1},
    )

    results = _by_uid(response)
    assert results[gone.uid] == {
        "uid": gone.uid,
        "ok": True,
        "version": None,
        "changed": True,
        "error": None,
    }
    assert results[kept.uid]["error"]["code"] == "version_conflict"
    assert results["LEAD-209901-00001"]["error"]["code"] == "lead_not_found"
    assert client_for(member).get(f"/api/leads/{gone.uid}/").status_code == 404
    assert client_for(member).get(f"/api/leads/{kept.uid}/").status_code == 200


def test_501_uids_are_a_400_naming_uids(member: User) -> None:
    uids = [f"LEAD-202601-{number:05d}" for number in range(501)]

    assert_error(_bulk(member, uids=uids, action="delete"), 400, "invalid", "uids")


def test_500_uids_are_accepted(member: User) -> None:
    uids = [f"LEAD-202601-{number:05d}" for number in range(500)]

    assert _bulk(member, uids=uids, action="delete").json()["failed"] == 500


def test_nulls_for_another_actions_fields_are_as_absent(member: User) -> None:
    lead = make_lead(member)

    response = _bulk(
        member, uids=[lead.uid], action="tag", tags=["x"], to_stage=None, user_ids=None, mode=None
    )

    assert _by_uid(response)[lead.uid]["ok"] is True


@pytest.mark.parametrize(
    ("body", "field_name"),
    [
        ({"action": "move"}, "to_stage"),
        ({"action": "assign"}, "user_ids"),
        ({"action": "tag"}, "tags"),
        ({"action": "untag", "tags": []}, "tags"),
        ({"action": "move", "to_stage": "stage-won", "tags": ["x"]}, "tags"),
        ({"action": "delete", "user_ids": []}, "user_ids"),
        ({"action": "tag", "tags": ["x"], "mode": "add"}, "mode"),
        ({"action": "assign", "user_ids": [], "above": "LEAD-1"}, "above"),
        ({"action": "archive"}, "action"),
        ({"action": "delete", "versions": {"LEAD-1": 0}}, "versions.LEAD-1"),
    ],
)
def test_bulk_input_that_does_not_fit_the_action_is_a_400_naming_the_field(
    member: User, body: dict[str, Any], field_name: str
) -> None:
    lead = make_lead(member)

    response = _bulk(member, uids=[lead.uid], **body)

    assert_error(response, 400, "invalid", field_name)
    assert lead_get(uid=lead.uid, actor=member).lead.version == lead.version


def test_viewers_cannot_act_in_bulk(member: User) -> None:
    lead = make_lead(member)
    viewer = make_user(UserRole.VIEWER)

    assert_error(_bulk(viewer, uids=[lead.uid], action="delete"), 403, "permission_denied")
    assert client_for(member).get(f"/api/leads/{lead.uid}/").status_code == 200


def test_bulk_round_trips_do_not_grow_with_the_number_of_leads(member: User) -> None:
    seller = make_user(UserRole.MEMBER)
    uids = [make_lead(member).uid for _ in range(100)]
    client = client_for(member)

    with count_round_trips() as assign:
        response = client.post(
            URL, {"uids": uids, "action": "assign", "user_ids": [seller.uid]}, format="json"
        )
    with count_round_trips() as tag:
        client.post(URL, {"uids": uids, "action": "tag", "tags": ["q4"]}, format="json")
    with count_round_trips() as delete:
        client.post(URL, {"uids": uids, "action": "delete"}, format="json")

    assert response.json()["succeeded"] == 100
    # The users checked, the leads with the workflow read, one bulk write.
    assert assign.count == AUTH_ROUND_TRIPS + 3
    assert tag.count == AUTH_ROUND_TRIPS + 2
    # The versions read; the transaction: the stamps (a deletion's change event names no
    # lead), the deletes, the activity pages, the commit.
    assert delete.count <= AUTH_ROUND_TRIPS + 5
    assert client.get("/api/leads/").json()["results"] == []
