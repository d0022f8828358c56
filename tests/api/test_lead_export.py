"""GET /api/leads/export/: every lead the list's filters match, as CSV or XLSX, read back equal."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from leads.domain.enums import FieldType, UserRole
from leads.domain.export import LIST_SEPARATOR, custom_key, unescape_formula
from leads.domain.fields import coerce_field_value
from leads.domain.inputs import ConfigUpdate
from leads.domain.models import User, WorkItem, WorkItemConfig
from leads.selectors.workflow import config_get, stage_list
from leads.services import workflow as workflow_services
from leads.store import leads as lead_store
from leads.store.connection import count_round_trips
from tests.builders import (
    assert_error,
    client_for,
    field,
    make_lead,
    make_pipeline,
    make_user,
)

AUTH_ROUND_TRIPS = 1
FORMULAS = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+2",
    "-2+3",
    "@SUM(A1)",
    "-cmd|' /C calc'!A0",
    "'=x",
]


@pytest.fixture
def sample() -> User:
    """The sample pipeline with 25 leads with a past, plus fields of every other kind, and a few
    leads that use them, are assigned, and hold text a spreadsheet would run."""
    call_command("init_lead_data", "--leads", "25", stdout=io.StringIO())
    config = config_get()
    extra = [
        field(
            "channels",
            "multi_select",
            options=[{"value": "web", "label": "Web"}, {"value": "phone", "label": "Phone"}],
        ),
        field("active", "boolean"),
        field("met_at", "datetime"),
        field("score", "decimal"),
    ]
    workflow_services.config_update(
        changes=ConfigUpdate(variables=[*config.variables, *extra]), expected_version=None
    )
    member = make_user(UserRole.MEMBER, username="dana")
    other = make_user(UserRole.MEMBER, username="eli")
    for index, formula in enumerate(FORMULAS):
        make_lead(
            member,
            name=f"Formula {index} {formula}".strip() if index else formula,
            company=formula,
            email=f"f{index}@example.com",
            phone="+44 20 7946 0018",
            tags=["hot", formula.strip() or "x"],
            assigned_to=[member.uid, other.uid],
            data={
                "budget": 1234.5 + index,
                "channels": ["web", "phone"],
                "active": index % 2 == 0,
                "met_at": "2026-03-04T05:06:07.089Z",
                "score": -2.25,
                "notes": formula,
            },
        )
    return member


@pytest.fixture
def member() -> User:
    make_pipeline()
    member = make_user()
    make_lead(member, name="Ada", email="ada@example.com", data={"budget": 10})
    return member


def _body(response: Any) -> bytes:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


def _csv_rows(response: Any) -> tuple[list[str], list[list[str]]]:
    text = _body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    return rows[0], rows[1:]


def _read_back(config: WorkItemConfig, header: list[str], row: list[Any]) -> dict[str, Any]:
    """A row as an import reads it: the formula escape undone, lists split, custom fields
    coerced by their definitions (what a create would store)."""
    values: dict[str, Any] = {}
    for name, cell in zip(header, row, strict=True):
        text = unescape_formula(cell) if isinstance(cell, str) else cell
        if text == "":
            text = None
        key = custom_key(name)
        if key is None:
            values[name] = text
            continue
        definition = config.field(key)
        assert definition is not None, name
        if definition.field_type is FieldType.MULTI_SELECT and text is not None:
            text = str(text).split(LIST_SEPARATOR)
        elif isinstance(text, int | float) and not isinstance(text, bool):
            text = (
                str(text)
                if definition.field_type not in ("integer", "decimal", "currency")
                else text
            )
        values[f"data.{key}"] = coerce_field_value(definition, text)
    return values


def _expected(lead: WorkItem, config: WorkItemConfig, users: dict[str, str]) -> dict[str, Any]:
    stage_names = {stage.uid: stage.name for stage in stage_list()}
    expected: dict[str, Any] = {
        "uid": lead.uid,
        "name": lead.name,
        "email": lead.email,
        "phone": lead.phone,
        "company": lead.company,
        "source": lead.source,
        "status": lead.status.value,
        "stage": stage_names[lead.current_stage],
        "assigned_to": LIST_SEPARATOR.join(users[uid] for uid in lead.assigned_to) or None,
        "tags": LIST_SEPARATOR.join(lead.tags) or None,
        "lost_reason": lead.lost_reason,
        "lost_note": lead.lost_note,
    }
    for definition in config.variables:
        expected[f"data.{definition.field_key}"] = lead.data.get(definition.field_key)
    return expected


def _assert_rows_are_the_leads(header: list[str], rows: list[list[Any]]) -> None:
    config = config_get()
    from leads.store import users as user_store

    users = {user.uid: user.username for user in user_store.list_users(active_only=False)}
    for row in rows:
        values = _read_back(config, header, row)
        record = lead_store.get_lead(values["uid"])
        assert record is not None
        lead = record.lead
        created, updated = values.pop("created_at"), values.pop("updated_at")
        assert datetime.fromisoformat(created) == lead.created_at
        assert datetime.fromisoformat(updated) == lead.updated_at
        assert values == _expected(lead, config, users)


def test_a_csv_export_reads_back_as_the_leads_it_was_made_of(sample: User) -> None:
    viewer = client_for(make_user(UserRole.VIEWER))

    header, rows = _csv_rows(viewer.get("/api/leads/export/?format=csv"))

    assert header[:14] == [
        *("uid", "name", "email", "phone", "company", "source", "status", "stage"),
        *("assigned_to", "tags", "created_at", "updated_at", "lost_reason", "lost_note"),
    ]
    assert "Budget [budget]" in header and "Channels [channels]" in header
    assert len(rows) == 25 + len(FORMULAS)
    _assert_rows_are_the_leads(header, rows)


def test_an_xlsx_export_reads_back_as_the_leads_it_was_made_of(sample: User) -> None:
    response = client_for(sample).get("/api/leads/export/?format=xlsx")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(_body(response)), read_only=True)
    sheet = workbook.active
    assert sheet is not None
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = [str(name) for name in table[0]]
    # A reader leaves out the empty cells that end a row; an import pads them back.
    rows = [
        ["" if cell is None else cell for cell in [*row, *[None] * (len(header) - len(row))]]
        for row in table[1:]
    ]
    assert len(rows) == 25 + len(FORMULAS)
    _assert_rows_are_the_leads(header, rows)
    # Nothing in the sheet is a formula: every text cell is stored as text.
    raw = load_workbook(io.BytesIO(_body(client_for(sample).get("/api/leads/export/?format=xlsx"))))
    assert all(cell.data_type != "f" for row in raw.active.iter_rows() for cell in row)  # type: ignore[union-attr]


def test_text_a_spreadsheet_would_run_as_a_formula_is_escaped(sample: User) -> None:
    header, rows = _csv_rows(client_for(sample).get("/api/leads/export/?tag=hot&sort=created_at"))

    companies = [row[header.index("company")] for row in rows]
    assert companies == [f"'{formula}" for formula in FORMULAS]
    notes = [row[header.index("Notes [notes]")] for row in rows]
    assert notes == [f"'{formula}" for formula in FORMULAS]
    phones = {row[header.index("phone")] for row in rows}
    assert phones == {"'+44 20 7946 0018"}
    # Numbers stay numbers: a negative amount is not text to escape.
    assert {row[header.index("Score [score]")] for row in rows} == {"-2.25"}


def test_the_export_takes_the_lists_filters_and_sort(sample: User) -> None:
    client = client_for(sample)
    for query in [
        "stage=stage-lost",
        "status=open&sort=name",
        "q=formula",
        "assigned_to=me",
        "data.industry=saas",
        "tag=hot&sort=-updated_at",
        "overdue=true",
        "stale=true",
    ]:
        listed = client.get(f"/api/leads/?{query}&limit=200").json()["results"]
        _header, rows = _csv_rows(client.get(f"/api/leads/export/?{query}"))
        assert [row[0] for row in rows] == [lead["uid"] for lead in listed], query


def test_the_file_is_named_with_the_date_and_sent_as_a_download(member: User) -> None:
    response = client_for(member).get("/api/leads/export/?format=xlsx")

    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="leads-')
    assert disposition.endswith('.xlsx"')
    datetime.strptime(disposition.split("leads-")[1][:10], "%Y-%m-%d")
    assert response["Cache-Control"] == "no-store"


def test_bad_parameters_are_400_naming_each(member: User) -> None:
    client = client_for(member)

    assert_error(client.get("/api/leads/export/?format=pdf"), 400, "invalid", "format")
    assert_error(client.get("/api/leads/export/?limit=5"), 400, "invalid", "limit")
    assert_error(client.get("/api/leads/export/?data.colour=red"), 400, "invalid", "data.colour")
    assert_error(
        client.get("/api/leads/export/?created_after=soon"), 400, "invalid", "created_after"
    )


def test_every_role_may_export_but_nobody_signed_out(member: User) -> None:
    for role in UserRole:
        assert client_for(make_user(role)).get("/api/leads/export/").status_code == 200
    assert client_for(None).get("/api/leads/export/").status_code == 401


def test_an_export_costs_a_round_trip_per_thousand_leads_and_three_more(member: User) -> None:
    client = client_for(member)
    with count_round_trips() as trips:
        response = client.get("/api/leads/export/")
        _body(response)

    # config and stages, users, then the find (its getMores come per 1,000 leads)
    assert trips.commands[AUTH_ROUND_TRIPS:] == ["find", "find", "find"]
