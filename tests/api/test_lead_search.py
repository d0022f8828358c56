"""`q` on the list and the board, and the quick search: word prefixes served by an index."""

from __future__ import annotations

from typing import Any

import pytest

from leads.domain.models import User
from leads.domain.search import SEARCH_TERMS_VERSION, search_terms
from leads.store.connection import count_round_trips
from leads.store.connection import leads as leads_collection
from leads.store.indexes import ensure_indexes
from leads.store.leads import fill_missing_search_terms
from tests.builders import assert_error, client_for, make_lead, make_pipeline, make_user

AUTH_ROUND_TRIPS = 1


@pytest.fixture
def member() -> User:
    make_pipeline()
    return make_user()


def _listed(response: Any) -> list[str]:
    assert response.status_code == 200, response.json()
    return [lead["uid"] for lead in response.json()["results"]]


def _found(user: User, q: str) -> list[str]:
    return _listed(client_for(user).get("/api/leads/search/", {"q": q}))


def test_a_word_prefix_finds_leads_by_name_company_email_or_phone(member: User) -> None:
    by_name = make_lead(member, name="Grace Hopper")
    by_company = make_lead(member, name="Ada", company="Hopperton Ltd")
    by_email = make_lead(member, name="X", email="cobol@navy.example.com")
    by_phone = make_lead(member, name="Y", phone="+1 (415) 555-0199")
    make_lead(member, name="Someone Else")
    client = client_for(member)

    assert set(_listed(client.get("/api/leads/", {"q": "hop"}))) == {by_name.uid, by_company.uid}
    assert _listed(client.get("/api/leads/", {"q": "NAV"})) == [by_email.uid]
    assert _listed(client.get("/api/leads/", {"q": "555 01"})) == [by_phone.uid]
    assert _listed(client.get("/api/leads/", {"q": "4155550"})) == [by_phone.uid]
    assert _listed(client.get("/api/leads/", {"q": "opper"})) == []


def test_search_ignores_case_and_accents_both_ways(member: User) -> None:
    zoe = make_lead(member, name="Zoë Ångström")
    plain = make_lead(member, name="Zoe Angstrom")
    client = client_for(member)

    for q in ("zoe", "ZOË", "ang", "ÅNGS"):
        assert set(_listed(client.get("/api/leads/", {"q": q}))) == {zoe.uid, plain.uid}, q


def test_every_word_of_a_query_must_start_a_word_of_the_lead(member: User) -> None:
    grace = make_lead(member, name="Grace Hopper", company="Navy")
    make_lead(member, name="Grace Kelly")
    make_lead(member, name="Dennis Hopper")
    client = client_for(member)

    assert _listed(client.get("/api/leads/", {"q": "hop gra"})) == [grace.uid]
    assert _listed(client.get("/api/leads/", {"q": "grace navy"})) == [grace.uid]
    assert _listed(client.get("/api/leads/", {"q": "grace army"})) == []


def test_a_lead_is_found_by_its_uid_or_its_number(member: User) -> None:
    lead = make_lead(member)
    number = lead.uid.rsplit("-", 1)[1]

    for q in (lead.uid, lead.uid.lower(), number, number.lstrip("0")):
        assert _found(member, q)[0] == lead.uid, q


def test_the_quick_search_puts_exact_email_and_phone_first(member: User) -> None:
    for n in range(5):
        make_lead(member, name=f"Ann {n}", email=f"ann{n}@example.com")
    exact_email = make_lead(member, name="Zed", email="Ann@Example.com")
    for n in range(3):
        make_lead(member, name=f"Phone {n}", phone=f"+1 415 555 010{n}")
    exact_phone = make_lead(member, name="Zara", phone="+1 415 555")
    make_lead(member, name="Ann Newest")

    assert _found(member, "ann@example.com")[0] == exact_email.uid
    assert _found(member, "+1 (415) 555")[0] == exact_phone.uid
    by_name = _found(member, "ann")
    # Name matches ahead of the others (the email-only match), newest first among them.
    assert by_name[0] != exact_email.uid and exact_email.uid in by_name
    assert by_name.index(exact_email.uid) == len(by_name) - 1


def test_a_whole_phone_number_finds_its_lead_first_however_it_is_typed(member: User) -> None:
    lead = make_lead(member, name="Target", phone="+1 415 555 0100")
    # Its neighbours share its first ten digits, or its last seven.
    for n in range(1, 10):
        make_lead(member, name=f"Next {n}", phone=f"+1 415 555 010{n}")
    elsewhere = make_lead(member, name="Elsewhere", phone="+1 (416) 555-0100")
    make_lead(member, name="Newest", phone="+14155550100")
    newest = _found(member, "Newest")[0]
    client = client_for(member)

    for q in ("+1 415 555 0100", "+14155550100", "(415) 555-0100", "415-555-0100", "4155550100"):
        assert set(_listed(client.get("/api/leads/", {"q": q}))) == {lead.uid, newest}, q
        assert set(_found(member, q)[:2]) == {lead.uid, newest}, q
    for q in ("555-0100", "555 0100"):
        assert set(_listed(client.get("/api/leads/", {"q": q}))) == {
            lead.uid,
            newest,
            elsewhere.uid,
        }
    # A number being typed finds the numbers it starts.
    assert len(_listed(client.get("/api/leads/", {"q": "+1 415 555 01"}))) == 11


def test_a_lead_stored_with_the_second_definition_is_found_by_its_local_number_once_filled(
    member: User,
) -> None:
    lead = make_lead(member, name="Old", phone="+1 415 555 0100")
    definition_2 = [
        term
        for term in search_terms(
            uid=lead.uid, name="Old", company=None, email=None, phone="+1 415 555 0100"
        )
        if term not in {"5550100", "55550100", "155550100"}
    ]
    leads_collection().update_one(
        {"uid": lead.uid}, {"$set": {"search_terms": definition_2, "search_terms_v": 2}}
    )
    assert _found(member, "555-0100") == []

    assert fill_missing_search_terms() == 1

    assert _found(member, "555-0100") == [lead.uid]


def test_the_quick_search_answers_few_small_rows(member: User) -> None:
    for n in range(12):
        make_lead(member, name=f"Ann {n}", email=f"ann{n}@example.com")

    response = client_for(member).get("/api/leads/search/", {"q": "ann", "limit": "5"})

    rows = response.json()["results"]
    assert len(rows) == 5
    assert set(rows[0]) == {
        "uid",
        "name",
        "company",
        "email",
        "phone",
        "current_stage",
        "status",
    }
    assert [row["name"] for row in rows] == [f"Ann {n}" for n in range(11, 6, -1)]


def test_a_renamed_lead_is_found_by_its_new_name_only(member: User) -> None:
    lead = make_lead(member, name="Old Name", company="Acme")
    client = client_for(member)

    response = client.patch(f"/api/leads/{lead.uid}/", {"name": "Brand New"}, format="json")

    assert response.status_code == 200
    assert _listed(client.get("/api/leads/", {"q": "old"})) == []
    assert _listed(client.get("/api/leads/", {"q": "bran"})) == [lead.uid]
    # What the write did not change is still found.
    assert _listed(client.get("/api/leads/", {"q": "acme"})) == [lead.uid]


def test_a_changed_email_or_phone_is_found_by_the_new_one_only(member: User) -> None:
    lead = make_lead(member, email="old@example.com", phone="+44 20 1111 2222")
    client = client_for(member)

    client.patch(
        f"/api/leads/{lead.uid}/",
        {"email": "fresh@sample.org", "phone": "+44 20 3333 4444"},
        format="json",
    )

    assert _found(member, "old@") == []
    assert _found(member, "fresh@sam") == [lead.uid]
    assert _found(member, "1111") == []
    assert _found(member, "3333") == [lead.uid]


def test_leads_stored_without_search_terms_get_them_at_start_up(member: User) -> None:
    lead = make_lead(member, name="Legacy Lead", email="legacy@old.example.com")
    leads_collection().update_one({"uid": lead.uid}, {"$unset": {"search_terms": 1}})
    assert _found(member, "legacy") == []

    ensure_indexes()

    assert _found(member, "legacy") == [lead.uid]
    assert _found(member, "legacy@old") == [lead.uid]


def test_a_word_of_any_length_finds_what_its_whole_prefix_would(member: User) -> None:
    hopper = make_lead(member, name="Grace Hopperton", phone="+1 415 555 0199")
    make_lead(member, name="Grace Hopp")
    client = client_for(member)

    # 5, 7 and 9 characters: stored prefixes are 4, 6 and 8 long, the rest is checked.
    for q in ("hoppe", "hoppert", "hopperton", "grace hopperto", "41555501"):
        assert _listed(client.get("/api/leads/", {"q": q})) == [hopper.uid], q
    assert _listed(client.get("/api/leads/", {"q": "hoppex"})) == []


def test_a_short_word_next_to_a_longer_one_must_start_a_word_not_the_uid(member: User) -> None:
    # Every lead's stored uid starts with "le": it is not a word of the lead.
    make_lead(member, name="Ann Smith", email="ann.smith@example.com")
    by_company = make_lead(member, name="Ann Smith", company="Lemon")
    by_email = make_lead(member, name="Ann Smith", email="leo@example.com")
    client = client_for(member)

    found = _listed(client.get("/api/leads/", {"q": "smith le"}))
    assert found == [by_email.uid, by_company.uid]
    assert _listed(client.get("/api/leads/", {"q": "smith x"})) == []


def test_an_address_is_found_as_it_is_typed(member: User) -> None:
    lead = make_lead(member, name="X", email="Ann.Lee@Mail.Example.org")
    make_lead(member, name="Y", email="ann.lee@other.org")
    make_lead(member, name="Z", email="ann@mail.example.org")

    for q in ("ann.lee@m", "ann.lee@mail", "ANN.LEE@MAIL.EX", "ann.lee@mail.example.org"):
        assert _found(member, q) == [lead.uid], q


def test_leads_stored_with_an_older_definition_of_the_terms_get_the_current_one(
    member: User,
) -> None:
    old = [make_lead(member, name=f"Old {n}", email=f"old{n}@legacy.example") for n in range(5)]
    current = make_lead(member, name="Current")
    for lead in old[:3]:
        # What definition 1 stored, without a version.
        leads_collection().update_one(
            {"uid": lead.uid},
            {"$set": {"search_terms": ["old", "old@legacy.e"]}, "$unset": {"search_terms_v": 1}},
        )
    for lead in old[3:]:
        leads_collection().update_one(
            {"uid": lead.uid}, {"$set": {"search_terms": ["old"], "search_terms_v": 1}}
        )
    assert _found(member, "legacy") == []

    # Batches of two: three bulk writes for the five leads.
    assert fill_missing_search_terms(batch_size=2) == 5
    assert fill_missing_search_terms(batch_size=2) == 0

    assert set(_found(member, "legacy")) == {lead.uid for lead in old}
    stored = leads_collection().find_one({"uid": old[0].uid})
    assert stored is not None
    assert stored["search_terms_v"] == SEARCH_TERMS_VERSION
    assert stored["search_terms"] == search_terms(
        uid=old[0].uid, name="Old 0", company=None, email="old0@legacy.example", phone=None
    )
    untouched = leads_collection().find_one({"uid": current.uid})
    assert untouched is not None and untouched["search_terms_v"] == SEARCH_TERMS_VERSION


def test_a_renamed_lead_keeps_the_current_definition(member: User) -> None:
    lead = make_lead(member, name="Old Name")
    leads_collection().update_one({"uid": lead.uid}, {"$set": {"search_terms_v": 1}})

    client_for(member).patch(f"/api/leads/{lead.uid}/", {"name": "New Name"}, format="json")

    stored = leads_collection().find_one({"uid": lead.uid})
    assert stored is not None and stored["search_terms_v"] == SEARCH_TERMS_VERSION


def test_the_board_filters_its_cards_and_counts_by_the_search(member: User) -> None:
    grace = make_lead(member, name="Grace Hopper")
    make_lead(member, name="Alan Turing")

    board = client_for(member).get("/api/leads/kanban/", {"q": "gra"}).json()

    cards = [card["uid"] for column in board["columns"] for card in column["leads"]]
    assert cards == [grace.uid]
    assert sum(column["count"] for column in board["columns"]) == 1


def test_the_list_keeps_its_sort_order_and_cursor_pages_with_a_query(member: User) -> None:
    uids = [make_lead(member, name=f"Ann {letter}").uid for letter in "edcba"]
    make_lead(member, name="Bob")
    client = client_for(member)

    page = client.get("/api/leads/", {"q": "ann", "sort": "name", "limit": "2"}).json()
    rows = [row["uid"] for row in page["results"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        rows += [row["uid"] for row in page["results"]]

    assert rows == list(reversed(uids))


def test_a_search_is_two_round_trips_with_the_sign_in(member: User) -> None:
    make_lead(member, name="Ann", email="ann@example.com")
    client = client_for(member)

    with count_round_trips() as trips:
        response = client.get("/api/leads/search/", {"q": "ann@example.com"})

    assert response.status_code == 200
    assert trips.count == AUTH_ROUND_TRIPS + 1, trips.commands


def test_a_query_of_punctuation_finds_nothing_without_asking_the_database(member: User) -> None:
    make_lead(member, name="Ann")
    client = client_for(member)

    with count_round_trips() as trips:
        response = client.get("/api/leads/search/", {"q": "(.*)"})

    assert response.json()["results"] == []
    assert trips.count == AUTH_ROUND_TRIPS


def test_bad_search_parameters_are_400_naming_them(member: User) -> None:
    client = client_for(member)

    assert_error(client.get("/api/leads/search/"), 400, "invalid", "q")
    assert_error(
        client.get("/api/leads/search/", {"q": "a", "limit": "50"}), 400, "invalid", "limit"
    )
    assert_error(client.get("/api/leads/search/", {"q": "a" * 201}), 400, "invalid", "q")
