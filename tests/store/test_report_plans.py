"""The reports' lead filters with a period are served by the indexes their `# index:` comments
name (explained on a few hundred leads with a past)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from leads.domain.queries import LeadFilter
from leads.domain.reports import ReportFilter
from leads.store import connection
from leads.store import leads as lead_store
from leads.store import reports as report_store

START = datetime(2026, 1, 1, tzinfo=UTC)
JANUARY = ReportFilter(start=START, end=START + timedelta(days=31))


@pytest.fixture(autouse=True)
def leads_with_a_past() -> None:
    documents = []
    for n in range(400):
        entered = START - timedelta(days=200) + timedelta(hours=12 * n)
        closed = entered + timedelta(days=3)
        documents.append(
            {
                "type": "lead",
                "uid": f"LEAD-202601-{n:05d}",
                "status": ["open", "won", "lost"][n % 3],
                "closed_at": None if n % 3 == 0 else closed,
                "last_activity_at": closed,
                "history": [
                    {"kind": "stage_visit", "stage": "stage-new", "entered_at": entered,
                     "exited_at": closed},
                    {"kind": "stage_visit", "stage": "stage-won", "entered_at": closed},
                ],
            }
        )  # fmt: skip
    connection.leads().insert_many(documents)


def _indexes(query: dict[str, Any]) -> list[str]:
    explained = connection.leads().find(query).explain()
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

    visit(explained["queryPlanner"]["winningPlan"])
    return names


@pytest.mark.parametrize(
    ("pipeline", "index"),
    [
        (lambda: report_store.funnel_pipeline(JANUARY), {"type_visit_entered"}),
        (lambda: report_store.win_rate_pipeline(JANUARY, "month"), {"type_status_closed"}),
        (lambda: report_store.lost_reasons_pipeline(JANUARY), {"type_status_closed"}),
        (lambda: report_store.activity_pipeline(JANUARY, "user"), {"type_last_activity"}),
        (
            lambda: report_store.stage_times_pipeline(JANUARY, START),
            {"type_status", "type_visit_exited"},
        ),
        (lambda: report_store.forecast_pipeline(JANUARY), {"type_status", "type_status_closed"}),
    ],
    ids=["funnel", "win-rate", "lost-reasons", "activity", "stage-times", "forecast"],
)
def test_a_report_with_a_period_reads_its_leads_through_an_index(
    pipeline: Callable[[], list[dict[str, Any]]], index: set[str]
) -> None:
    used = _indexes(pipeline()[0]["$match"])
    assert "COLLSCAN" not in used, used
    # A branch on status alone may take either status index.
    status_indexes = {"type_status", "type_status_closed"}
    allowed = index | status_indexes if index & status_indexes else index
    assert set(used) <= allowed, used
    assert set(used) & index, used
    if "type_visit_exited" in index:
        assert "type_visit_exited" in used, used


def test_the_leads_of_a_funnel_step_are_found_through_the_visit_index() -> None:
    query = lead_store._filter_query(
        LeadFilter(
            entered_stage="stage-new",
            entered_after=JANUARY.start,
            entered_before=JANUARY.end,
        )
    )
    assert _indexes(query) == ["type_visit_stage_entered"]
