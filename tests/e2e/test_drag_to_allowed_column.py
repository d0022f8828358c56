"""Drag a card to an allowed next stage: it moves at once, the server keeps it after a reload."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from leads.domain.enums import UserRole
from tests.builders import make_pipeline, make_user

from .helpers import SignedInPage, card, column, drag, is_kanban_move, ready_lead, stored_stage


def test_a_card_dragged_to_an_allowed_column_is_still_there_after_reload(
    signed_in_page: SignedInPage,
) -> None:
    stages = make_pipeline()
    new, contacted = stages["new"].uid, stages["contacted"].uid
    user = make_user(UserRole.MEMBER)
    lead = ready_lead(user, name="Grace Hopper", company="Harvard Mark I")
    page = signed_in_page(user=user)
    expect(card(page, lead.uid)).to_be_visible()

    with page.expect_response(is_kanban_move) as move:
        drag(page, card(page, lead.uid), column(page, contacted))

    assert move.value.status == 200, move.value.text()
    expect(column(page, contacted).get_by_test_id(f"card-{lead.uid}")).to_be_visible()
    page.reload()
    expect(column(page, contacted).get_by_test_id(f"card-{lead.uid}")).to_be_visible()
    expect(column(page, new).get_by_test_id(f"card-{lead.uid}")).to_have_count(0)
    expect(page.get_by_test_id(f"column-count-{contacted}")).to_have_text(re.compile(r"\b1\b"))
    assert stored_stage(lead.uid) == contacted
