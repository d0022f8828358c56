"""Save the list's filters as a view, reload, pick it: the URL and the rows follow."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Response, expect

from leads.domain.enums import UserRole
from tests.builders import make_lead, make_pipeline, make_user

from .helpers import Screenshot, SignedInPage


def test_a_saved_view_brings_back_its_filters_and_rows(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    make_pipeline()
    user = make_user(UserRole.MEMBER)
    hot = make_lead(user, name="Acme Hot", tags=["hot"])
    make_lead(user, name="Acme Cold", tags=["cold"])
    make_lead(user, name="Other Hot", tags=["hot"])
    page = signed_in_page(user=user, path="/leads?q=acme&tag=hot&sort=name")
    rows = page.locator("[data-testid=lead-list] tbody tr")
    expect(rows).to_have_count(1)

    page.get_by_test_id("views-button").click()
    page.get_by_test_id("view-save-open").click()
    page.get_by_test_id("view-name").fill("Hot Acme")

    def is_view_post(response: Response) -> bool:
        return response.url.endswith("/api/views/") and response.request.method == "POST"

    with page.expect_response(is_view_post) as saved:
        page.get_by_role("button", name="Save", exact=True).click()
    assert saved.value.status == 201, saved.value.text()

    page.goto("/leads")
    expect(rows).to_have_count(3)
    page.reload()
    page.get_by_test_id("views-button").click()
    screenshot(page)
    page.get_by_test_id("view-apply").filter(has_text="Hot Acme").click()

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(hot.name)
    query = parse_qs(urlparse(page.url).query)
    assert (query["q"], query["tag"], query["sort"]) == (["acme"], ["hot"], ["name"])
