"""Drag a card back a stage while a required task of its stage is still open: it moves."""

from __future__ import annotations

import io

from django.core.management import call_command
from playwright.sync_api import expect

from leads.domain.enums import UserRole
from leads.services.transitions import lead_transition
from tests.builders import complete_required_tasks, make_lead, make_user

from .helpers import Screenshot, SignedInPage, card, column, drag, is_kanban_move, stored_stage

NEW, CONTACTED, QUALIFIED = "stage-new", "stage-contacted", "stage-qualified"


def test_a_card_goes_back_a_stage_with_its_required_task_open(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    call_command("init_lead_data", stdout=io.StringIO())
    user = make_user(UserRole.MEMBER)
    lead = make_lead(user, name="Grace Hopper", data={"budget": 5000})
    lead = complete_required_tasks(lead.uid, user)
    lead = lead_transition(
        uid=lead.uid, to_stage=CONTACTED, actor=user, expected_version=lead.version
    ).lead
    assert any(task.blocks_leaving for task in lead.stage_tasks())
    page = signed_in_page(user=user)
    expect(card(page, lead.uid)).to_be_visible()

    # Forward is held by the open task; back is not.
    with page.expect_response(is_kanban_move) as moved:
        drag(page, card(page, lead.uid), column(page, NEW))
    assert moved.value.status == 200, moved.value.text()
    expect(column(page, NEW).get_by_test_id(f"card-{lead.uid}")).to_be_visible()
    expect(page.get_by_test_id("moved-toast")).to_contain_text("moved to New")
    screenshot(page)
    page.reload()
    expect(column(page, NEW).get_by_test_id(f"card-{lead.uid}")).to_be_visible()
    assert stored_stage(lead.uid) == NEW
    assert column(page, QUALIFIED).get_by_test_id(f"card-{lead.uid}").count() == 0
