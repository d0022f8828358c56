"""A viewer sees the board and the lead but can neither drag nor edit, nor reach settings."""

from __future__ import annotations

from urllib.parse import urlparse

from playwright.sync_api import Request, expect

from leads.domain.enums import UserRole
from tests.builders import make_pipeline, make_user

from .helpers import SignedInPage, card, column, drag, ready_lead, stored_stage

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def test_a_viewer_can_neither_drag_nor_edit(signed_in_page: SignedInPage) -> None:
    stages = make_pipeline()
    new, contacted = stages["new"].uid, stages["contacted"].uid
    member = make_user(UserRole.MEMBER)
    lead = ready_lead(member, name="Ada Lovelace", company="Analytical Engines")
    page = signed_in_page(UserRole.VIEWER)
    writes: list[str] = []

    def note_write(request: Request) -> None:
        path = urlparse(request.url).path
        if request.method in WRITES and path.startswith("/api/"):
            writes.append(f"{request.method} {path}")

    page.on("request", note_write)
    expect(card(page, lead.uid)).to_be_visible()
    expect(page.get_by_test_id("quick-add-input")).to_have_count(0)

    drag(page, card(page, lead.uid), column(page, contacted))

    expect(column(page, new).get_by_test_id(f"card-{lead.uid}")).to_be_visible()
    expect(page.get_by_test_id("drag-overlay")).to_have_count(0)
    assert stored_stage(lead.uid) == new

    page.goto(f"/leads/{lead.uid}")
    detail = page.get_by_test_id("lead-detail")
    expect(detail).to_contain_text("Ada Lovelace")
    read_only = ["save-lead", "activity-form", "log-activity"]
    read_only += [f"complete-task-{task.uid}" for task in lead.tasks]
    read_only += [f"transition-{stage.uid}" for stage in stages.values()]
    for testid in read_only:
        expect(page.get_by_test_id(testid)).to_have_count(0)
    editable = detail.locator(
        "input:not([disabled]):not([readonly]), textarea:not([disabled]):not([readonly]),"
        " select:not([disabled]), [contenteditable='true']"
    )
    expect(editable).to_have_count(0)

    expect(page.get_by_role("link", name="Settings")).to_have_count(0)
    page.goto("/settings/stages")
    expect(page.get_by_test_id("board")).to_be_visible()
    assert urlparse(page.url).path == "/"
    assert writes == []
