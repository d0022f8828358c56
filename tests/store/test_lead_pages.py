"""find_leads' keyset pages: walked forward and back they list every lead once, in sort order."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from leads.domain.enums import WorkItemStatus
from leads.domain.models import WorkItem
from leads.domain.queries import LeadFilter, LeadSortKey, PageRequest
from leads.domain.ranks import rank_for_arrival
from leads.store import connection
from leads.store import leads as lead_store
from leads.store.documents import to_document

BASE_TIME = datetime(2026, 3, 1, tzinfo=UTC)
SORTS: list[tuple[LeadSortKey, bool]] = [
    (key, descending)
    for key in ("created_at", "updated_at", "name")
    for descending in (True, False)
]


def _insert_leads(count: int) -> list[WorkItem]:
    leads = []
    for i in range(count):
        # Every third lead shares its created_at, name and updated_at with the one before.
        slot = i - (i % 3 == 2)
        created = BASE_TIME + timedelta(minutes=slot)
        leads.append(
            WorkItem(
                uid=f"LEAD-202603-{(i * 17) % 1000 + 1:05d}",
                name=f"Lead {(slot * 7) % count:03d}",
                current_stage="stage-a" if i % 2 else "stage-b",
                status=WorkItemStatus.OPEN,
                rank=rank_for_arrival(created),
                created_at=created,
                updated_at=created + timedelta(minutes=(slot * 13) % 50),
            )
        )
    connection.leads().insert_many([to_document(lead, "lead") for lead in leads])
    return leads


def _ordered(leads: list[WorkItem], key: LeadSortKey, descending: bool) -> list[str]:
    rows = sorted(leads, key=lambda lead: (getattr(lead, key), lead.uid), reverse=descending)
    return [lead.uid for lead in rows]


def _after(row: Any, key: LeadSortKey) -> tuple[Any, str]:
    return getattr(row, key), row.uid


@pytest.mark.parametrize(("sort_key", "descending"), SORTS)
def test_walking_forward_lists_every_lead_once_in_order(
    sort_key: LeadSortKey, descending: bool
) -> None:
    leads = _insert_leads(40)
    seen: list[str] = []
    page = PageRequest(sort_key=sort_key, descending=descending, limit=7)
    while rows := lead_store.find_leads(LeadFilter(), page):
        seen += [row.uid for row in rows]
        page = PageRequest(
            sort_key=sort_key, descending=descending, limit=7, after=_after(rows[-1], sort_key)
        )
    assert seen == _ordered(leads, sort_key, descending)


@pytest.mark.parametrize(("sort_key", "descending"), SORTS)
def test_walking_backward_lists_every_lead_once_in_order(
    sort_key: LeadSortKey, descending: bool
) -> None:
    leads = _insert_leads(40)
    expected = _ordered(leads, sort_key, descending)
    record = lead_store.get_lead(expected[-1])
    assert record is not None
    last = record.lead
    seen = [last.uid]
    after = _after(last, sort_key)
    while rows := lead_store.find_leads(
        LeadFilter(),
        PageRequest(sort_key=sort_key, descending=descending, limit=7, after=after, backward=True),
    ):
        # A previous page still comes in sort order.
        assert [row.uid for row in rows] == [u for u in expected if u in {r.uid for r in rows}]
        seen = [row.uid for row in rows] + seen
        after = _after(rows[0], sort_key)
    assert seen == expected


def test_a_filtered_walk_lists_only_and_all_the_matching_leads() -> None:
    leads = _insert_leads(40)
    in_a = [lead for lead in leads if lead.current_stage == "stage-a"]
    seen: list[str] = []
    lead_filter = LeadFilter(stage="stage-a")
    page = PageRequest(limit=4)
    while rows := lead_store.find_leads(lead_filter, page):
        seen += [row.uid for row in rows]
        page = PageRequest(limit=4, after=_after(rows[-1], "created_at"))
    assert seen == _ordered(in_a, "created_at", True)


def test_lists_carry_no_embedded_tasks_activities_or_history() -> None:
    _insert_leads(3)
    stored_fields = set(connection.leads().find_one({"type": "lead"}) or {})
    assert {"tasks", "activities", "history"} <= stored_fields
    for row in lead_store.find_leads(LeadFilter(), PageRequest()):
        assert not hasattr(row, "tasks")
        assert not hasattr(row, "activities")
        assert not hasattr(row, "history")


ODD_COMPANY = "Odd (co) a.b [x * \\ $where .*"


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _searched(lead: WorkItem) -> str:
    # The lead number (`00171` and `171`) is found too.
    number = lead.uid.rsplit("-", 1)[1]
    return f"{lead.name} {lead.company or ''} {number} {number.lstrip('0')}"


@pytest.mark.parametrize(
    "search", ["lead 00", "LEAD 00", "(", "a.b", "[x", "*", "\\", "$where", ".*", "od co"]
)
def test_search_finds_word_prefixes_and_reads_no_operator(search: str) -> None:
    leads = _insert_leads(12)
    odd = leads[0].model_copy(update={"uid": "LEAD-202603-09999", "company": ODD_COMPANY})
    connection.leads().insert_one(to_document(WorkItem.model_validate(odd.model_dump()), "lead"))
    rows = lead_store.find_leads(LeadFilter(search=search), PageRequest(limit=100))
    asked = _words(search)
    expected = {
        lead.uid
        for lead in [*leads, odd]
        if asked
        and all(any(word.startswith(part) for word in _words(_searched(lead))) for part in asked)
    }
    assert {row.uid for row in rows} == expected
    # Punctuation alone is no word: it finds nothing rather than everything.
    assert bool(expected) == bool(asked)
