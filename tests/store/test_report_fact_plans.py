"""The reports over the lead facts are served by the indexes their `# index:` comments name,
and a report's aggregation reads only the side it chose (explained)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from leads.domain.reports import ReportFilter
from leads.store import connection
from leads.store import reports as report_store
from leads.store.facts import lead_facts
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


def _lookups(explained: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        stage["$lookup"]["as"]: stage
        for stage in explained["stages"]
        if "$lookup" in stage and stage["$lookup"]["as"] in ("lead_rows", "fact_rows")
    }


def _explain(report_filter: ReportFilter) -> dict[str, dict[str, Any]]:
    pipeline = report_store.report_pipeline(
        report_store.funnel_pipeline(report_filter),
        report_store.funnel_fact_pipeline(report_filter),
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

    assert without_reader["fact_rows"]["totalDocsExamined"] == 0
    assert without_reader["fact_rows"]["collectionScans"] == 0
    assert without_reader["lead_rows"]["totalDocsExamined"] > 0
    assert with_reader["lead_rows"]["totalDocsExamined"] == 0
    assert with_reader["lead_rows"]["collectionScans"] == 0
    assert with_reader["fact_rows"]["totalDocsExamined"] > 0
