"""The report endpoints: roles, filters, errors, CSV, round trips; and the lead list filter a
click on a funnel step opens."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from leads.domain.enums import UserRole
from leads.store.connection import count_round_trips
from tests import reports_world
from tests.builders import assert_error, client_for, make_user
from tests.reports_world import World

AUTH_ROUND_TRIPS = 1
JUNE = {"from": "2026-06-01", "to": "2026-06-30"}
REPORTS = [
    "funnel",
    "stage-times",
    "win-rate",
    "win-rate?group_by=assignee",
    "win-rate?group_by=source",
    "forecast",
    "lost-reasons",
    "activity",
    "activity?group_by=type",
]


@pytest.fixture
def world() -> World:
    return reports_world.build()


def _url(report: str) -> str:
    path, _, query = report.partition("?")
    return f"/api/reports/{path}/" + (f"?{query}" if query else "")


def _get(client: Any, report: str, **params: str) -> Any:
    path, _, query = report.partition("?")
    extra = dict(part.split("=") for part in query.split("&")) if query else {}
    return client.get(f"/api/reports/{path}/", {**extra, **params})


@pytest.mark.parametrize("role", [UserRole.VIEWER, UserRole.MEMBER, UserRole.ADMIN])
def test_every_role_may_read_every_report(world: World, role: UserRole) -> None:
    client = client_for(make_user(role))
    for report in REPORTS:
        response = _get(client, report, **JUNE)
        assert response.status_code == 200, (report, response.content)
        assert response.json()["rows"], report


def test_reports_need_a_sign_in() -> None:
    for report in REPORTS:
        assert_error(client_for(None).get(_url(report)), 401, "not_authenticated")


@pytest.mark.parametrize("report", REPORTS)
def test_the_csv_download_holds_the_same_rows_as_the_json(world: World, report: str) -> None:
    client = client_for(world.alice)
    rows = _get(client, report, **JUNE).json()["rows"]
    response = _get(client, report, format="csv", **JUNE)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0] == list(rows[0])
    assert table[1:] == [[_as_csv(value) for value in row.values()] for row in rows]


def _as_csv(value: Any) -> str:
    """How the export writes a JSON value: 12000.0 as 12000, like the lead export."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def test_a_stage_named_like_a_formula_is_escaped_in_the_csv(world: World) -> None:
    admin = client_for(make_user(UserRole.ADMIN))
    stage_uid = _get(client_for(world.alice), "funnel", **JUNE).json()["rows"][0]["stage"]
    renamed = admin.patch(f"/api/stages/{stage_uid}/", {"name": "=HYPERLINK(1)"}, format="json")
    assert renamed.status_code == 200, renamed.json()

    response = _get(client_for(world.alice), "funnel", format="csv", **JUNE)

    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "'=HYPERLINK(1)" in table[1], table[1]


@pytest.mark.parametrize("report", REPORTS)
def test_a_report_is_one_round_trip_after_the_sign_in(world: World, report: str) -> None:
    client = client_for(world.bob)
    with count_round_trips() as trips:
        response = _get(client, report, **JUNE, assigned_to="me", source="web")
    assert response.status_code == 200
    assert trips.count - AUTH_ROUND_TRIPS == 1


def test_me_is_the_reader_and_filters_narrow_the_funnel(world: World) -> None:
    client = client_for(world.alice)
    mine = _get(client, "funnel", assigned_to="me", **JUNE).json()["rows"]
    web = _get(client, "funnel", source="web", **JUNE).json()["rows"]

    assert [row["entered"] for row in mine] == [2, 3, 1, 1]
    # web: L1 and L2 (L6 arrived in July).
    assert [row["entered"] for row in web] == [2, 1, 2, 1]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "June"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"from": "2026-06-10", "to": "2026-06-01"}, "to"),
        ({"format": "xml"}, "format"),
        ({"period": "june"}, "period"),
        ({"source": ""}, "source"),
        ({"assigned_to": "x" * 300}, "assigned_to"),
    ],
)
def test_an_invalid_filter_is_a_400_naming_it(params: dict[str, str], field: str) -> None:
    client = client_for(make_user(UserRole.VIEWER))
    for report in ("funnel", "forecast", "activity"):
        assert_error(client.get(_url(report), params), 400, "invalid", field)


def test_an_unknown_grouping_is_a_400_naming_group_by() -> None:
    client = client_for(make_user(UserRole.VIEWER))
    assert_error(client.get(_url("win-rate"), {"group_by": "week"}), 400, "invalid", "group_by")
    assert_error(client.get(_url("activity"), {"group_by": "stage"}), 400, "invalid", "group_by")
    assert_error(client.get(_url("funnel"), {"group_by": "month"}), 400, "invalid", "group_by")


def test_reports_of_an_empty_database_are_empty() -> None:
    client = client_for(make_user(UserRole.VIEWER))
    for report in REPORTS:
        response = _get(client, report)
        assert response.status_code == 200, report
        assert response.json()["rows"] == [], report


def test_the_lead_list_shows_the_leads_of_a_funnel_step(world: World) -> None:
    client = client_for(world.bob)
    new = world.stages["new"].uid
    listed = client.get(
        "/api/leads/",
        {"entered_stage": new, "entered_from": "2026-06-01", "entered_to": "2026-06-30"},
    ).json()["results"]
    fair = client.get(
        "/api/leads/",
        {"entered_stage": new, "entered_from": "2026-06-01", "source": "fair"},
    ).json()["results"]

    leads = world.leads
    assert {lead["uid"] for lead in listed} == {leads[k] for k in ("L1", "L2", "L3", "L4", "L7")}
    # No end: any day from June on (L6 of 1 July is a web lead).
    assert {lead["uid"] for lead in fair} == {leads[k] for k in ("L3", "L4", "L7")}


def test_the_forecast_date_field_must_name_a_date_field(world: World) -> None:
    client = client_for(world.admin)
    assert_error(
        client.patch("/api/config/", {"forecast_date_field": "budget"}, format="json"),
        400,
        "invalid",
        "forecast_date_field",
    )
    assert_error(
        client.patch("/api/config/", {"forecast_date_field": "nope"}, format="json"),
        400,
        "invalid",
        "forecast_date_field",
    )
    cleared = client.patch("/api/config/", {"forecast_date_field": None}, format="json")
    assert cleared.status_code == 200
    assert cleared.json()["forecast_date_field"] is None
    assert _get(client, "forecast", **JUNE).json()["date_field"] is None
    chosen = client.patch("/api/config/", {"forecast_date_field": "close_date"}, format="json")
    assert chosen.json()["forecast_date_field"] == "close_date"
