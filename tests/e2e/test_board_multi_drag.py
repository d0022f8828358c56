"""Several cards on the board, picked with Shift or Cmd/Ctrl-click and dragged together: one
bulk move, the free ones land where they were dropped, a refused one stays and the summary says
why; a drop on Lost asks the reason once for all of them."""

from __future__ import annotations

import json

from playwright.sync_api import Page, Request, expect

from leads.domain.enums import UserRole
from leads.services.transitions import lead_transition
from tests.builders import make_lead, make_pipeline, make_user

from .helpers import (
    Screenshot,
    SignedInPage,
    card,
    cards_in,
    column,
    drop,
    move_over,
    pick_up,
    ready_lead,
    set_lost_reasons,
    stored_lead,
    stored_stage,
)

BULK = "/api/leads/bulk/"


def _note_writes(page: Page) -> list[Request]:
    """The board's move requests (bulk or single) the page sends from now on."""
    writes: list[Request] = []

    def note(request: Request) -> None:
        if request.method == "POST" and (BULK in request.url or "/kanban/move/" in request.url):
            writes.append(request)

    page.on("request", note)
    return writes


def test_three_selected_cards_dragged_together_arrive_and_a_blocked_one_stays_with_why(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    stages = make_pipeline()
    new, contacted, won = stages["new"].uid, stages["contacted"].uid, stages["won"].uid
    user = make_user(UserRole.MEMBER)
    there = ready_lead(user, name="Already Contacted")
    lead_transition(uid=there.uid, to_stage=contacted, actor=user)
    free = [ready_lead(user, name=name, company="Acme") for name in ("Ada", "Grace", "Hedy")]
    blocked = make_lead(user, name="Barbara", company="Acme")  # its required task still open
    page = signed_in_page(user=user)
    expect(column(page, contacted).get_by_test_id(f"card-{there.uid}")).to_be_visible()
    shown = cards_in(page, new)
    picked = [uid for uid in shown if uid in {lead.uid for lead in (*free, blocked)}]
    landed = [uid for uid in picked if uid != blocked.uid]

    card(page, free[0].uid).click(modifiers=["Shift"])
    card(page, free[1].uid).click(modifiers=["Meta"])
    card(page, free[2].uid).click(modifiers=["Control"])
    card(page, blocked.uid).click(modifiers=["Shift"])
    expect(page.get_by_test_id("board-selection-count")).to_have_text("4 selected")
    for lead in (*free, blocked):
        expect(card(page, lead.uid)).to_have_attribute("data-selected", "true")
    assert "/leads/" not in page.url  # a modified click selects, it does not open the lead
    screenshot(page, "selection")

    writes = _note_writes(page)
    pick_up(page, card(page, free[1].uid))
    move_over(page, card(page, there.uid), "top")
    expect(page.get_by_test_id("drag-count")).to_have_text("4")
    # New leads go on to Contacted or Lost: Won is dimmed for every one of them.
    expect(column(page, won)).to_have_attribute("data-dimmed", "true")
    expect(column(page, contacted)).to_have_attribute("data-drop", "open")
    expect(page.get_by_test_id(f"column-note-{contacted}")).to_have_text(
        "3 of 4 cards can move here"
    )
    expect(page.get_by_test_id("board-selection-bar")).to_have_count(0)
    screenshot(page, "overlay")
    with page.expect_response(lambda response: BULK in response.url) as answered:
        drop(page)
    assert answered.value.status == 200, answered.value.text()

    summary = page.get_by_test_id("bulk-result")
    expect(summary).to_contain_text("3 leads moved, 1 refused.")
    expect(summary).to_contain_text("Barbara:")
    expect(summary).to_contain_text("Call the lead")
    screenshot(page, "summary")
    # One request for the four; the three land above the card they were dropped on, in order.
    assert len(writes) == 1 and BULK in writes[0].url
    body = json.loads(writes[0].post_data or "{}")
    assert (body["action"], body["to_stage"], body["uids"]) == ("move", contacted, picked)
    assert (body["above"], body["below"]) == (None, there.uid)
    expect(column(page, new).get_by_test_id(f"card-{blocked.uid}")).to_be_visible()
    expected = [*landed, there.uid]
    expect(column(page, contacted).locator('[data-testid^="card-LEAD-"]')).to_have_count(4)
    assert cards_in(page, contacted) == expected
    expect(page.get_by_test_id("board-selection-bar")).to_have_count(0)

    kanban = page.request.get(f"/api/leads/kanban/?stage={contacted}").json()
    assert [lead["uid"] for lead in kanban["columns"][0]["leads"]] == expected
    assert [stored_stage(lead.uid) for lead in free] == [contacted] * 3
    assert stored_stage(blocked.uid) == new
    page.reload()
    expect(column(page, contacted).locator('[data-testid^="card-LEAD-"]')).to_have_count(4)
    assert cards_in(page, contacted) == expected


def test_selected_cards_dropped_on_lost_are_asked_the_reason_once(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    stages = make_pipeline()
    set_lost_reasons()
    new, lost = stages["new"].uid, stages["lost"].uid
    user = make_user(UserRole.MEMBER)
    leads = [make_lead(user, name=name, company="Initech") for name in ("Ada", "Grace")]
    other = make_lead(user, name="Left Alone")
    page = signed_in_page(user=user)
    page.set_viewport_size({"width": 1920, "height": 1080})
    for lead in leads:
        card(page, lead.uid).click(modifiers=["Control"])
    expect(page.get_by_test_id("board-selection-count")).to_have_text("2 selected")
    screenshot(page, "selection-1920")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("board-selection-bar")).to_have_count(0)
    for lead in leads:
        card(page, lead.uid).click(modifiers=["Shift"])
    writes = _note_writes(page)

    pick_up(page, card(page, leads[0].uid))
    zone = page.get_by_test_id(f"drop-zone-{lost}")
    move_over(page, zone)
    expect(zone).to_have_attribute("data-drop", "fields")
    screenshot(page, "overlay-1920")
    drop(page)

    form = page.get_by_test_id("required-fields-form")
    expect(form).to_contain_text("To move 2 leads to Lost, say why it was lost:")
    assert writes == []
    form.get_by_test_id("lost-reason-select").select_option("competitor")
    with page.expect_response(lambda response: BULK in response.url):
        page.get_by_test_id("required-fields-submit").click()
    expect(page.get_by_test_id("bulk-result")).to_contain_text("2 leads moved.")
    screenshot(page, "summary-1920")
    assert len(writes) == 1
    for lead in leads:
        stored = stored_lead(lead.uid)
        assert (stored.current_stage, stored.lost_reason) == (lost, "competitor")
    assert stored_stage(other.uid) == new
    expect(card(page, other.uid)).to_be_visible()
