"""A lead's contribution to the report rollups, and what a change to it changes: the rows a
report over all leads counts from (domain/report_rollups.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from leads.domain.report_facts import report_visits
from leads.domain.report_rollups import (
    FUNNEL,
    VISIT_DAYS,
    WAITS,
    lead_rollups,
    merged_changes,
    rollups_difference,
)

FUNNEL_STEPS = ["new", "qualified", "proposal", "won"]


def june(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 6, day, hour, tzinfo=UTC)


def fact(path: list[tuple[str, datetime]], status: str = "open", **fields: Any) -> dict[str, Any]:
    """A fact whose lead went through `path` (stage, entered), each visit ending as the next
    begins."""
    visits = [
        {
            "stage": stage,
            "name": stage.title(),
            "entered_at": entered,
            "exited_at": path[index + 1][1] if index + 1 < len(path) else None,
        }
        for index, (stage, entered) in enumerate(path)
    ]
    return {
        "_id": "LEAD-1",
        "status": status,
        "stage": path[-1][0],
        "value": 100.0,
        "assigned_to": ["usr-b", "usr-a"],
        "source": "fair",
        "closed_at": None,
        "lost_reason": None,
        "expected_close": None,
        "visits": report_visits(visits, FUNNEL_STEPS),
        "activity": [],
        **fields,
    }


def _funnel_keys(rows: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            row.key["stage"],
            row.key["day"].day,
            row.key["prev"] and row.key["prev"].day,
            row.key["moved"],
            row.key["prev_moved"] and row.key["prev_moved"].day,
        )
        for row in rows.values()
        if row.key["k"] == FUNNEL
    )


def test_each_funnel_visit_carries_the_day_of_the_lead_s_previous_visit_and_moved_on_visit() -> (
    None
):
    # New, on to Qualified, back to New, on to Qualified again (where it is now)
    rows = lead_rollups(
        fact([("new", june(1)), ("qualified", june(3)), ("new", june(5)), ("qualified", june(8))])
    )

    assert _funnel_keys(rows) == [
        ("new", 1, None, True, None),
        ("new", 5, 1, True, 1),
        ("qualified", 3, None, False, None),
        ("qualified", 8, 3, False, None),
    ]


def test_ended_visits_keep_their_length_by_the_day_they_ended_and_open_ones_their_entry() -> None:
    rows = lead_rollups(fact([("new", june(1)), ("qualified", june(3, 21)), ("new", june(5))]))

    lengths = {
        (row.key["k"], row.key["stage"], row.key.get("day") and row.key["day"].day): row.lengths
        for row in rows.values()
        if row.key["k"] in (VISIT_DAYS, WAITS)
    }
    assert lengths == {
        (VISIT_DAYS, "new", 3): [2.5],
        (VISIT_DAYS, "qualified", 5): [(june(5) - june(3, 21)) / timedelta(days=1)],
        (WAITS, "new", 5): [june(5)],
    }
    # a closed lead's open visit is no wait
    won = lead_rollups(fact([("new", june(1)), ("won", june(2))], status="won", closed_at=june(2)))
    assert not [row for row in won.values() if row.key["k"] == WAITS]


def test_a_fact_replaced_by_itself_changes_nothing_and_a_lead_gone_takes_out_all_it_added() -> None:
    same = fact(
        [("new", june(1)), ("qualified", june(2)), ("new", june(3)), ("qualified", june(4))]
    )

    assert rollups_difference(same, dict(same)) == []
    gone = rollups_difference(same, None)
    assert sum(change.count for change in gone) == -sum(
        row.count for row in lead_rollups(same).values()
    )
    # Both New visits lasted a day and ended on different days; both Qualified too.
    assert sorted(
        (change.key["stage"], change.removed) for change in gone if change.key["k"] == VISIT_DAYS
    ) == [("new", [1.0]), ("new", [1.0]), ("qualified", [1.0])]


def test_winning_moves_every_visit_to_the_won_rows_and_the_closed_value_to_its_day() -> None:
    path = [("new", june(1)), ("qualified", june(2))]
    before = fact(path)
    after = fact([*path, ("won", june(4))], status="won", closed_at=june(4, 15))

    changes = {change.row_id: change for change in rollups_difference(before, after)}

    funnel = [change for change in changes.values() if change.key["k"] == FUNNEL]
    assert sorted((c.key["stage"], c.key["won"], c.count) for c in funnel) == [
        ("new", False, -1),
        ("new", True, 1),
        ("qualified", False, -1),
        ("qualified", True, 1),
        ("won", True, 1),
    ]
    outcome = next(c for c in changes.values() if c.key["k"] == "outcomes")
    assert (outcome.key["day"], outcome.key["won"], outcome.count, outcome.value) == (
        datetime(2026, 6, 4, tzinfo=UTC),
        True,
        1,
        Decimal(100),
    )
    assert outcome.key["assigned_to"] == ["usr-a", "usr-b"]
    assert any(c.key["k"] == "open_value" and c.count == -1 for c in changes.values())


def test_one_lead_s_visit_length_taken_out_and_another_s_added_in_a_batch_cancel_out() -> None:
    one = fact([("new", june(1)), ("qualified", june(3))])
    other = {**one, "_id": "LEAD-2"}

    merged = merged_changes([*rollups_difference(one, None), *rollups_difference(None, other)])

    assert merged and all(
        change.count == 0 and not change.added and not change.removed for change in merged
    )
