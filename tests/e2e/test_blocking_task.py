"""A required open task blocks the move on; completing it on the lead page lets the drag through.

It never blocks Lost: the drop bar's Lost zone stays open (asking only for the lost reason).
"""

from __future__ import annotations

import re

from playwright.sync_api import Request, Response, expect

from leads.domain.enums import UserRole
from tests.builders import make_lead, make_pipeline, make_user

from .helpers import (
    SignedInPage,
    card,
    column,
    drag,
    drop,
    is_kanban_move,
    move_over,
    pick_up,
    stored_stage,
)


def test_the_drag_works_once_the_blocking_task_is_completed(
    signed_in_page: SignedInPage,
) -> None:
    stages = make_pipeline()
    new, contacted, lost = stages["new"].uid, stages["contacted"].uid, stages["lost"].uid
    user = make_user(UserRole.MEMBER)
    lead = make_lead(user, name="Ada Lovelace")
    blocking = next(task for task in lead.tasks if task.required)
    page = signed_in_page(user=user)
    expect(card(page, lead.uid)).to_be_visible()
    moves_sent: list[Request] = []

    def note_move(request: Request) -> None:
        if "/kanban/move/" in request.url:
            moves_sent.append(request)

    page.on("request", note_move)

    # The card's moves say the task blocks Contacted: the column is dimmed with the server's
    # reason while the card is in the air, and the drop is refused without asking the server.
    pick_up(page, card(page, lead.uid))
    move_over(page, column(page, contacted))
    expect(column(page, contacted)).to_have_attribute("data-dimmed", "true")
    expect(page.get_by_test_id(f"column-note-{contacted}")).to_contain_text(blocking.title)
    expect(page.get_by_test_id(f"drop-zone-{lost}")).to_have_attribute("data-drop", "fields")
    drop(page)

    refusal = page.get_by_test_id("move-refusal")
    expect(refusal).to_contain_text(blocking.title)
    expect(column(page, new).get_by_test_id(f"card-{lead.uid}")).to_be_visible()
    assert moves_sent == []
    assert stored_stage(lead.uid) == new

    # The message offers a way to the lead, where the task is completed.
    refusal.get_by_test_id("open-lead-link").click()
    expect(page).to_have_url(re.compile(rf"/leads/{lead.uid}$"))
    expect(page.get_by_test_id("lead-detail")).to_be_visible()
    expect(page.get_by_test_id(f"transition-{contacted}")).to_be_disabled()

    def is_completion(response: Response) -> bool:
        return response.request.method == "POST" and response.url.endswith(
            f"/api/leads/{lead.uid}/tasks/{blocking.uid}/complete/"
        )

    with page.expect_response(is_completion) as completed:
        page.get_by_test_id(f"complete-task-{blocking.uid}").click()
    assert completed.value.status == 200
    expect(page.get_by_test_id(f"complete-task-{blocking.uid}")).to_have_count(0)
    # The server's copy of the lead came back with the task done: the move is open now.
    expect(page.get_by_test_id(f"transition-{contacted}")).to_be_enabled()

    page.goto("/")
    expect(card(page, lead.uid)).to_be_visible()
    with page.expect_response(is_kanban_move) as moved:
        drag(page, card(page, lead.uid), column(page, contacted))

    assert moved.value.status == 200, moved.value.text()
    page.reload()
    expect(column(page, contacted).get_by_test_id(f"card-{lead.uid}")).to_be_visible()
    assert stored_stage(lead.uid) == contacted
