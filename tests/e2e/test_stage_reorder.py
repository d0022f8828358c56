"""An admin drags a stage to another place in settings; the board's columns follow."""

from __future__ import annotations

from playwright.sync_api import expect

from leads.domain.enums import UserRole
from leads.selectors.workflow import stage_list
from tests.builders import make_pipeline

from .helpers import SignedInPage, column, column_order, drag, is_stage_reorder, listed_ids


def test_the_board_follows_the_stage_order_an_admin_sets(signed_in_page: SignedInPage) -> None:
    stages = make_pipeline()
    new, contacted, won, lost = (stages[key].uid for key in ("new", "contacted", "won", "lost"))
    page = signed_in_page(UserRole.ADMIN, path="/settings/stages")
    expect(page.get_by_test_id(f"stage-row-{lost}")).to_be_visible()

    with page.expect_response(is_stage_reorder) as reorder:
        drag(
            page,
            page.get_by_test_id(f"stage-handle-{lost}"),
            page.get_by_test_id(f"stage-row-{new}"),
            where="top",
        )

    assert reorder.value.status == 200, reorder.value.text()
    expected = [lost, new, contacted, won]
    assert [s for s in listed_ids(page, "stage-row-") if s in expected] == expected
    assert [stage.uid for stage in stage_list()] == expected
    page.goto("/")
    expect(column(page, lost)).to_be_visible()
    assert column_order(page, expected) == expected
