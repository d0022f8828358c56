"""POST /api/imports/ and its preview, run, status and errors.csv (DESIGN.md section 8)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from rest_framework.test import APIClient

from leads.domain.enums import UserRole
from leads.store import connection
from leads.store.connection import count_round_trips
from tests.builders import assert_error, client_for, field, make_lead, make_pipeline, make_user
from tests.imports_helpers import csv_bytes, imported, run_in_process, upload, xlsx_bytes

HEADER = ["Full name", "E-mail", "Phone", "Company", "Budget", "Industry", "Tags"]


@pytest.fixture
def member() -> Any:
    make_pipeline(
        field("budget", "currency", required=True, min=0),
        field(
            "industry",
            "select",
            options=[{"value": "saas", "label": "SaaS"}, {"value": "retail", "label": "Retail"}],
        ),
        field("employees", "integer", min=1),
    )
    return make_user(UserRole.MEMBER)


@pytest.fixture
def client(member: Any) -> APIClient:
    return client_for(member)


def _leads() -> list[dict[str, Any]]:
    return list(connection.leads().find({"type": "lead"}, {"_id": 0}).sort("uid", 1))


def _errors_csv(client: APIClient, uid: str) -> list[list[str]]:
    response = client.get(f"/api/imports/{uid}/errors.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(text)))


def test_upload_answers_columns_sample_rows_and_a_suggested_mapping(client: APIClient) -> None:
    response = upload(
        client, csv_bytes([HEADER, ["Ada", "ada@example.com", "", "", "10", "SaaS", ""]])
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["columns"] == HEADER
    assert body["sample_rows"] == [["Ada", "ada@example.com", "", "", "10", "SaaS", ""]]
    assert body["total"] == 1
    assert body["suggested_mapping"] == {
        "Full name": "name",
        "E-mail": "email",
        "Phone": "phone",
        "Company": "company",
        "Budget": "data.budget",
        "Industry": "data.industry",
        "Tags": "tags",
    }
    assert re.fullmatch(r"imp-[0-9a-f]{12}", body["uid"])
    status = client.get(f"/api/imports/{body['uid']}/").json()
    assert status["status"] == "uploaded"
    assert (status["total"], status["processed"]) == (1, 0)
    # What a tab that reloads the import (and never saw the upload's answer) maps from.
    assert status["sample_rows"] == body["sample_rows"]
    assert status["suggested_mapping"] == body["suggested_mapping"]


def test_suggestions_find_custom_fields_by_label_stage_and_assignees_in_any_spelling(
    client: APIClient,
) -> None:
    header = ["NAME", "budget", "Stage Name", "assigned_to", "Employees", "Whatever"]
    body = upload(client, csv_bytes([header, ["a", "1", "New", "", "3", "x"]])).json()

    assert body["suggested_mapping"] == {
        "NAME": "name",
        "budget": "data.budget",
        "Stage Name": "stage",
        "assigned_to": "assigned_to",
        "Employees": "data.employees",
        "Whatever": None,
    }


def test_a_run_creates_valid_rows_and_lists_each_bad_row_with_its_column(client: APIClient) -> None:
    rows = [
        HEADER,
        [
            "Ada Lovelace",
            "ADA@Example.com",
            "+44 20 7946 0000",
            "Engines",
            "1,200.50",
            "SaaS",
            "vip; early",
        ],
        ["Bad Email", "not-an-email", "", "", "5", "saas", ""],
        ["", "noname@example.com", "", "", "5", "saas", ""],
        ["Wrong option", "w@example.com", "", "", "5", "mining", ""],
        ["No budget", "nb@example.com", "", "", "", "saas", ""],
    ]
    status = imported(client, rows)

    assert status["status"] == "done"
    counts = ("total", "processed", "created", "updated", "skipped", "failed")
    assert {k: status[k] for k in counts} == {
        "total": 5, "processed": 5, "created": 1, "updated": 0, "skipped": 0, "failed": 4,
    }  # fmt: skip
    (lead,) = _leads()
    assert lead["email"] == "ADA@example.com" and lead["email_key"] == "ada@example.com"
    assert lead["data"] == {"budget": 1200.5, "industry": "saas"}
    assert lead["tags"] == ["vip", "early"]
    assert lead["current_stage"] == "stage-new"
    assert [task["title"] for task in lead["tasks"]] == ["Call the lead", "Research the company"]
    assert lead["history"][0]["kind"] == "stage_visit"
    assert "by the import of leads.csv" in lead["activities"][0]["body"]
    errors = _errors_csv(client, status["uid"])
    assert errors[0] == [*HEADER, "error"]
    assert [row[0] for row in errors[1:]] == ["Bad Email", "", "Wrong option", "No budget"]
    assert errors[1][-1].startswith("row 3: E-mail: must be an email address")
    assert errors[2][-1] == "row 4: Full name: is required"
    assert errors[3][-1] == "row 5: Industry: must be one of: saas, retail"
    assert errors[4][-1] == "row 6: Budget: is required"


def test_imported_leads_are_numbered_in_sequence_after_existing_ones(
    client: APIClient, member: Any
) -> None:
    first = make_lead(member, data={"budget": 1})
    rows = [HEADER, *[[f"P{n}", "", "", "", "1", "", ""] for n in range(3)]]
    imported(client, rows)
    last = client.post("/api/leads/", {"name": "After", "data": {"budget": 1}}, format="json")

    numbers = [int(lead["uid"][-5:]) for lead in _leads()]
    assert numbers == [int(first.uid[-5:]) + n for n in range(5)]
    assert int(last.json()["uid"][-5:]) == numbers[-1]


def test_preview_counts_what_a_run_would_do_and_writes_nothing(
    client: APIClient, member: Any
) -> None:
    make_lead(member, email="known@example.com", data={"budget": 1})
    rows = [
        HEADER,
        ["Known", "KNOWN@example.com", "", "", "9", "", ""],
        ["New", "new@example.com", "", "", "9", "", ""],
        ["Again", "new@example.com", "", "", "9", "", ""],
        ["Bad", "", "", "", "-1", "", ""],
    ]
    body = upload(client, csv_bytes(rows)).json()
    options = {"mapping": body["suggested_mapping"], "match_on": "email", "on_match": "update"}
    before = _leads()

    with count_round_trips() as trips:
        response = client.post(f"/api/imports/{body['uid']}/preview/", options, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "rows_checked": 4, "complete": True, "total": 4, "would_create": 1, "would_update": 2,
        "would_skip": 0, "would_fail": 1,
        "errors": [{"row": 5, "column": "Budget", "message": "must be at least 0"}],
    }  # fmt: skip
    assert _leads() == before
    # token, job, config+stages, users, the file (files + chunks), email lookup, leads to update
    assert trips.count <= 9, trips.commands


def test_matching_by_email_updates_with_history_and_an_unchanged_row_writes_nothing(
    client: APIClient, member: Any
) -> None:
    lead = make_lead(member, name="Ada", email="ada@example.com", data={"budget": 1})
    other = make_lead(member, name="Bob", email="bob@example.com", data={"budget": 7})
    rows = [
        HEADER,
        ["Ada L.", "Ada@EXAMPLE.com", "", "", "250", "", "vip"],
        ["Bob", "bob@example.com", "", "", "7", "", ""],
    ]
    status = imported(client, rows, {"match_on": "email", "on_match": "update"})

    assert (status["created"], status["updated"], status["skipped"]) == (0, 1, 1)
    stored = {doc["uid"]: doc for doc in _leads()}
    ada = stored[lead.uid]
    assert (ada["name"], ada["data"]["budget"], ada["tags"], ada["version"]) == (
        "Ada L.", 250.0, ["vip"], lead.version + 1,
    )  # fmt: skip
    changes = ada["history"][-1]["changes"]
    assert [change["field"] for change in changes] == ["name", "tags", "data.budget"]
    assert ada["activities"][-1]["type"] == "field_change"
    assert stored[other.uid]["version"] == other.version  # nothing to change: nothing written


@pytest.mark.parametrize(("on_match", "expected"), [("skip", (0, 0, 1)), ("create", (1, 0, 0))])
def test_matching_by_phone_digits_skips_or_creates(
    client: APIClient, member: Any, on_match: str, expected: tuple[int, int, int]
) -> None:
    make_lead(member, name="Ada", phone="(415) 555-0100", data={"budget": 1})
    rows = [HEADER, ["Ada", "", "415.555.0100", "", "3", "", ""]]
    status = imported(client, rows, {"match_on": "phone", "on_match": on_match})

    assert (status["created"], status["updated"], status["skipped"]) == expected


def test_a_row_repeating_an_earlier_row_updates_the_lead_that_row_created(
    client: APIClient,
) -> None:
    rows = [
        HEADER,
        ["Ada", "ada@example.com", "", "", "1", "", ""],
        ["Ada", "ADA@example.com", "", "", "2", "", ""],
    ]
    status = imported(client, rows, {"match_on": "email", "on_match": "update"})

    assert (status["created"], status["updated"]) == (1, 1)
    (lead,) = _leads()
    assert lead["data"]["budget"] == 2.0


def test_matching_by_uid_updates_that_lead_and_stage_and_assignees_resolve_by_name(
    client: APIClient, member: Any
) -> None:
    lead = make_lead(member, name="Ada", data={"budget": 1})
    seller = make_user(UserRole.MEMBER, username="seller")
    rows = [
        ["uid", "Name", "Budget", "Stage", "Owner"],
        [lead.uid, "Ada", "1", "", "SELLER"],
        ["", "New one", "4", "contacted", "seller"],
    ]
    status = imported(client, rows, {"match_on": "uid", "on_match": "update"})

    assert (status["created"], status["updated"], status["failed"]) == (1, 1, 0)
    stored = {doc["name"]: doc for doc in _leads()}
    assert stored["Ada"]["assigned_to"] == [seller.uid]
    assert stored["New one"]["current_stage"] == "stage-contacted"
    assert [t["title"] for t in stored["New one"]["tasks"]] == ["Send intro email"]


def test_options_that_do_not_fit_the_file_are_a_400_naming_them(client: APIClient) -> None:
    body = upload(client, csv_bytes([["Name"], ["a"]])).json()
    options = {
        "mapping": {"Name": "name", "Nope": "email"},
        "match_on": "email",
        "stage": "Nowhere",
    }
    response = client.post(f"/api/imports/{body['uid']}/preview/", options, format="json")

    assert_error(response, 400, "invalid", "mapping.Nope", "match_on", "stage")


def test_an_import_runs_once(client: APIClient) -> None:
    body = upload(client, csv_bytes([["Name", "Budget"], ["a", "1"]])).json()
    options = {"mapping": body["suggested_mapping"]}
    assert (
        client.post(f"/api/imports/{body['uid']}/run/", options, format="json").status_code == 202
    )

    again = client.post(f"/api/imports/{body['uid']}/run/", options, format="json")

    assert_error(again, 409, "import_started")


def test_viewers_may_not_import(member: Any) -> None:
    viewer = client_for(make_user(UserRole.VIEWER))
    assert_error(upload(viewer, csv_bytes([["Name"], ["a"]])), 403, "permission_denied")
    body = upload(client_for(member), csv_bytes([["Name"], ["a"]])).json()
    assert_error(viewer.get(f"/api/imports/{body['uid']}/"), 403, "permission_denied")


def test_an_unknown_import_is_a_404(client: APIClient) -> None:
    assert_error(client.get("/api/imports/imp-000000000000/"), 404, "import_not_found")


def _stored_files() -> int:
    return connection.database()["import_files.files"].count_documents({})


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (b"", "empty.csv", "is empty"),
        (b"\n\n  \n", "blank.csv", "is empty"),
        (b"%PDF-1.7\n\x00\x01\x02\xff\xfe binary", "doc.pdf", "not a CSV or XLSX"),
        (b"PK\x03\x04 not really a zip", "fake.xlsx", "not a CSV or XLSX"),
        (b",,,\n1,2,3\n4,5,6\n", "noheader.csv", "no header"),
        (b"Name,Email\n,\n", "headeronly.csv", "no rows"),
        (b",".join([b"c"] * 600) + b"\n", "wide.csv", "columns"),
        (b'Name,Site\nAda,=HYPERLINK("http://evil","x")\n', "formula.csv", "formula"),
        (b"Name,Note\nAda,\"-2+3+cmd|' /C calc'!A0\"\n", "dde.csv", "formula"),
        (b"Name\n\xff\xfe\x00\x00garbage\x00\n", "nul.csv", "file"),
    ],
)
def test_bad_files_are_a_400_and_store_nothing(
    client: APIClient, data: bytes, name: str, says: str
) -> None:
    response = upload(client, data, name)

    error = assert_error(response, 400, "invalid", "file")
    assert says in error["message"], error
    assert _stored_files() == 0
    assert connection.jobs().count_documents({}) == 0


def test_a_formula_in_an_xlsx_cell_is_refused(client: APIClient) -> None:
    data = xlsx_bytes([["Name", "Total"], ["Ada", "=SUM(A1:A3)"]])

    error = assert_error(upload(client, data, "leads.xlsx"), 400, "invalid", "file")
    assert "formula" in error["message"]


def test_a_file_over_50_mb_is_a_413(client: APIClient, settings: Any) -> None:
    response = client.generic(
        "POST",
        "/api/imports/",
        "x",
        content_type="multipart/form-data; boundary=b",
        CONTENT_LENGTH=str(51 * 1024 * 1024),
    )
    assert_error(response, 413, "file_too_large")


def test_a_request_without_a_file_is_a_400(client: APIClient) -> None:
    assert_error(client.post("/api/imports/", {}, format="multipart"), 400, "invalid", "file")


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter"),
    [
        ("utf-8", True, ","),
        ("utf-8", False, ";"),
        ("cp1252", False, ";"),
        ("latin-1", False, "\t"),
        ("utf-16", False, "\t"),
        ("utf-8", False, "|"),
    ],
)
def test_encodings_and_delimiters_are_detected(
    client: APIClient, encoding: str, bom: bool, delimiter: str
) -> None:
    rows = [
        ["Name", "Company", "Budget"],
        ["Zoë Müller", "Café Crème, Straße", "1200"],
        ["José Ñúñez", "Société Générale", "5"],
    ]
    data = csv_bytes(rows, encoding=encoding, delimiter=delimiter, bom=bom)
    body = upload(client, data).json()

    assert body["columns"] == rows[0]
    assert body["sample_rows"] == rows[1:]


def test_xlsx_rows_import_with_numbers_and_dates_as_their_text(client: APIClient) -> None:
    from datetime import datetime

    data = xlsx_bytes(
        [["Name", "Budget", "Employees", "Seen"], ["Ada", 1200.5, 12, datetime(2027, 1, 31)]]
    )
    body = upload(client, data, "leads.xlsx").json()

    assert body["sample_rows"] == [["Ada", "1200.5", "12", "2027-01-31"]]
    options = {"mapping": body["suggested_mapping"]}
    client.post(f"/api/imports/{body['uid']}/run/", options, format="json")
    run_in_process(body["uid"])
    (lead,) = _leads()
    assert lead["data"] == {"budget": 1200.5, "employees": 12}


def test_the_errors_file_fixed_imports_the_rows_that_failed(client: APIClient) -> None:
    rows = [
        HEADER,
        ["Ada", "ada@example.com", "", "", "1", "", ""],
        ["Bob", "bob@", "", "", "2", "", ""],
    ]
    first = imported(client, rows)
    errors = _errors_csv(client, first["uid"])
    errors[1][1] = "bob@example.com"  # fixed; the error column is left in place

    fixed = upload(client, csv_bytes(errors)).json()
    assert fixed["suggested_mapping"]["error"] is None
    options = {"mapping": fixed["suggested_mapping"]}
    client.post(f"/api/imports/{fixed['uid']}/run/", options, format="json")
    run_in_process(fixed["uid"])

    assert client.get(f"/api/imports/{fixed['uid']}/").json()["created"] == 1
    assert sorted(lead["email"] for lead in _leads()) == ["ada@example.com", "bob@example.com"]


def test_status_and_upload_cost_a_few_round_trips(client: APIClient) -> None:
    data = csv_bytes([HEADER, *[[f"P{n}", "", "", "", "1", "", ""] for n in range(50)]])
    upload(client, data)  # GridFS looks its indexes up on the first upload to an empty bucket
    with count_round_trips() as trips:
        body = upload(client, data).json()
    # token, config, GridFS's two checks of its bucket, the file's chunk and document, the job:
    # the same for any size up to GridFS's chunk batches
    assert trips.count == 7, trips.commands
    with count_round_trips() as trips:
        client.get(f"/api/imports/{body['uid']}/")
    assert trips.count == 2, trips.commands
