"""Drag a card to Lost through the drop bar: the form asks why, and one request moves it.

The lead's required task is still open: it holds the lead back from Contacted, never from Lost.
"""

from __future__ import annotations

import json

from playwright.sync_api import Request, expect

from leads.domain.enums import UserRole
from tests.builders import make_lead, make_pipeline, make_user

from .helpers import (
    Screenshot,
    SignedInPage,
    card,
    column,
    drop,
    is_kanban_move,
    move_over,
    pick_up,
    set_lost_reasons,
    stored_lead,
)


def test_a_card_dropped_on_lost_asks_why_and_moves_with_the_reason(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    stages = make_pipeline()
    set_lost_reasons()
    new, lost = stages["new"].uid, stages["lost"].uid
    user = make_user(UserRole.MEMBER)
    lead = make_lead(user, name="Ada Lovelace")
    assert any(task.blocks_leaving for task in lead.tasks)
    page = signed_in_page(user=user)
    expect(card(page, lead.uid)).to_be_visible()
    required = card(page, lead.uid).get_by_test_id("card-required-open")
    expect(required).to_have_text("1 required open")
    moves: list[Request] = []

    def note_move(request: Request) -> None:
        if "/kanban/move/" in request.url:
            moves.append(request)

    page.on("request", note_move)

    pick_up(page, card(page, lead.uid))
    zone = page.get_by_test_id(f"drop-zone-{lost}")
    expect(zone).to_be_visible()
    move_over(page, zone)
    expect(zone).to_have_attribute("data-drop", "fields")
    expect(zone).to_contain_text("Asks for a lost reason")
    screenshot(page, "over-lost")
    drop(page)

    form = page.get_by_test_id("required-fields-form")
    expect(form).to_contain_text("To move Ada Lovelace to Lost, say why it was lost:")
    assert moves == []
    form.get_by_test_id("lost-reason-select").select_option("competitor")
    form.get_by_test_id("lost-note").fill("Chose the cheaper offer")
    screenshot(page, "reason-form")
    with page.expect_response(is_kanban_move) as moved:
        page.get_by_test_id("required-fields-submit").click()
    assert moved.value.status == 200, moved.value.text()
    assert len(moves) == 1
    body = json.loads(moves[0].post_data or "{}")
    assert (body["to_stage"], body["lost_reason"], body["lost_note"]) == (
        lost,
        "competitor",
        "Chose the cheaper offer",
    )
    expect(page.get_by_test_id("moved-toast")).to_contain_text("moved to Lost")
    expect(column(page, new).get_by_test_id(f"card-{lead.uid}")).to_have_count(0)
    stored = stored_lead(lead.uid)
    assert (stored.current_stage, stored.lost_reason, stored.lost_note) == (
        lost,
        "competitor",
        "Chose the cheaper offer",
    )

    # The lead page says why it was lost, in the config's words.
    page.goto(f"/leads/{lead.uid}")
    expect(page.get_by_test_id("lead-lost-reason")).to_contain_text("Lost: Went with a competitor")
    expect(page.get_by_test_id("lead-lost-reason")).to_contain_text("Chose the cheaper offer")
    screenshot(page, "lead-page")
