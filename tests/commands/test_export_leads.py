"""`manage.py export_leads`: the API's export, to a file or standard output, with a progress bar."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from leads.domain.models import User
from tests.builders import make_lead, make_pipeline, make_user


@pytest.fixture
def member() -> User:
    make_pipeline()
    member = make_user()
    make_lead(member, name="Ada", email="ada@example.com", tags=["hot"], data={"budget": 10})
    make_lead(member, name="=Bob", tags=["cold"], data={"budget": 20})
    return member


def test_it_writes_the_filtered_leads_to_a_file_with_a_progress_bar(
    member: User, tmp_path: Path
) -> None:
    target = tmp_path / "hot.csv"
    err = io.StringIO()

    call_command("export_leads", "--tag", "hot", "--output", str(target), stderr=err)

    rows = list(csv.reader(io.StringIO(target.read_text("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["Ada"]
    assert "1 leads written to" in err.getvalue()


def test_it_writes_xlsx_with_formulas_escaped(member: User, tmp_path: Path) -> None:
    target = tmp_path / "all.xlsx"

    call_command(
        "export_leads",
        "--format",
        "xlsx",
        "-o",
        str(target),
        "--sort",
        "name",
        "--no-progress",
        stderr=io.StringIO(),
    )

    sheet = load_workbook(target).active
    assert sheet is not None
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["'=Bob", "Ada"]


def test_bad_filters_stop_it_naming_the_option(member: User, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--status"):
        call_command("export_leads", "--status", "sleeping", "-o", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="data.colour"):
        call_command("export_leads", "--data", "colour=red", "-o", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="assigned_to"):
        call_command("export_leads", "--assigned-to", "me", "-o", str(tmp_path / "x.csv"))
