"""`manage.py import_leads FILE`: the same upload checks and job code, in-process."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from leads.domain.enums import UserRole
from leads.store import connection
from tests.builders import field, make_lead, make_pipeline, make_user
from tests.imports_helpers import csv_bytes


@pytest.fixture(autouse=True)
def _pipeline() -> None:
    make_pipeline(field("budget", "currency", min=0))


def test_import_leads_prints_the_counts_and_writes_the_failed_rows(tmp_path: Path) -> None:
    member = make_user(UserRole.MEMBER, username="importer")
    make_lead(member, name="Known", email="known@example.com")
    source = tmp_path / "people.csv"
    source.write_bytes(
        csv_bytes(
            [
                ["Who", "Mail", "Budget"],
                ["Ada", "ada@example.com", "10"],
                ["Known again", "KNOWN@example.com", "20"],
                ["Bad", "bad@example.com", "lots"],
            ]
        )
    )
    out = io.StringIO()
    call_command(
        "import_leads",
        str(source),
        "--mapping",
        json.dumps({"Who": "name", "Mail": "email", "Budget": "data.budget"}),
        "--match-on",
        "email",
        "--on-match",
        "update",
        "--as",
        "importer",
        stdout=out,
    )

    text = out.getvalue()
    assert "done: 3 of 3 rows, 1 created, 1 updated, 0 skipped, 1 failed" in text
    errors = tmp_path / "people-errors.csv"
    assert f"failed rows, with why, in {errors}" in text
    lines = errors.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "Who,Mail,Budget,error"
    assert lines[1].startswith("Bad,bad@example.com,lots,row 4: Budget: must be a number")
    names = sorted(connection.leads().distinct("name", {"type": "lead"}))
    assert names == ["Ada", "Known again"]


def test_import_leads_refuses_a_bad_file_with_the_reason(tmp_path: Path) -> None:
    make_user(UserRole.ADMIN)
    source = tmp_path / "formula.csv"
    source.write_bytes(b"Name\n=1+1\n")

    with pytest.raises(CommandError, match="formula"):
        call_command("import_leads", str(source))
