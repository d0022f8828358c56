"""Leaving a lead page with unsaved edits asks first: in the app, and when the tab closes."""

from __future__ import annotations

import re

from playwright.sync_api import Dialog, expect

from leads.domain.enums import UserRole
from tests.builders import make_pipeline, make_user

from .helpers import Screenshot, SignedInPage, card, field_control, ready_lead


def test_leaving_a_lead_with_unsaved_edits_asks_first(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    make_pipeline()
    user = make_user(UserRole.MEMBER)
    lead = ready_lead(user, name="Ada")
    page = signed_in_page(user=user)
    card(page, lead.uid).click()
    expect(page.get_by_test_id("lead-detail")).to_be_visible()
    expect(page.get_by_test_id("back-link")).to_have_text("← Board")
    field_control(page, "company").fill("Analytical Engines")

    page.get_by_role("link", name="Leads", exact=True).click()
    expect(page.get_by_test_id("unsaved-warning")).to_be_visible()
    screenshot(page, "asked")
    page.get_by_role("button", name="Cancel").click()
    expect(page).to_have_url(re.compile(rf"/leads/{lead.uid}$"))
    expect(field_control(page, "company")).to_have_value("Analytical Engines")

    # Closing the tab gets the browser's own question.
    dialogs: list[str] = []

    def answer(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    page.close(run_before_unload=True)
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]


def test_leaving_without_saving_goes_on_when_asked_to(signed_in_page: SignedInPage) -> None:
    make_pipeline()
    user = make_user(UserRole.MEMBER)
    lead = ready_lead(user, name="Ada")
    page = signed_in_page(user=user, path=f"/leads/{lead.uid}")
    expect(page.get_by_test_id("back-link")).to_have_text("← All leads")
    field_control(page, "company").fill("Analytical Engines")
    page.get_by_test_id("back-link").click()
    page.get_by_test_id("leave-unsaved").click()
    expect(page.get_by_test_id("lead-list")).to_be_visible()
