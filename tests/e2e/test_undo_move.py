"""Move a card, then Undo from the toast: the lead is back where it was, on screen and stored."""

from __future__ import annotations

from playwright.sync_api import Response, expect

from leads.domain.enums import UserRole
from tests.builders import make_pipeline, make_user

from .helpers import (
    Screenshot,
    SignedInPage,
    card,
    column,
    drag,
    is_kanban_move,
    ready_lead,
    stored_stage,
)


def test_undo_puts_the_moved_card_back(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    stages = make_pipeline()
    new, contacted = stages["new"].uid, stages["contacted"].uid
    user = make_user(UserRole.MEMBER)
    lead = ready_lead(user, name="Katherine Johnson")
    page = signed_in_page(user=user)
    expect(card(page, lead.uid)).to_be_visible()

    with page.expect_response(is_kanban_move) as moved:
        drag(page, card(page, lead.uid), column(page, contacted))
    assert moved.value.status == 200, moved.value.text()
    version = moved.value.json()["version"]
    undo = page.get_by_test_id("undo-move")
    expect(undo).to_be_visible()
    screenshot(page, "toast")

    def is_undo(response: Response) -> bool:
        path = f"/api/leads/{lead.uid}/undo/"
        return response.request.method == "POST" and response.url.endswith(path)

    with page.expect_response(is_undo) as undone:
        undo.click()
    assert undone.value.status == 200, undone.value.text()
    assert undone.value.request.post_data_json == {"version": version}
    expect(column(page, new).get_by_test_id(f"card-{lead.uid}")).to_be_visible()
    expect(page.get_by_test_id("toast").filter(has_text="back where it was")).to_be_visible()
    screenshot(page, "undone")
    assert stored_stage(lead.uid) == new
