from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from leads.domain.models import User, utcnow
from leads.store.connection import count_round_trips
from leads.store.connection import leads as leads_collection
from leads.store.indexes import ensure_indexes
from tests.builders import client_for, field, make_lead, make_pipeline, make_user

AUTH_ROUND_TRIPS = 1


@pytest.fixture
def member() -> User:
    make_pipeline(
        field("budget", "currency", min=0),
        field(
            "industry",
            "select",
            options=[{"value": "saas", "label": "SaaS"}, {"value": "retail", "label": "Retail"}],
        ),
        field(
            "channels",
            "multi_select",
            options=[{"value": "web", "label": "Web"}, {"value": "phone", "label": "Phone"}],
        ),
        field("active", "boolean"),
    )
    return make_user()


def _uids(response: Any) -> list[str]:
    assert response.status_code == 200, response.json()
    return [lead["uid"] for lead in response.json()["results"]]


def test_list_is_newest_first_by_default(member: User) -> None:
    uids = [make_lead(member).uid for _ in range(3)]

    assert _uids(client_for(member).get("/api/leads/")) == list(reversed(uids))


def test_list_rows_leave_tasks_activities_and_history_out(member: User) -> None:
    make_lead(member)

    row = client_for(member).get("/api/leads/").json()["results"][0]

    assert not {"tasks", "activities", "history"} & set(row)


def test_cursor_pages_walk_forward_and_back_without_gaps(member: User) -> None:
    created = [make_lead(member).uid for _ in range(7)]
    newest_first = list(reversed(created))
    client = client_for(member)

    first = client.get("/api/leads/", {"limit": 3}).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    back = client.get(third["previous"]).json()

    assert [row["uid"] for row in first["results"]] == newest_first[:3]
    assert [row["uid"] for row in second["results"]] == newest_first[3:6]
    assert [row["uid"] for row in third["results"]] == newest_first[6:]
    assert third["next"] is None and first["previous"] is None
    assert [row["uid"] for row in back["results"]] == newest_first[3:6]
    assert back["next"] is not None and back["previous"] is not None


def test_pages_stay_stable_when_leads_arrive_meanwhile(member: User) -> None:
    for _ in range(4):
        make_lead(member)
    client = client_for(member)
    first = client.get("/api/leads/", {"limit": 2}).json()
    make_lead(member)

    second = client.get(first["next"]).json()

    seen = [row["uid"] for row in first["results"] + second["results"]]
    assert len(seen) == len(set(seen)) == 4


@pytest.mark.parametrize("sort", ["name", "-name", "created_at", "updated_at", "-updated_at"])
def test_every_sort_key_pages_in_order(member: User, sort: str) -> None:
    for name in ["delta", "alpha", "charlie", "bravo", "echo"]:
        make_lead(member, name=name)
    client = client_for(member)

    page = client.get("/api/leads/", {"sort": sort, "limit": "2"}).json()
    rows = page["results"]
    while page["next"]:
        page = client.get(page["next"]).json()
        rows += page["results"]

    key = sort.lstrip("-")
    # Moments compare as moments: "…25Z" and "…25.035Z" sort wrongly as text.
    values = [row[key] if key == "name" else datetime.fromisoformat(row[key]) for row in rows]
    assert values == sorted(values, reverse=sort.startswith("-"))
    assert len(rows) == 5


def test_filters_by_stage_status_assignee_tag_and_dates(member: User) -> None:
    other = make_user()
    tagged = make_lead(member, tags=["vip"], assigned_to=[other.uid])
    plain = make_lead(member)
    client = client_for(member)

    assert _uids(client.get("/api/leads/", {"tag": "vip"})) == [tagged.uid]
    assert _uids(client.get("/api/leads/", {"assigned_to": other.uid})) == [tagged.uid]
    assert _uids(client_for(other).get("/api/leads/", {"assigned_to": "me"})) == [tagged.uid]
    assert len(_uids(client.get("/api/leads/", {"stage": "stage-new"}))) == 2
    assert _uids(client.get("/api/leads/", {"stage": "stage-won"})) == []
    assert len(_uids(client.get("/api/leads/", {"status": "open"}))) == 2
    assert _uids(client.get("/api/leads/", {"status": "won"})) == []
    later = (utcnow() + timedelta(minutes=1)).isoformat()
    earlier = (utcnow() - timedelta(minutes=1)).isoformat()
    assert _uids(client.get("/api/leads/", {"created_after": later})) == []
    assert set(_uids(client.get("/api/leads/", {"created_after": earlier}))) == {
        tagged.uid,
        plain.uid,
    }


def test_search_matches_name_email_phone_and_company(member: User) -> None:
    by_name = make_lead(member, name="Grace Hopper")
    by_email = make_lead(member, name="X", email="cobol@navy.example.com")
    by_phone = make_lead(member, name="Y", phone="+1 555 0199")
    by_company = make_lead(member, name="Z", company="Hopper Industries")
    client = client_for(member)

    assert set(_uids(client.get("/api/leads/", {"q": "hopper"}))) == {by_name.uid, by_company.uid}
    assert _uids(client.get("/api/leads/", {"q": "NAVY"})) == [by_email.uid]
    assert _uids(client.get("/api/leads/", {"q": "555 01"})) == [by_phone.uid]
    assert _uids(client.get("/api/leads/", {"q": "(.*)"})) == []


def test_email_and_phone_filters_match_any_case_and_any_way_of_writing_the_number(
    member: User,
) -> None:
    ann = make_lead(member, email="Ann.Lee@Example.com", phone="+1 (415) 555-0100")
    bare = make_lead(member, phone="(415) 555-0100")
    client = client_for(member)

    assert _uids(client.get("/api/leads/", {"email": "ann.lee@EXAMPLE.com"})) == [ann.uid]
    assert _uids(client.get("/api/leads/", {"phone": "0014155550100"})) == [ann.uid]
    assert _uids(client.get("/api/leads/", {"phone": "415.555.0100"})) == [bare.uid]


def test_an_edited_email_is_found_by_its_new_address_only(member: User) -> None:
    lead = make_lead(member, email="old@example.com")
    client = client_for(member)

    response = client.patch(f"/api/leads/{lead.uid}/", {"email": "New@Example.com"}, format="json")

    assert response.status_code == 200
    assert _uids(client.get("/api/leads/", {"email": "new@example.com"})) == [lead.uid]
    assert _uids(client.get("/api/leads/", {"email": "old@example.com"})) == []


def test_leads_stored_without_contact_keys_get_them_at_start_up(member: User) -> None:
    lead = make_lead(member, email="Old@Example.com", phone="+44 20 7946 0000")
    leads_collection().update_one({"uid": lead.uid}, {"$unset": {"email_key": 1, "phone_key": 1}})

    ensure_indexes()

    stored = leads_collection().find_one({"uid": lead.uid})
    assert stored is not None
    assert (stored["email_key"], stored["phone_key"]) == ("old@example.com", "+442079460000")


def test_custom_field_filters_compare_coerced_values(member: User) -> None:
    saas = make_lead(
        member,
        data={"industry": "saas", "budget": 100, "channels": ["web", "phone"], "active": True},
    )
    make_lead(member, data={"industry": "retail", "budget": 200, "channels": ["phone"]})
    client = client_for(member)

    assert _uids(client.get("/api/leads/", {"data.industry": "saas"})) == [saas.uid]
    assert _uids(client.get("/api/leads/", {"data.budget": "100"})) == [saas.uid]
    assert _uids(client.get("/api/leads/", {"data.channels": "web"})) == [saas.uid]
    assert _uids(client.get("/api/leads/", {"data.active": "true"})) == [saas.uid]


def test_bad_filters_are_400_naming_the_parameter(member: User) -> None:
    client = client_for(member)
    cases = {
        "data.colour": {"data.colour": "red"},
        "data.industry": {"data.industry": "mining"},
        "limit": {"limit": "500"},
        "sort": {"sort": "email"},
        "status": {"status": "maybe"},
        "created_after": {"created_after": "yesterday"},
        "cursor": {"cursor": "forged"},
        "colour": {"colour": "red"},
    }
    for name, params in cases.items():
        response = client.get("/api/leads/", params)
        assert response.status_code == 400, name
        assert name in response.json()["error"]["fields"], (name, response.json())


def test_a_cursor_only_fits_its_own_sort(member: User) -> None:
    for _ in range(3):
        make_lead(member)
    client = client_for(member)
    cursor = client.get("/api/leads/", {"limit": 1}).json()["next_cursor"]

    response = client.get("/api/leads/", {"sort": "name", "cursor": cursor})

    assert response.status_code == 400
    assert "cursor" in response.json()["error"]["fields"]


def test_a_list_page_costs_at_most_two_round_trips_deep_or_shallow(member: User) -> None:
    now = utcnow()
    documents = [
        {
            "type": "lead",
            "uid": f"LEAD-202601-{n:05d}",
            "name": f"Bulk {n}",
            "current_stage": "stage-new",
            "rank": "t1",
            "status": "open",
            "created_at": now - timedelta(seconds=n),
            "updated_at": now,
            "data": {"industry": "saas"},
            "assigned_to": [],
            "tags": [],
            "version": 1,
        }
        for n in range(1, 1201)
    ]
    leads_collection().insert_many(documents)
    client = client_for(member)
    page = client.get("/api/leads/", {"limit": 25}).json()
    for _ in range(20):
        page = client.get(page["next"]).json()

    with count_round_trips() as deep:
        response = client.get(page["next"])
    with count_round_trips() as filtered:
        client.get("/api/leads/", {"data.industry": "saas", "limit": "200"})

    assert len(response.json()["results"]) == 25
    assert deep.count - AUTH_ROUND_TRIPS == 1
    assert filtered.count - AUTH_ROUND_TRIPS <= 2
