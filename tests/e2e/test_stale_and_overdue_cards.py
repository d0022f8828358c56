"""A stale lead and an overdue lead are marked on their cards, in the list, and by the filters."""

from __future__ import annotations

from playwright.sync_api import expect

from leads.domain.enums import UserRole
from tests.builders import client_for, make_lead, make_pipeline, make_user

from .helpers import Screenshot, SignedInPage, age_lead, card


def test_stale_and_overdue_cards_are_marked_and_filtered(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    stages = make_pipeline()
    admin = make_user(UserRole.ADMIN)
    new = client_for(admin).get(f"/api/stages/{stages['new'].uid}/").json()
    rot = {"rot_after_days": 7, "version": new["version"]}
    patched = client_for(admin).patch(f"/api/stages/{new['uid']}/", rot, format="json")
    assert patched.status_code == 200, patched.content
    user = make_user(UserRole.MEMBER)
    stale = make_lead(user, name="Stale Sam")
    overdue = make_lead(user, name="Overdue Olga")
    fresh = make_lead(user, name="Fresh Fred")
    age_lead(stale.uid, idle_days=12)
    age_lead(overdue.uid, overdue_days=2)
    page = signed_in_page(user=user)

    expect(card(page, stale.uid)).to_have_attribute("data-stale", "true")
    stale_note = card(page, stale.uid).get_by_test_id("card-stale")
    expect(stale_note).to_have_text("No activity for 12 days")
    expect(card(page, overdue.uid)).to_have_attribute("data-overdue", "true")
    expect(card(page, overdue.uid).get_by_test_id("card-due")).to_contain_text("Overdue")
    expect(card(page, fresh.uid)).to_have_attribute("data-stale", "false")
    expect(card(page, fresh.uid)).to_have_attribute("data-overdue", "false")
    screenshot(page, "board")

    page.get_by_test_id("filter-overdue").click()
    expect(card(page, fresh.uid)).to_have_count(0)
    expect(card(page, overdue.uid)).to_be_visible()
    expect(card(page, stale.uid)).to_have_count(0)
    page.get_by_test_id("filter-overdue").click()
    page.get_by_test_id("filter-stale").click()
    expect(card(page, overdue.uid)).to_have_count(0)
    expect(card(page, stale.uid)).to_be_visible()
    screenshot(page, "stale-filter")

    page.goto("/leads?overdue=true")
    expect(page.get_by_test_id(f"lead-row-{overdue.uid}")).to_be_visible()
    expect(page.get_by_test_id(f"lead-row-{fresh.uid}")).to_have_count(0)
    expect(
        page.get_by_test_id(f"lead-row-{overdue.uid}").get_by_test_id("cell-due")
    ).to_contain_text("Overdue")
    screenshot(page, "list")
