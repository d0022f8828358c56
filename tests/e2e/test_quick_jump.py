"""Cmd-K opens the quick jump; a few letters and Enter land on the lead's page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from leads.domain.enums import UserRole
from tests.builders import make_lead, make_pipeline, make_user

from .helpers import Screenshot, SignedInPage


def test_cmd_k_and_a_few_letters_jump_to_a_lead(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    make_pipeline()
    user = make_user(UserRole.MEMBER)
    make_lead(user, name="Grace Kelly", company="Monaco")
    grace = make_lead(user, name="Grace Hopper", company="Navy", email="grace@navy.example.com")
    make_lead(user, name="Alan Turing")
    page = signed_in_page(user=user, path="/")
    expect(page.get_by_test_id("quick-jump-open")).to_be_visible()

    page.keyboard.press("Meta+k")
    box = page.get_by_role("combobox", name="Find a lead")
    expect(box).to_be_focused()
    box.press_sequentially("gra hop", delay=40)
    options = page.get_by_role("listbox", name="Leads found").get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Grace Hopper")
    screenshot(page)
    box.press("Enter")

    expect(page).to_have_url(re.compile(f"/leads/{grace.uid}$"))
    expect(page.get_by_test_id("lead-detail")).to_contain_text("Grace Hopper")
    expect(page.get_by_role("dialog", name="Find a lead")).to_have_count(0)
