"""Log a note on a lead: it shows in the timeline, also after a reload."""

from __future__ import annotations

from urllib.parse import urlparse

from playwright.sync_api import Response, expect

from leads.domain.enums import ActivityType, UserRole
from tests.builders import make_lead, make_pipeline, make_user
from tests.e2e.helpers import stored_lead

from .helpers import Screenshot, SignedInPage, control

NOTE = "Spoke with procurement: they want a pilot for two teams in March."


def test_a_logged_note_shows_in_the_timeline(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    make_pipeline()
    user = make_user(UserRole.MEMBER)
    lead = make_lead(user, name="Ada Lovelace", company="Analytical Engines")
    page = signed_in_page(user=user, path=f"/leads/{lead.uid}")
    expect(page.get_by_test_id("lead-detail")).to_be_visible()

    def is_activity_post(response: Response) -> bool:
        path = urlparse(response.url).path
        return response.request.method == "POST" and path == f"/api/leads/{lead.uid}/activities/"

    form = page.get_by_test_id("activity-form")
    control(form.get_by_test_id("activity-body")).fill(NOTE)
    with page.expect_response(is_activity_post) as logged:
        form.get_by_test_id("log-activity").click()

    assert logged.value.status == 201, logged.value.text()
    expect(page.get_by_test_id("timeline")).to_contain_text(NOTE)
    page.reload()
    expect(page.get_by_test_id("timeline")).to_contain_text(NOTE)
    stored = [a for a in stored_lead(lead.uid).activities if a.body == NOTE]
    assert [(a.type, a.actor) for a in stored] == [(ActivityType.NOTE, user.uid)]
    screenshot(page)
