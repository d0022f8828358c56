"""Report figures on the hand-built June of tests/reports_world.py: every number below is worked
out by hand from the stories told there."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from leads.domain.inputs import StageCreate, StageUpdate
from leads.domain.models import recorded_at
from leads.domain.reports import ReportFilter
from leads.selectors import reports
from leads.services import workflow as workflow_services
from leads.store import connection
from tests import reports_world
from tests.reports_world import NOW, World, create, june, move

JUNE = ReportFilter(start=datetime(2026, 6, 1, tzinfo=UTC), end=datetime(2026, 7, 1, tzinfo=UTC))


@pytest.fixture
def world() -> World:
    return reports_world.build()


def _table(rows: list[Any], *fields: str) -> dict[str, tuple[Any, ...]]:
    return {row.name: tuple(getattr(row, name) for name in fields) for row in rows}


def test_the_funnel_counts_each_lead_once_per_stage_and_skips_as_moving_on(world: World) -> None:
    rows = reports.report_funnel(report_filter=JUNE)

    assert [row.name for row in rows] == ["New", "Qualified", "Proposal", "Won"]
    # New: L1 L2 L3 (twice, once counted) L4 L7 entered; all but L7 moved on (L2 by a skip).
    # Qualified: L1 L3 L5; only L1 went further (L3 went back). Proposal: L1 L2 L4; L1 won.
    # Won: L1 and L4, of which only L1 is won now (L4 was reopened).
    assert _table(rows, "entered", "moved_on", "won") == {
        "New": (5, 4, 1),
        "Qualified": (3, 1, 1),
        "Proposal": (3, 1, 1),
        "Won": (2, None, 1),
    }
    assert _table(rows, "conversion_pct", "from_first_pct", "drop_off", "drop_off_pct") == {
        "New": (80.0, 100.0, 1, 20.0),
        "Qualified": (33.3, 60.0, 2, 66.7),
        "Proposal": (33.3, 60.0, 2, 66.7),
        "Won": (None, 40.0, None, None),
    }
    assert [row.won_pct for row in rows] == [20.0, 33.3, 33.3, 50.0]


def test_the_funnel_filters_by_assignee_source_and_tag(world: World) -> None:
    alice = reports.report_funnel(report_filter=_with(JUNE, assigned_to=world.alice.uid))
    fair = reports.report_funnel(report_filter=_with(JUNE, source="fair"))
    tagged = reports.report_funnel(report_filter=_with(JUNE, tag="nobody-has-it"))

    # alice: L1 L3 entered New (L5 entered it in May), L1 L3 L5 Qualified, L1 the rest.
    assert _table(alice, "entered", "moved_on") == {
        "New": (2, 2),
        "Qualified": (3, 1),
        "Proposal": (1, 1),
        "Won": (1, None),
    }
    # fair: L3 L4 L7.
    assert _table(fair, "entered", "moved_on", "won") == {
        "New": (3, 2, 0),
        "Qualified": (1, 0, 0),
        "Proposal": (1, 0, 0),
        "Won": (1, None, 0),
    }
    assert all(row.entered == 0 and row.from_first_pct is None for row in tagged)


def test_an_empty_period_gives_every_step_with_zeros(world: World) -> None:
    march = ReportFilter(
        start=datetime(2026, 3, 1, tzinfo=UTC), end=datetime(2026, 4, 1, tzinfo=UTC)
    )
    rows = reports.report_funnel(report_filter=march)
    assert [(row.name, row.entered, row.conversion_pct) for row in rows] == [
        ("New", 0, None),
        ("Qualified", 0, None),
        ("Proposal", 0, None),
        ("Won", 0, None),
    ]
    assert reports.report_lost_reasons(report_filter=march) == []
    assert reports.report_activity(report_filter=march, group_by="user") == []
    months = reports.report_win_rate(report_filter=march, group_by="month")
    assert [(row.key, row.closed, row.win_rate_pct) for row in months] == [("2026-03", 0, None)]


def test_stage_times_are_the_visits_that_ended_in_the_period_and_the_open_ones_now(
    world: World,
) -> None:
    with recorded_at(NOW):
        rows = reports.report_stage_times(report_filter=JUNE)

    # New: L1 2, L2 2, L3 3 and 1 (back), L4 2, L5 13 (from May), L7 2 days: 1 2 2 2 2 3 13.
    # Qualified: L1 3, L3 2, L5 10. Proposal: L1 4, L2 5. Won: L4's 2 days before reopening.
    assert _table(rows, "visits", "median_days", "mean_days", "p90_days") == {
        "New": (7, 2.0, 3.57, 7.0),
        "Qualified": (3, 3.0, 5.0, 8.6),
        "Proposal": (2, 4.5, 4.5, 4.9),
        "Won": (1, 2.0, 2.0, 2.0),
    }
    # Open now (1 July 12:00): L6 in New since 00:00, L3 in Qualified since the 8th, L4 in
    # Proposal since the 7th. Won and lost leads wait nowhere.
    assert _table(rows, "open_visits", "open_median_days", "open_max_days") == {
        "New": (1, 0.5, 0.5),
        "Qualified": (1, 23.0, 23.0),
        "Proposal": (1, 24.0, 24.0),
        "Won": (0, None, None),
    }


def test_win_rate_by_month_assignee_and_source(world: World) -> None:
    by_month = reports.report_win_rate(report_filter=JUNE, group_by="month")
    by_assignee = reports.report_win_rate(report_filter=JUNE, group_by="assignee")
    by_source = reports.report_win_rate(report_filter=JUNE, group_by="source")

    # Closed in June: L1 won (1000); L2 (2000), L5 (500), L7 (300) lost. L4 was reopened.
    assert [
        (r.key, r.won, r.lost, r.win_rate_pct, r.won_value, r.lost_value, r.value_win_rate_pct)
        for r in by_month
    ] == [("2026-06", 1, 3, 25.0, 1000.0, 2800.0, 26.3)]
    assert [(r.label, r.won, r.lost, r.win_rate_pct) for r in by_assignee] == [
        ("Alice", 1, 1, 50.0),
        ("Bob", 0, 2, 0.0),
    ]
    assert [(r.key, r.label, r.won, r.lost, r.win_rate_pct) for r in by_source] == [
        ("fair", "fair", 0, 1, 0.0),
        ("web", "web", 1, 1, 50.0),
        (None, "(no source)", 0, 1, 0.0),
    ]


def test_the_forecast_weighs_open_value_by_stage_probability_per_close_month(
    world: World,
) -> None:
    rows, date_field = reports.report_forecast(report_filter=JUNE)
    everything, _ = reports.report_forecast(report_filter=ReportFilter())

    assert date_field == "close_date"
    # June: L6 (New, 10% of 100) expected, L1 won. L4 expects July: outside June. L3 has no
    # date: the last row.
    assert [
        (r.month, r.open_count, r.open_value, r.weighted_value, r.won_count, r.won_value)
        for r in rows
    ] == [("2026-06", 1, 100.0, 10.0, 1, 1000.0), (None, 1, 4000.0, 1600.0, 0, 0.0)]
    assert [(r.month, r.open_value, r.weighted_value, r.won_value) for r in everything] == [
        ("2026-06", 100.0, 10.0, 1000.0),
        ("2026-07", 8000.0, 5600.0, 0.0),
        (None, 4000.0, 1600.0, 0.0),
    ]


def test_lost_reasons_count_and_value_by_the_stage_lost_from(world: World) -> None:
    rows = reports.report_lost_reasons(report_filter=JUNE)

    assert [(r.label, r.stage_name, r.count, r.value) for r in rows] == [
        ("Bad timing", "New", 1, 300.0),
        ("Bad timing", "Qualified", 1, 500.0),
        ("Too expensive", "Proposal", 1, 2000.0),
    ]


def test_activity_counts_logged_activities_and_completed_tasks_per_week(world: World) -> None:
    by_user = reports.report_activity(report_filter=JUNE, group_by="user")
    by_type = reports.report_activity(report_filter=JUNE, group_by="type")

    first, second = date(2026, 6, 1), date(2026, 6, 8)
    assert [(r.week, r.label, r.activities, r.tasks_completed) for r in by_user] == [
        (first, "Alice", 1, 1),
        (second, "Bob", 2, 0),
    ]
    assert [(r.week, r.key, r.activities, r.tasks_completed) for r in by_type] == [
        (first, "call", 1, 0),
        (first, "task", 0, 1),
        (second, "email", 1, 0),
        (second, "note", 1, 0),
    ]


def test_a_renamed_stage_shows_its_new_name_and_history_keeps_the_old_one(world: World) -> None:
    qualified = world.stages["qualified"]
    workflow_services.stage_update(
        uid=qualified.uid, changes=StageUpdate(name="Discovery"), expected_version=None
    )

    funnel = reports.report_funnel(report_filter=JUNE)
    lost = reports.report_lost_reasons(report_filter=JUNE)

    assert [row.name for row in funnel] == ["New", "Discovery", "Proposal", "Won"]
    assert "Discovery" in [row.stage_name for row in lost]
    stored = connection.leads().find_one({"uid": world.leads["L3"]}, {"history": 1})
    assert stored is not None
    visits = [entry for entry in stored["history"] if entry["kind"] == "stage_visit"]
    assert [visit["name"] for visit in visits] == ["New", "Qualified", "New", "Qualified"]


def test_a_deleted_stage_keeps_the_name_history_recorded_else_its_uid(world: World) -> None:
    trial = workflow_services.stage_create(
        data=StageCreate(name="Trial", uid="stage-trial", order=5)
    )
    for stage in world.stages.values():
        workflow_services.stage_update(
            uid=stage.uid,
            changes=StageUpdate(allowed_next_stages=[*stage.allowed_next_stages, trial.uid]),
            expected_version=None,
        )
    workflow_services.stage_update(
        uid=trial.uid,
        changes=StageUpdate(allowed_next_stages=[world.stages["lost"].uid]),
        expected_version=None,
    )
    named = create(world.admin, june(20), world.alice, data={"budget": 50})
    move(named, trial, june(21), world.admin)
    move(named, world.stages["lost"], june(24), world.admin, reason="price")
    workflow_services.stage_delete(uid=trial.uid, move_to=None, actor=world.admin)

    lost = reports.report_lost_reasons(report_filter=JUNE)
    with recorded_at(NOW):
        times = reports.report_stage_times(report_filter=JUNE)

    assert ("Too expensive", "Trial", 1, 50.0) in [
        (r.label, r.stage_name, r.count, r.value) for r in lost
    ]
    trial_row = next(row for row in times if row.stage == "stage-trial")
    assert (trial_row.name, trial_row.deleted, trial_row.visits, trial_row.median_days) == (
        "Trial",
        True,
        1,
        3.0,
    )
    assert times[-1] is trial_row, "deleted stages come after the pipeline's"
    assert "stage-trial" not in [row.stage for row in reports.report_funnel(report_filter=JUNE)]

    # History written before names were kept: the uid is all a deleted stage leaves.
    connection.leads().update_many({"type": "lead"}, {"$unset": {"history.$[].name": ""}})
    times = reports.report_stage_times(report_filter=JUNE)
    assert next(row.name for row in times if row.stage == "stage-trial") == "stage-trial"
    # ... while a stage that exists still shows its name now.
    assert [row.name for row in times][:3] == ["New", "Qualified", "Proposal"]


def _with(report_filter: ReportFilter, **changes: Any) -> ReportFilter:
    from dataclasses import replace

    return replace(report_filter, **changes)
