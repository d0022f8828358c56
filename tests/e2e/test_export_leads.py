"""Export the filtered lead list as CSV from the Export menu: the file holds exactly the leads the
filter shows, in the list's order, under the header README's "Export format" documents."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import expect

from leads.domain.enums import UserRole
from tests.builders import make_lead, make_pipeline, make_user

from .helpers import Screenshot, SignedInPage, listed_ids

# README "Export format": the core columns, then one `<Label> [<key>]` per custom field in the
# fields' order (make_pipeline's budget and industry).
HEADER = [
    "uid",
    "name",
    "email",
    "phone",
    "company",
    "source",
    "status",
    "stage",
    "assigned_to",
    "tags",
    "created_at",
    "updated_at",
    "lost_reason",
    "lost_note",
    "Budget [budget]",
    "Industry [industry]",
]


def test_the_csv_export_holds_exactly_the_leads_the_tag_filter_shows(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    make_pipeline()
    user = make_user(UserRole.MEMBER)
    first_hot = make_lead(user, name="Ada Hot", tags=["hot"], data={"budget": 1200})
    make_lead(user, name="Bob Cold", tags=["cold"])
    second_hot = make_lead(user, name="Cy Hot", tags=["hot", "vip"], company="=HYPERLINK(1)")
    make_lead(user, name="Di Untagged")
    page = signed_in_page(user=user, path="/leads")
    rows = page.locator("[data-testid=lead-list] tbody tr")
    expect(rows).to_have_count(4)

    page.get_by_test_id("filter-tag").fill("hot")
    expect(page).to_have_url(re.compile(r"[?&]tag=hot\b"))
    expect(rows).to_have_count(2)
    shown = listed_ids(page, "lead-row-")
    assert set(shown) == {first_hot.uid, second_hot.uid}

    page.get_by_test_id("export").click()
    expect(page.get_by_test_id("export-csv")).to_be_visible()
    screenshot(page, "export-menu")
    with page.expect_download() as download_info:
        page.get_by_test_id("export-csv").click()
    download = download_info.value
    assert download.failure() is None, download.failure()
    assert re.fullmatch(r"leads-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)

    raw = download.path().read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), raw[:20]  # the BOM Excel needs for accents
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    header, *records = list(csv.reader(io.StringIO(text, newline="")))
    assert header == HEADER
    exported = [dict(zip(header, record, strict=True)) for record in records]

    # Exactly the filtered leads, in the order the list shows them.
    assert [lead["uid"] for lead in exported] == shown
    by_uid = {lead["uid"]: lead for lead in exported}
    assert (by_uid[first_hot.uid]["name"], by_uid[first_hot.uid]["tags"]) == ("Ada Hot", "hot")
    assert by_uid[first_hot.uid]["Budget [budget]"] == "1200"
    assert by_uid[first_hot.uid]["assigned_to"] == user.username
    assert by_uid[first_hot.uid]["stage"] == "New"
    assert by_uid[second_hot.uid]["tags"] == "hot; vip"
    assert by_uid[second_hot.uid]["company"] == "'=HYPERLINK(1)"
