"""The report endpoints when the summaries are read: still one round trip after the sign-in,
and the CSV download still holds the JSON's rows."""

from __future__ import annotations

import csv
import io

import pytest

from leads.domain.reports import ReportFilter
from leads.store import reports as report_store
from leads.store.connection import count_round_trips
from tests import report_summaries, reports_world
from tests.api.test_reports import AUTH_ROUND_TRIPS, JUNE, REPORTS, _as_csv, _get
from tests.builders import client_for
from tests.reports_world import World


@pytest.fixture
def world() -> World:
    built = reports_world.build()
    report_summaries.build()
    report_summaries.hold_reader_lease()
    assert report_store.win_rate(ReportFilter(), "month")[0].from_summaries
    return built


@pytest.mark.parametrize("report", REPORTS)
def test_a_report_from_the_summaries_is_one_round_trip_and_its_csv_holds_its_rows(
    world: World, report: str
) -> None:
    client = client_for(world.alice)
    with count_round_trips() as trips:
        rows = _get(client, report, **JUNE).json()["rows"]
    response = _get(client, report, format="csv", **JUNE)

    assert trips.count - AUTH_ROUND_TRIPS == 1
    assert rows, report
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0] == list(rows[0])
    assert table[1:] == [[_as_csv(value) for value in row.values()] for row in rows]
    report_summaries.release_reader_lease()
    assert _get(client, report, **JUNE).json()["rows"] == rows, "the leads give the same rows"
