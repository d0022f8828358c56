"""Import a 1,000-row CSV with 3 bad rows through the wizard, follow the progress bar across a
reload, download the failed rows, fix them and import them."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from leads.domain.enums import UserRole
from leads.store import connection
from tests.builders import make_pipeline, make_user

from .helpers import JobWorker, Screenshot, SignedInPage

ROWS = 1000
# Row numbers as a spreadsheet shows them (the header is row 1) and what is wrong there.
BAD_ROWS = {
    101: {"Budget": "-5"},  # under the field's minimum of 0
    502: {"Budget": "lots"},  # not a number
    903: {"Name": ""},  # a lead needs a name
}
HEADER = ["Name", "Email", "Company", "Budget"]


def _leads_csv(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        for row in range(2, ROWS + 2):
            values = {
                "Name": f"Lead {row}",
                "Email": f"lead{row}@example.com",
                "Company": f"Company {row % 37}",
                "Budget": str(1000 + row),
            }
            values.update(BAD_ROWS.get(row, {}))
            writer.writerow(values)
    return path


def _fixed(errors_csv: str, path: Path) -> Path:
    """The downloaded failed rows, fixed as a person would: a name, a budget in numbers."""
    rows = list(csv.DictReader(io.StringIO(errors_csv.lstrip("\ufeff"))))
    for row in rows:
        row["Name"] = row["Name"] or "Lead without a name"
        row["Budget"] = "2500"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _preview(page: Page) -> None:
    page.get_by_test_id("import-preview-button").click()
    expect(page.get_by_test_id("import-preview")).to_be_visible()


def _stored_leads() -> int:
    return connection.leads().count_documents({"type": "lead"})


def test_a_csv_is_imported_its_failed_rows_downloaded_fixed_and_imported_again(
    signed_in_page: SignedInPage, screenshot: Screenshot, job_worker: JobWorker, tmp_path: Path
) -> None:
    make_pipeline()  # budget: a currency of at least 0
    page = signed_in_page(user=make_user(UserRole.MEMBER))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import").click()
    expect(page.get_by_role("heading", name="Import leads")).to_be_visible()
    screenshot(page, "1-upload")

    page.get_by_test_id("import-file").set_input_files(_leads_csv(tmp_path / "leads.csv"))
    expect(page).to_have_url(re.compile(r"/imports/[^/]+$"))
    table = page.get_by_test_id("mapping-table")
    expect(table).to_contain_text("lead2@example.com")
    for column, target in zip(HEADER, ["name", "email", "company", "data.budget"], strict=True):
        expect(page.get_by_label(f"Import column {column} as")).to_have_value(target)

    _preview(page)
    expect(page.get_by_test_id("preview-count-create")).to_have_text("997")
    expect(page.get_by_test_id("preview-count-error")).to_have_text("3")
    errors = page.get_by_test_id("preview-errors")
    for row in BAD_ROWS:
        expect(errors.get_by_role("cell", name=str(row), exact=True)).to_be_visible()
    screenshot(page, "2-mapping-and-preview")

    # No worker runs yet: the import waits in the queue, and a reload still shows its bar.
    page.get_by_test_id("import-run").click()
    bar = page.get_by_role("progressbar")
    expect(bar).to_be_visible()
    import_url = page.url
    page.reload()
    expect(page).to_have_url(import_url)
    expect(bar).to_be_visible()
    expect(bar).to_have_attribute("aria-valuenow", "0")
    expect(bar).to_have_attribute("aria-valuemax", str(ROWS))
    screenshot(page, "3-progress-after-reload")

    job_worker()
    summary = page.get_by_test_id("import-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_test_id("run-count-created")).to_have_text("997")
    expect(summary.get_by_test_id("run-count-failed")).to_have_text("3")
    assert _stored_leads() == ROWS - len(BAD_ROWS)
    screenshot(page, "4-summary")

    with page.expect_download() as download:
        summary.get_by_test_id("import-errors-csv").click()
    failed = Path(download.value.path()).read_text(encoding="utf-8")
    failed_rows = list(csv.DictReader(io.StringIO(failed.lstrip("\ufeff"))))
    assert [row["Email"] for row in failed_rows] == [f"lead{row}@example.com" for row in BAD_ROWS]
    assert all(row["error"] for row in failed_rows)

    summary.get_by_role("button", name="Import another file").click()
    page.get_by_test_id("import-file").set_input_files(_fixed(failed, tmp_path / "fixed.csv"))
    expect(page.get_by_label("Import column error as")).to_have_value("")
    _preview(page)
    expect(page.get_by_test_id("preview-count-create")).to_have_text("3")
    expect(page.get_by_test_id("preview-count-error")).to_have_text("0")
    page.get_by_test_id("import-run").click()
    expect(summary).to_be_visible()
    expect(summary.get_by_test_id("run-count-created")).to_have_text("3")
    expect(summary.get_by_test_id("import-errors-csv")).to_have_count(0)
    assert _stored_leads() == ROWS

    summary.get_by_test_id("import-leads-link").click()
    expect(page).to_have_url(re.compile(r"/leads$"))
    expect(page.get_by_text("Lead without a name")).to_be_visible()


def test_a_viewer_has_no_import_page(signed_in_page: SignedInPage) -> None:
    make_pipeline()
    page = signed_in_page(UserRole.VIEWER)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Leads")).to_be_visible()
    expect(nav.get_by_role("link", name="Import")).to_have_count(0)
    page.goto("/imports")
    expect(page).to_have_url(re.compile(r"/$"))


def test_a_file_that_is_not_a_spreadsheet_is_refused_with_the_reason(
    signed_in_page: SignedInPage, tmp_path: Path
) -> None:
    make_pipeline()
    page = signed_in_page(user=make_user(UserRole.MEMBER), path="/imports")
    picture = tmp_path / "leads.csv"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)

    page.get_by_test_id("import-file").set_input_files(picture)

    expect(page.get_by_test_id("import-upload-error")).to_have_text(
        re.compile(r"^The file is not a CSV or XLSX file")
    )
    expect(page).to_have_url(re.compile(r"/imports$"))
    assert connection.jobs().count_documents({}) == 0
