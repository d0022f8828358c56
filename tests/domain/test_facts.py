"""A lead's fact: what the board's totals and the reports count, from the stored lead alone."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from leads.domain.facts import (
    TotalsChange,
    amount,
    exact_amount,
    lead_fact,
    totals_difference,
)
from leads.domain.models import WorkItemConfig

MAY = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
JUNE = datetime(2026, 6, 2, 14, 0, tzinfo=UTC)
CONFIG = WorkItemConfig(value_field="budget", forecast_date_field="close_on")


def _lead(**values: Any) -> dict[str, Any]:
    return {
        "uid": "LEAD-1",
        "current_stage": "new",
        "status": "open",
        "data": {"budget": 1200.5, "close_on": "2026-07-15", "industry": "saas"},
        "assigned_to": ["usr-a"],
        "source": "web",
        "tags": ["hot"],
        "created_at": MAY,
        "closed_at": None,
        "lost_reason": None,
        "history": [
            {"kind": "stage_visit", "stage": "new", "name": "New", "entered_at": MAY},
        ],
        "version": 3,
        **values,
    }


def test_a_fact_holds_what_the_summaries_count_and_nothing_else() -> None:
    fact = lead_fact(_lead(), CONFIG)
    assert fact == {
        "_id": "LEAD-1",
        "stage": "new",
        "status": "open",
        "value": 1200.5,
        "assigned_to": ["usr-a"],
        "source": "web",
        "tags": ["hot"],
        "created_at": MAY,
        "closed_at": None,
        "lost_reason": None,
        "lost_from": None,
        "expected_close": "2026-07-15",
        "visits": [
            {
                "stage": "new",
                "name": "New",
                "entered_at": MAY,
                "exited_at": None,
                "step": -1,
                "moved": False,
                "days": None,
            }
        ],
        # no funnel given: no stage is a step of it
        "funnel": [],
        "activity": [],
        "version": 3,
    }


def test_a_lost_lead_names_the_stage_it_was_lost_from_and_its_visits_keep_their_names() -> None:
    history = [
        {
            "kind": "stage_visit",
            "stage": "new",
            "name": "New",
            "entered_at": MAY,
            "exited_at": JUNE,
        },
        {"kind": "field_change", "at": MAY, "changes": [{"field": "name"}]},
        {"kind": "stage_visit", "stage": "lost", "name": "Lost", "entered_at": JUNE},
    ]
    fact = lead_fact(
        _lead(
            status="lost",
            current_stage="lost",
            closed_at=JUNE,
            lost_reason="price",
            history=history,
        ),
        CONFIG,
    )
    assert (fact["lost_from"], fact["lost_reason"], fact["closed_at"]) == ("new", "price", JUNE)
    assert [visit["name"] for visit in fact["visits"]] == ["New", "Lost"]
    assert fact["visits"][0]["exited_at"] == JUNE


def test_a_lead_lost_straight_from_its_first_stage_knows_no_stage_it_was_lost_from() -> None:
    assert lead_fact(_lead(status="lost"), CONFIG)["lost_from"] is None


def test_the_value_and_close_date_follow_the_fields_the_config_names() -> None:
    lead = _lead(data={"budget": 10, "deal": 99.0, "close_on": JUNE, "due": "2027-01-01"})
    assert (lead_fact(lead, CONFIG)["value"], lead_fact(lead, CONFIG)["expected_close"]) == (
        10.0,
        "2026-06-02",
    )
    other = WorkItemConfig(value_field="deal", forecast_date_field="due")
    assert (lead_fact(lead, other)["value"], lead_fact(lead, other)["expected_close"]) == (
        99.0,
        "2027-01-01",
    )
    assert (lead_fact(lead, None)["value"], lead_fact(lead, None)["expected_close"]) == (None, None)


def test_stored_values_that_are_no_amount_or_no_date_count_as_none() -> None:
    for stored in ("1200", True, float("nan"), float("inf"), 2e15, None, [5]):
        assert amount(stored) is None, stored
    bad = _lead(
        data={"budget": "lots", "close_on": "soon"}, history="?", tags="x", assigned_to=None
    )
    fact = lead_fact(bad, CONFIG)
    assert (fact["value"], fact["expected_close"]) == (None, None)
    assert (fact["visits"], fact["tags"], fact["assigned_to"]) == ([], [], [])


def test_amounts_add_as_decimals_of_fifteen_digits_so_sums_never_drift() -> None:
    assert exact_amount(0.1) + exact_amount(0.2) == Decimal("0.3")
    assert exact_amount(0.30000000000000004) == Decimal("0.3")
    assert exact_amount(None) == 0


def test_a_move_takes_a_lead_and_its_value_from_one_totals_document_to_another() -> None:
    before = lead_fact(_lead(), CONFIG)
    after = lead_fact(_lead(current_stage="won", status="won"), CONFIG)
    assert sorted(totals_difference(before, after), key=lambda c: c.count) == [
        TotalsChange(stage="new", status="open", count=-1, value=Decimal("-1200.5")),
        TotalsChange(stage="won", status="won", count=1, value=Decimal("1200.5")),
    ]


def test_a_value_edit_changes_the_sum_but_not_the_count() -> None:
    before = lead_fact(_lead(), CONFIG)
    after = lead_fact(_lead(data={"budget": 1000}), CONFIG)
    assert totals_difference(before, after) == [
        TotalsChange(stage="new", status="open", count=0, value=Decimal("-200.5"))
    ]


def test_a_change_applied_again_changes_no_totals() -> None:
    fact = lead_fact(_lead(), CONFIG)
    assert totals_difference(fact, dict(fact)) == []
    assert totals_difference(fact, lead_fact(_lead(tags=["cold"], version=9), CONFIG)) == []


def test_a_new_lead_adds_itself_and_a_deleted_one_takes_itself_away() -> None:
    fact = lead_fact(_lead(), CONFIG)
    added = TotalsChange(stage="new", status="open", count=1, value=Decimal("1200.5"))
    assert totals_difference(None, fact) == [added]
    assert totals_difference(fact, None) == [
        TotalsChange(stage="new", status="open", count=-1, value=Decimal("-1200.5"))
    ]
