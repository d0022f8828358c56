"""Bulk actions from the lead list: pick a range of rows with a shift-click, assign them to a
seller in one go, and read what became of each; "select all matching" picks beyond the page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from leads.domain.enums import UserRole
from tests.builders import make_lead, make_pipeline, make_user

from .helpers import Screenshot, SignedInPage, listed_ids, stored_lead


def test_bulk_assign_20_leads_picked_with_a_shift_click_range(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    make_pipeline()
    user = make_user(UserRole.MEMBER)
    seller = make_user(UserRole.MEMBER, username="grace")
    for number in range(22):
        make_lead(user, name=f"Lead {number:02d}", company="Acme")
    page = signed_in_page(user=user, path="/leads")
    rows = page.locator("[data-testid=lead-list] tbody tr")
    expect(rows).to_have_count(22)
    shown = listed_ids(page, "lead-row-")
    picked = shown[1:21]

    page.get_by_test_id(f"select-{picked[0]}").click()
    page.get_by_test_id(f"select-{picked[-1]}").click(modifiers=["Shift"])
    expect(page.get_by_test_id("bulk-count")).to_have_text("20 selected")
    expect(page.get_by_test_id(f"select-{shown[0]}")).not_to_be_checked()
    expect(page.get_by_test_id(f"select-{shown[21]}")).not_to_be_checked()
    screenshot(page, "selected")

    page.get_by_test_id("bulk-assign").click()
    page.get_by_test_id("bulk-user").select_option(seller.uid)
    screenshot(page, "confirm")
    page.get_by_test_id("bulk-confirm").click()

    expect(page.get_by_test_id("bulk-result")).to_contain_text("20 leads assigned.")
    screenshot(page, "result")
    for uid in picked:
        assert stored_lead(uid).assigned_to == [user.uid, seller.uid]
    for uid in (shown[0], shown[21]):
        assert stored_lead(uid).assigned_to == [user.uid]
    page.get_by_test_id("bulk-close").click()
    expect(page.get_by_test_id("bulk-bar")).to_have_count(0)


def test_select_all_matching_reaches_past_the_page_and_refusals_are_named(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    make_pipeline()
    user = make_user(UserRole.MEMBER)
    for number in range(30):
        make_lead(user, name=f"Hot {number:02d}", tags=["hot"])
    make_lead(user, name="Cold one", tags=["cold"])
    page = signed_in_page(user=user, path="/leads?tag=hot")
    expect(page.locator("[data-testid=lead-list] tbody tr")).to_have_count(25)

    page.get_by_test_id("select-page").check()
    expect(page.get_by_test_id("bulk-count")).to_have_text("25 selected")
    page.get_by_test_id("bulk-select-matching").click()
    expect(page.get_by_test_id("bulk-count")).to_have_text("30 selected")

    # Moving on from New needs its required task done: every lead is refused, by name.
    page.get_by_test_id("bulk-move").click()
    page.get_by_test_id("bulk-stage").select_option("stage-contacted")
    page.get_by_test_id("bulk-confirm").click()
    expect(page.get_by_test_id("bulk-result")).to_contain_text("0 leads moved, 30 refused.")
    refusals = page.get_by_test_id("bulk-refusals").locator("li")
    expect(refusals).to_have_count(30)
    expect(refusals.first).to_contain_text(re.compile(r"Hot \d\d: Complete the required tasks"))
    screenshot(page, "refused")
