"""`q` is served by the search index: explained as the store sends it, on a few hundred leads."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

import pytest

from leads.domain.models import WorkItem
from leads.domain.queries import LeadFilter, LeadSortKey, PageRequest
from leads.domain.ranks import rank_for_arrival
from leads.store import connection
from leads.store import leads as lead_store
from leads.store.documents import to_document
from tests.store.test_query_plans import (
    BASE_TIME,
    SORTS,
    Doc,
    Explainer,
    World,
    _assert_no_collscan,
    _assert_streams_in_index_order,
    describe,
    explainer,
    plan_indexes,
    world,
)

__all__ = ["explainer", "world"]


def _sum_of(key: str, node: Any) -> int:
    """`key` added up over an explain answer, the sub-pipelines of $unionWith included."""
    if isinstance(node, dict):
        own = node[key] if isinstance(node.get(key), int) else 0
        return own + sum(_sum_of(key, value) for name, value in node.items() if name != key)
    if isinstance(node, list):
        return sum(_sum_of(key, value) for value in node)
    return 0


def _keys_examined(explain: Doc) -> int:
    stats = explain.get("executionStats")
    if isinstance(stats, dict) and "totalKeysExamined" in stats:
        return int(stats["totalKeysExamined"])
    return _sum_of("totalKeysExamined", explain)


def test_a_search_on_the_list_walks_one_term_of_the_search_index_newest_first(
    world: World, explainer: Explainer
) -> None:
    page = PageRequest(limit=10)
    # A thirteenth of the leads have an address at example7.
    lead_filter = LeadFilter(search="EXAMPLE7")
    explain = explainer.only(lambda: lead_store.find_leads(lead_filter, page))
    _assert_streams_in_index_order(explain)
    assert set(plan_indexes(explain)) == {"type_search_created"}, describe(explain)
    assert explain["executionStats"]["nReturned"] == page.limit
    assert explain["executionStats"]["totalKeysExamined"] <= page.limit + 1, describe(explain)


def test_a_search_every_lead_matches_still_stops_after_a_page(
    world: World, explainer: Explainer
) -> None:
    page = PageRequest()
    explain = explainer.only(lambda: lead_store.find_leads(LeadFilter(search="Lead"), page))
    _assert_streams_in_index_order(explain)
    assert explain["executionStats"]["totalKeysExamined"] <= page.limit + 1, describe(explain)


def test_a_search_for_a_rare_word_reads_only_its_keys(world: World, explainer: Explainer) -> None:
    lead = world.leads[77]
    query = lead.uid
    explain = explainer.only(lambda: lead_store.find_leads(LeadFilter(search=query), PageRequest()))
    _assert_no_collscan(explain)
    assert set(plan_indexes(explain)) == {"type_search_created"}, describe(explain)
    stats = explain["executionStats"]
    assert stats["nReturned"] == 1
    assert stats["totalKeysExamined"] <= 2 and stats["totalDocsExamined"] <= 1, describe(explain)


def test_a_multi_word_search_walks_its_longest_word(world: World, explainer: Explainer) -> None:
    # "company" is on every lead; "example7" on a thirteenth of them.
    lead_filter = LeadFilter(search="company example7")
    explain = explainer.only(lambda: lead_store.find_leads(lead_filter, PageRequest(limit=500)))
    _assert_no_collscan(explain)
    stats = explain["executionStats"]
    expected = sum(1 for lead in world.leads if "@example7." in (lead.email or ""))
    assert stats["nReturned"] == expected
    assert stats["totalKeysExamined"] <= expected + 1, describe(explain)


@pytest.mark.parametrize(("sort_key", "descending"), SORTS)
def test_every_sort_of_a_searched_list_is_served_by_an_index(
    world: World, explainer: Explainer, sort_key: LeadSortKey, descending: bool
) -> None:
    page = PageRequest(sort_key=sort_key, descending=descending)
    explain = explainer.only(lambda: lead_store.find_leads(LeadFilter(search="lead 01"), page))
    _assert_no_collscan(explain)


def test_the_quick_search_reads_a_bounded_number_of_keys(
    world: World, explainer: Explainer
) -> None:
    # Every lead holds "lead"; the candidates stop at SEARCH_CANDIDATES.
    explain = explainer.only(lambda: lead_store.search_hits("lead"))
    _assert_no_collscan(explain)
    assert "type_search_created" in plan_indexes(explain), describe(explain)
    assert _keys_examined(explain) <= lead_store.SEARCH_CANDIDATES + 1, describe(explain)


def test_the_quick_search_looks_exact_keys_up_on_their_indexes(
    world: World, explainer: Explainer
) -> None:
    lead = world.leads[10]
    assert lead.email is not None
    explain = explainer.only(lambda: lead_store.search_hits(lead.email or ""))
    _assert_no_collscan(explain)
    assert {"type_email_key", "type_search_created"} <= set(plan_indexes(explain))
    assert _keys_examined(explain) <= 4, describe(explain)


def test_the_board_with_a_search_is_served_by_indexes(world: World, explainer: Explainer) -> None:
    stages = [stage.uid for stage in world.stages.values()]
    explain = explainer.only(
        lambda: lead_store.kanban(
            lead_filter=LeadFilter(search="company 1"),
            stage_uids=stages,
            per_column=10,
            value_field=None,
            data_keys=[],
        )
    )
    _assert_no_collscan(explain)


def test_a_short_word_beside_a_longer_one_is_checked_on_what_the_longer_one_walks(
    world: World, explainer: Explainer
) -> None:
    # "co" starts a word of every lead; it is checked, never walked.
    lead_filter = LeadFilter(search="co example7")
    explain = explainer.only(lambda: lead_store.find_leads(lead_filter, PageRequest(limit=500)))
    _assert_no_collscan(explain)
    stats = explain["executionStats"]
    expected = sum(1 for lead in world.leads if "@example7." in (lead.email or ""))
    assert stats["nReturned"] == expected
    assert stats["totalKeysExamined"] <= expected + 1, describe(explain)


def test_the_start_up_back_fill_once_done_reads_no_lead(world: World, explainer: Explainer) -> None:
    explain = explainer.only(lead_store.fill_missing_search_terms)
    _assert_no_collscan(explain)
    assert {"type_search_created", "type_search_version"} <= set(plan_indexes(explain))
    stats = explain["executionStats"]
    assert stats["nReturned"] == 0
    assert stats["totalKeysExamined"] <= 3 and stats["totalDocsExamined"] == 0, describe(explain)


# A whole phone number among 2,000 and then 20,000 leads whose phones share their last groups
# (one last group in 1,000 per area code, as the bench's in 10,000): walking its longest group
# read the leads holding it, ten times more at ten times the leads.
PHONE_QUERIES = ["+1 200 555 0042", "(200) 555-0042", "200-555-0042", "+12005550042"]


def _phone_leads(start: int, stop: int) -> None:
    created = BASE_TIME
    connection.leads().insert_many(
        [
            to_document(
                WorkItem(
                    uid=f"LEAD-202601-{n + 1:06d}",
                    name=f"Lead {n}",
                    phone=f"+1 {200 + n // 1_000} 555 {n * 7919 % 1_000:04d}",
                    current_stage="stage-new",
                    rank=rank_for_arrival(created),
                    created_at=created + timedelta(minutes=n),
                    updated_at=created,
                    stage_entered_at=created,
                ),
                "lead",
            )
            for n in range(start, stop)
        ]
    )


def _phone_keys(explainer: Explainer) -> dict[tuple[str, str], int]:
    """Keys examined by the list page and the quick search for each of PHONE_QUERIES."""
    keys: dict[tuple[str, str], int] = {}
    for query in PHONE_QUERIES:
        listed = explainer.only(
            partial(lead_store.find_leads, LeadFilter(search=query), PageRequest())
        )
        _assert_no_collscan(listed)
        assert listed["executionStats"]["nReturned"] == 1, (query, describe(listed))
        keys[query, "list"] = _keys_examined(listed)
        quick = explainer.only(partial(lead_store.search_hits, query))
        _assert_no_collscan(quick)
        keys[query, "quick"] = _keys_examined(quick)
    return keys


def test_a_whole_phone_number_reads_no_more_keys_among_ten_times_the_leads(
    explainer: Explainer,
) -> None:
    _phone_leads(0, 2_000)
    few = _phone_keys(explainer)
    _phone_leads(2_000, 20_000)
    many = _phone_keys(explainer)
    assert many == few
    # The number itself, and the ten numbers its first ten digits start (a number being typed).
    assert max(many.values()) <= 12, many
