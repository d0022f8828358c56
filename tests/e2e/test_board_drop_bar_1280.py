"""At 1280x800, on the sample workflow, dragging a card shows the Won / Lost drop bar on screen."""

from __future__ import annotations

import io

from django.core.management import call_command
from playwright.sync_api import ViewportSize, expect

from leads.domain.enums import UserRole
from tests.builders import make_user

from .helpers import Screenshot, SignedInPage, card, pick_up, ready_lead


def test_the_drop_bar_shows_won_and_lost_while_dragging(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    call_command("init_lead_data", stdout=io.StringIO())
    user = make_user(UserRole.MEMBER)
    lead = ready_lead(user, name="Ada Lovelace", data={"budget": 5000})
    page = signed_in_page(user=user)
    viewports: list[ViewportSize] = [{"width": 1280, "height": 800}, {"width": 1440, "height": 900}]
    for viewport in viewports:
        page.set_viewport_size(viewport)
        page.goto("/")
        expect(card(page, lead.uid)).to_be_visible()
        expect(page.get_by_test_id("drop-bar")).to_have_count(0)
        # The board is wider than the window: a cue says more stages are to the right.
        expect(page.get_by_test_id("scroll-cue-right")).to_be_visible()
        pick_up(page, card(page, lead.uid))
        bar = page.get_by_test_id("drop-bar")
        expect(bar).to_be_visible()
        for stage in ("stage-won", "stage-lost"):
            zone = page.get_by_test_id(f"drop-zone-{stage}")
            expect(zone).to_be_in_viewport()
        screenshot(page, f"{viewport['width']}x{viewport['height']}")
        page.keyboard.press("Escape")
        page.mouse.up()
        expect(bar).to_have_count(0)
