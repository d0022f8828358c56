"""Collapse a column and reload: it stays collapsed for that user; closed stages start collapsed."""

from __future__ import annotations

from playwright.sync_api import expect

from leads.domain.enums import UserRole
from tests.builders import make_pipeline, make_user

from .helpers import Screenshot, SignedInPage, column, ready_lead


def test_a_collapsed_column_stays_collapsed_after_a_reload(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    stages = make_pipeline()
    contacted, won = stages["contacted"].uid, stages["won"].uid
    user = make_user(UserRole.MEMBER)
    ready_lead(user, name="Ada")
    page = signed_in_page(user=user)
    expect(column(page, won)).to_have_attribute("data-collapsed", "true")
    expect(column(page, contacted)).not_to_have_attribute("data-collapsed", "true")

    page.get_by_test_id(f"column-toggle-{contacted}").click()
    page.get_by_test_id(f"column-toggle-{won}").click()
    expect(column(page, contacted)).to_have_attribute("data-collapsed", "true")
    expect(column(page, won)).not_to_have_attribute("data-collapsed", "true")
    page.reload()
    expect(column(page, contacted)).to_have_attribute("data-collapsed", "true")
    expect(column(page, won)).not_to_have_attribute("data-collapsed", "true")
    screenshot(page)
