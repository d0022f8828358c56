"""Builders for import tests: files in memory, uploads through the API, runs in-process."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from leads.services.jobs import job_run_now


def csv_bytes(
    rows: list[list[Any]], *, encoding: str = "utf-8", delimiter: str = ",", bom: bool = False
) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Leads")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client: APIClient, data: bytes, name: str = "leads.csv") -> Any:
    return client.post(
        "/api/imports/", {"file": SimpleUploadedFile(name, data)}, format="multipart"
    )


def run_in_process(uid: str) -> None:
    assert job_run_now(uid=uid) is not None, "the import was not queued"


def imported(
    client: APIClient, rows: list[list[Any]], options: dict[str, Any] | None = None, **kwargs: Any
) -> dict[str, Any]:
    """Upload `rows` as a CSV, run it with `options` (default: the suggested mapping), and
    return the import's final status."""
    uploaded = upload(client, csv_bytes(rows, **kwargs))
    assert uploaded.status_code == 201, uploaded.content
    body = uploaded.json()
    options = {"mapping": body["suggested_mapping"], **(options or {})}
    started = client.post(f"/api/imports/{body['uid']}/run/", options, format="json")
    assert started.status_code == 202, started.content
    run_in_process(body["uid"])
    status: dict[str, Any] = client.get(f"/api/imports/{body['uid']}/").json()
    return status
