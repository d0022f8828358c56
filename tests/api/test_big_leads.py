"""A lead with more activities than it embeds, through the API: what a note, the detail and
the timeline cost, the timeline's pages, and deleting it."""

from __future__ import annotations

from typing import Any

import pytest

from leads.domain.enums import ActivityType
from leads.domain.models import Activity, User
from leads.store import connection
from leads.store import leads as lead_store
from leads.store.activities import ACTIVITY_PAGE, EMBEDDED_MAX, PAGE_SIZE
from leads.store.connection import count_round_trips
from tests.builders import a_stamp, client_for, make_lead, make_pipeline, make_user

AUTH_ROUND_TRIPS = 1


@pytest.fixture
def member() -> User:
    make_pipeline()
    return make_user()


def _fill(uid: str, count: int) -> None:
    for n in range(count):
        assert lead_store.append_activity(
            stamp=a_stamp(), uid=uid, activity=Activity(type=ActivityType.NOTE, body=f"note {n}")
        )


def _note(client: Any, uid: str, body: str) -> None:
    response = client.post(
        f"/api/leads/{uid}/activities/", {"type": "note", "body": body}, format="json"
    )
    assert response.status_code == 201, response.json()


def _pages(uid: str) -> int:
    return connection.leads().count_documents({"type": ACTIVITY_PAGE, "lead": uid})


def test_a_note_costs_one_round_trip_and_the_note_that_spills_two_more(member: User) -> None:
    client = client_for(member)
    uid = make_lead(member).uid
    _fill(uid, EMBEDDED_MAX - 3)

    with count_round_trips() as normal:
        _note(client, uid, "the last one embedded")
    with count_round_trips() as spilling:
        _note(client, uid, "the one that fills the lead")

    assert normal.commands[AUTH_ROUND_TRIPS:] == ["findAndModify"]
    assert spilling.commands[AUTH_ROUND_TRIPS:] == ["findAndModify", "update", "findAndModify"]
    assert _pages(uid) == 1


def test_the_detail_of_a_paged_lead_is_one_round_trip_and_counts_every_activity(
    member: User,
) -> None:
    client = client_for(member)
    uid = make_lead(member).uid
    _fill(uid, 3 * PAGE_SIZE)

    with count_round_trips() as trips:
        detail = client.get(f"/api/leads/{uid}/").json()

    assert trips.count - AUTH_ROUND_TRIPS == 1
    assert detail["activity_count"] == 3 * PAGE_SIZE + 1
    assert [a["body"] for a in detail["activities"][:2]] == ["note 299", "note 298"]
    assert len(detail["activities"]) == 20


def test_the_timeline_s_next_links_walk_embedded_then_paged_activities_once_each(
    member: User,
) -> None:
    client = client_for(member)
    uid = make_lead(member).uid
    _fill(uid, 2 * EMBEDDED_MAX)
    assert _pages(uid) == 3

    pages = [client.get(f"/api/leads/{uid}/activities/", {"limit": "33"}).json()]
    while pages[-1]["next"] is not None:
        pages.append(client.get(pages[-1]["next"]).json())

    bodies = [activity["body"] for page in pages for activity in page["results"]]
    assert bodies == [f"note {n}" for n in reversed(range(2 * EMBEDDED_MAX))] + [
        "Lead created in New"
    ]
    assert {page["total"] for page in pages} == {2 * EMBEDDED_MAX + 1}
    assert pages[-1]["next_cursor"] is None


def test_deleting_a_lead_deletes_its_activity_pages(member: User) -> None:
    client = client_for(member)
    uid = make_lead(member).uid
    _fill(uid, EMBEDDED_MAX)
    assert _pages(uid) == 1

    assert client.delete(f"/api/leads/{uid}/").status_code == 204

    assert _pages(uid) == 0
    assert client.get(f"/api/leads/{uid}/activities/").status_code == 404
