"""The board: one column per stage in pipeline order, empty stages included, cards on them."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from leads.domain.enums import UserRole
from tests.builders import make_lead, make_pipeline, make_user

from .helpers import Screenshot, SignedInPage, card, cards_in, column, column_order


def test_the_board_shows_every_stage_in_order_including_the_empty_ones(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    stages = make_pipeline()
    user = make_user(UserRole.MEMBER)
    leads = [
        make_lead(user, name="Ada Lovelace", company="Analytical Engines", data={"budget": 12000}),
        make_lead(user, name="Grace Hopper", company="Harvard Mark I", data={"budget": 8000}),
        make_lead(user, name="Alan Turing", company="Bletchley Park", assigned_to=[user.uid]),
    ]
    new, contacted, won, lost = (stages[key].uid for key in ("new", "contacted", "won", "lost"))

    page = signed_in_page(user=user)

    for lead in leads:
        shown = column(page, new).get_by_test_id(f"card-{lead.uid}")
        expect(shown).to_contain_text(lead.name)
        expect(shown).to_contain_text(lead.company or "")
    assert column_order(page, [new, contacted, won, lost]) == [new, contacted, won, lost]
    for uid in (contacted, won, lost):
        expect(column(page, uid)).to_be_visible()
        expect(page.get_by_test_id(f"column-count-{uid}")).to_have_text(re.compile(r"\b0\b"))
        assert cards_in(page, uid) == []
    expect(page.get_by_test_id(f"column-count-{new}")).to_have_text(re.compile(r"\b3\b"))
    expect(column(page, won)).to_contain_text("Won")
    # The newest lead arrives on top.
    assert cards_in(page, new) == [lead.uid for lead in reversed(leads)]
    expect(card(page, leads[0].uid)).to_be_visible()
    screenshot(page)
