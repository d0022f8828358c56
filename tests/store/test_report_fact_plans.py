"""The reports over the lead facts and the report rollups are served by the indexes their
`# index:` comments name, and a report's aggregation reads only the side it chose (explained)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from leads.domain.reports import ReportFilter
from leads.store import connection
from leads.store import reports as report_store
from leads.store.facts import all_rollups, lead_facts
from tests import report_summaries, reports_world

START = datetime(2026, 1, 1, tzinfo=UTC)
JANUARY = ReportFilter(start=START, end=START + timedelta(days=31))
EVERY_STATUS = {"$in": ["open", "won", "lost", "archived"]}


def _facts_with_a_past() -> None:
    documents = []
    for n in range(400):
        entered = START - timedelta(days=200) + timedelta(hours=12 * n)
        closed = entered + timedelta(days=3)
        documents.append(
            {
                "_id": f"LEAD-202601-{n:05d}",
                "status": ["open", "won", "lost"][n % 3],
                "closed_at": None if n % 3 == 0 else closed,
                "assigned_to": [f"usr-{n % 8}"],
                "source": f"source-{n % 5}",
                "tags": [f"tag-{n % 7}"],
                "visits": [
                    {"stage": "stage-new", "entered_at": entered, "exited_at": closed,
                     "step": 0, "moved": True, "days": 3.0},
                    {"stage": "stage-won", "entered_at": closed, "exited_at": None,
                     "step": 1, "moved": False, "days": None},
                ],
                "activity": [
                    {"day": closed, "week": closed, "actor": "usr-a", "type": "call", "count": 1}
                ],
            }
        )  # fmt: skip
    lead_facts().insert_many(documents)


def _plan_indexes(explained: Any) -> list[str]:
    names: list[str] = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("stage") == "COLLSCAN":
                names.append("COLLSCAN")
            if "indexName" in node:
                names.append(node["indexName"])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(explained)
    return names


@pytest.mark.parametrize(
    ("pipeline", "index"),
    [
        (lambda: report_store.funnel_fact_pipeline(JANUARY), "facts_status_visit_entered"),
        (
            lambda: report_store.win_rate_pipeline(JANUARY, "month", report_store.FACTS),
            "facts_status_closed",
        ),
        (
            lambda: report_store.lost_reasons_pipeline(JANUARY, report_store.FACTS),
            "facts_status_closed",
        ),
        (
            lambda: report_store.activity_fact_pipeline(JANUARY, "user"),
            "facts_status_activity_day",
        ),
        (
            lambda: report_store.stage_times_fact_pipeline(JANUARY, START),
            "facts_status_visit_exited",
        ),
        (
            lambda: report_store.forecast_pipeline(JANUARY, report_store.FACTS),
            "facts_status_closed",
        ),
    ],
    ids=["funnel", "win-rate", "lost-reasons", "activity", "stage-times", "forecast"],
)
def test_a_report_with_a_period_reads_its_facts_through_an_index(
    pipeline: Callable[[], list[dict[str, Any]]], index: str
) -> None:
    _facts_with_a_past()
    # The status range is what the report's lookup adds (the facts' side is keyed by it).
    query = {"status": EVERY_STATUS, **pipeline()[0]["$match"]}
    used = _plan_indexes(lead_facts().find(query).explain()["queryPlanner"]["winningPlan"])
    assert "COLLSCAN" not in used, used
    assert index in used, used
    # a branch on status alone (open leads) may take the status index
    assert set(used) <= {index, "facts_status_closed"}, used


@pytest.mark.parametrize(
    ("lead_filter", "index"),
    [
        ({"assigned_to": "usr-3"}, "facts_status_assignee"),
        ({"source": "source-2"}, "facts_status_source"),
        ({"tag": "tag-4"}, "facts_status_tag"),
    ],
)
@pytest.mark.parametrize(
    "pipeline",
    [
        lambda f: report_store.funnel_fact_pipeline(f),
        lambda f: report_store.stage_times_fact_pipeline(f, START),
        lambda f: report_store.activity_fact_pipeline(f, "user"),
    ],
    ids=["funnel", "stage-times", "activity"],
)
def test_a_report_of_one_seller_source_or_tag_reads_only_their_facts(
    pipeline: Callable[[ReportFilter], list[dict[str, Any]]],
    lead_filter: dict[str, str],
    index: str,
) -> None:
    _facts_with_a_past()
    # half a year: every fact has a visit in it
    report_filter = ReportFilter(start=START - timedelta(days=200), end=START, **lead_filter)
    assert not report_store.rollups_answer(report_filter)
    query = {"status": EVERY_STATUS, **pipeline(report_filter)[0]["$match"]}

    explained = lead_facts().find(query).explain()

    assert index in _plan_indexes(explained["queryPlanner"]["winningPlan"])
    assert explained["executionStats"]["totalDocsExamined"] <= 400 // 5 + 1


def _lookups(explained: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        stage["$lookup"]["as"]: stage
        for stage in explained["stages"]
        if "$lookup" in stage and stage["$lookup"]["as"] in ("lead_rows", "summary_rows")
    }


def _explain(
    report_filter: ReportFilter, summaries: report_store.Summaries | None = None
) -> dict[str, dict[str, Any]]:
    pipeline = report_store.report_pipeline(
        report_store.funnel_pipeline(report_filter),
        summaries or report_store.funnel_fact_pipeline(report_filter),
    )
    explained = connection.database().command(
        {"explain": {"aggregate": "leads", "pipeline": pipeline, "cursor": {}}},
        verbosity="executionStats",
    )
    return _lookups(explained)


@pytest.mark.parametrize("report_filter", [ReportFilter(), reports_world.JUNE_FILTER])
def test_a_report_reads_no_lead_when_it_reads_the_summaries_and_no_fact_when_not(
    report_filter: ReportFilter,
) -> None:
    reports_world.build()
    report_summaries.build()

    without_reader = _explain(report_filter)
    report_summaries.hold_reader_lease()
    with_reader = _explain(report_filter)

    assert without_reader["summary_rows"]["totalDocsExamined"] == 0
    assert without_reader["summary_rows"]["collectionScans"] == 0
    assert without_reader["lead_rows"]["totalDocsExamined"] > 0
    assert with_reader["lead_rows"]["totalDocsExamined"] == 0
    assert with_reader["lead_rows"]["collectionScans"] == 0
    assert with_reader["summary_rows"]["totalDocsExamined"] > 0


def test_a_report_over_every_lead_reads_only_its_period_s_rollups_through_their_index() -> None:
    reports_world.build()
    report_summaries.build()
    report_summaries.hold_reader_lease()
    june = reports_world.JUNE_FILTER
    assert report_store.rollups_answer(june)
    in_june = [
        row
        for row in all_rollups().values()
        if row["k"] == "funnel" and june.start <= row["day"] < june.end
    ]

    summary = _explain(june, report_store.funnel_rollups(june))["summary_rows"]

    assert summary["collectionScans"] == 0
    assert 0 < summary["totalDocsExamined"] <= len(in_june) < len(all_rollups())
    report_summaries.release_reader_lease()
    without_reader_lease = _explain(june, report_store.funnel_rollups(june))
    assert without_reader_lease["summary_rows"]["totalDocsExamined"] == 0


@pytest.mark.parametrize(
    ("report_filter", "by_assignee_and_source", "answers"),
    [
        (ReportFilter(), False, True),
        (JANUARY, False, True),
        (replace(JANUARY, tag="hot"), True, False),
        (replace(JANUARY, assigned_to="usr-a"), False, False),
        (replace(JANUARY, assigned_to="usr-a", source="fair"), True, True),
        (replace(JANUARY, source="fair"), False, False),
        (ReportFilter(start=START + timedelta(hours=6)), False, False),
        (ReportFilter(end=START + timedelta(days=1, minutes=1)), False, False),
    ],
)
def test_the_rollups_answer_whole_days_without_a_lead_filter_and_win_rate_by_its_keys(
    report_filter: ReportFilter, by_assignee_and_source: bool, answers: bool
) -> None:
    assert (
        report_store.rollups_answer(report_filter, by_assignee_and_source=by_assignee_and_source)
        is answers
    )
