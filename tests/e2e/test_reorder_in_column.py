"""Drag a card to another place in its column: the order survives a reload."""

from __future__ import annotations

from playwright.sync_api import expect

from leads.domain.enums import UserRole
from tests.builders import make_lead, make_pipeline, make_user
from tests.e2e.helpers import stored_lead

from .helpers import SignedInPage, card, cards_in, drag, is_kanban_move


def test_a_card_moved_up_its_column_keeps_its_place_after_reload(
    signed_in_page: SignedInPage,
) -> None:
    new = make_pipeline()["new"].uid
    user = make_user(UserRole.MEMBER)
    first, second, third = (make_lead(user, name=name) for name in ("Ada", "Grace", "Alan"))
    page = signed_in_page(user=user)
    expect(card(page, first.uid)).to_be_visible()
    # Arrivals go on top, so the oldest card is at the bottom.
    assert cards_in(page, new) == [third.uid, second.uid, first.uid]

    with page.expect_response(is_kanban_move) as move:
        drag(page, card(page, first.uid), card(page, third.uid), where="top")

    assert move.value.status == 200, move.value.text()
    page.reload()
    expect(card(page, first.uid)).to_be_visible()
    assert cards_in(page, new) == [first.uid, third.uid, second.uid]
    ranks = [stored_lead(lead.uid).rank for lead in (first, third, second)]
    assert ranks == sorted(ranks)
