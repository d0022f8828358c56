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


def test_cmd_k_finds_a_lead_by_a_phone_typed_any_way_its_number_or_an_email_prefix(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    make_pipeline()
    user = make_user(UserRole.MEMBER)
    grace = make_lead(
        user, name="Grace Hopper", email="grace@navy.example.com", phone="+1 (415) 555-0100"
    )
    # A number one digit away, and an address with the same start before the '@'.
    make_lead(user, name="Grace Kelly", email="grace@monaco.example.com", phone="+1 415 555 0101")
    make_lead(user, name="Alan Turing", phone="+44 20 7946 0100")
    page = signed_in_page(user=user, path="/")
    expect(page.get_by_test_id("quick-jump-open")).to_be_visible()
    number = grace.uid.rsplit("-", 1)[1].lstrip("0")

    box = page.get_by_role("combobox", name="Find a lead")
    options = page.get_by_role("listbox", name="Leads found").get_by_role("option")
    for typed in ("415-555-0100", "+1 415 555 0100", "(415) 555 0100", "grace@na", number):
        page.keyboard.press("Control+k")
        expect(box).to_be_focused()
        box.fill("")
        box.press_sequentially(typed, delay=30)
        expect(options.first).to_contain_text("Grace Hopper")
        if typed != number:
            expect(options).to_have_count(1)
        if typed == "(415) 555 0100":
            screenshot(page)
        box.press("Escape")
        expect(page.get_by_role("dialog", name="Find a lead")).to_have_count(0)

    page.keyboard.press("Meta+k")
    box.press_sequentially("415.555.0100", delay=30)
    expect(options).to_have_count(1)
    box.press("Enter")
    expect(page).to_have_url(re.compile(f"/leads/{grace.uid}$"))
    expect(page.get_by_test_id("lead-detail")).to_contain_text("Grace Hopper")
