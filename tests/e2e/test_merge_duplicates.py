"""Two leads with one email: the lead's page offers the other as a duplicate, and merging it in
keeps this lead with the value picked from the other, logs the merge, and deletes the other."""

from __future__ import annotations

from urllib.parse import urlparse

from playwright.sync_api import Response, expect

from leads.domain.enums import UserRole
from leads.store import leads as lead_store
from tests.builders import make_lead, make_pipeline, make_user

from .helpers import SCREENSHOTS, Screenshot, SignedInPage, stored_lead


def _is_merge(response: Response) -> bool:
    return response.request.method == "POST" and urlparse(response.url).path.endswith("/merge/")


def test_merging_a_duplicate_keeps_this_lead_with_the_picked_value_and_deletes_the_other(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    make_pipeline()
    user = make_user(UserRole.MEMBER)
    kept = make_lead(user, name="Grace Hopper", company="Navy Labs", email="grace@example.com")
    other = make_lead(user, name="G. Hopper", company="Eckert-Mauchly", email="GRACE@example.com")
    page = signed_in_page(user=user, path=f"/leads/{kept.uid}")

    panel = page.get_by_test_id("duplicates-panel")
    match = panel.get_by_test_id(f"duplicate-{other.uid}")
    expect(match).to_contain_text(other.name)
    expect(match).to_contain_text("same email")
    match.get_by_test_id(f"merge-{other.uid}").click()

    dialog = page.get_by_role("dialog")
    table = dialog.get_by_test_id("merge-table")
    expect(table).to_contain_text("Eckert-Mauchly")
    # This lead's company is picked until the user picks the other's.
    expect(dialog.get_by_test_id("choose-this-company")).to_be_checked()
    dialog.get_by_test_id("choose-other-company").check()
    expect(dialog.get_by_test_id("choose-this-company")).not_to_be_checked()
    screenshot(page, "merge-dialog")
    # The full-page shot stretches the page past the fixed backdrop: this one is what a user sees.
    page.screenshot(path=SCREENSHOTS / "merge-dialog-1280x800.png")

    with page.expect_response(_is_merge) as merged:
        dialog.get_by_test_id("merge-confirm").click()
    assert merged.value.status == 200, merged.value.text()

    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("lead-name")).to_have_text("Grace Hopper")
    expect(page.get_by_test_id("lead-company")).to_have_text("Eckert-Mauchly")
    expect(page.get_by_test_id("timeline")).to_contain_text(f"Merged {other.uid} ({other.name})")
    expect(page.get_by_test_id("duplicates-panel")).to_have_count(0)
    screenshot(page, "after-merge")

    stored = stored_lead(kept.uid)
    assert (stored.name, stored.company) == ("Grace Hopper", "Eckert-Mauchly")
    assert lead_store.get_lead(other.uid) is None
    gone = page.request.get(f"/api/leads/{other.uid}/")
    assert gone.status == 404, gone.text()
    page.goto(f"/leads/{other.uid}")
    expect(page.get_by_role("heading", name="Lead not found")).to_be_visible()
