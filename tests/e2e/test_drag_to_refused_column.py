"""Drop a card on a stage it may not enter: that column is dimmed, the card returns with why."""

from __future__ import annotations

from playwright.sync_api import expect

from leads.domain.enums import UserRole
from tests.builders import make_pipeline, make_user

from .helpers import (
    SignedInPage,
    card,
    column,
    drop,
    move_over,
    pick_up,
    ready_lead,
    stored_stage,
)


def test_a_card_dropped_on_a_refused_column_returns_with_the_reason(
    signed_in_page: SignedInPage,
) -> None:
    stages = make_pipeline()
    new, contacted, won = stages["new"].uid, stages["contacted"].uid, stages["won"].uid
    user = make_user(UserRole.MEMBER)
    lead = ready_lead(user, name="Grace Hopper")
    page = signed_in_page(user=user)
    expect(card(page, lead.uid)).to_be_visible()

    pick_up(page, card(page, lead.uid))
    move_over(page, column(page, won))
    # New leads on to Contacted or Lost only: Won is dimmed while the card is in the air.
    expect(column(page, won)).to_have_attribute("data-dimmed", "true")
    expect(column(page, contacted)).to_have_attribute("data-dimmed", "false")
    drop(page)

    refusal = page.get_by_test_id("move-refusal")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("Won")
    expect(refusal).to_contain_text("Contacted")
    expect(column(page, new).get_by_test_id(f"card-{lead.uid}")).to_be_visible()
    expect(column(page, won).get_by_test_id(f"card-{lead.uid}")).to_have_count(0)
    page.reload()
    expect(column(page, new).get_by_test_id(f"card-{lead.uid}")).to_be_visible()
    assert stored_stage(lead.uid) == new
