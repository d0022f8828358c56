"""The Reports page shows the funnel of the sample data, and a click on a bar lists its leads."""

from __future__ import annotations

import re

from django.core.management import call_command
from playwright.sync_api import expect

from leads.domain.enums import UserRole
from tests.builders import client_for, make_user

from .helpers import Screenshot, SignedInPage


def test_the_funnel_of_the_sample_data_opens_the_leads_of_a_step(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    manager = make_user(UserRole.ADMIN)
    call_command("init_lead_data", leads=24, verbosity=0)
    # The page's "All time" sends no dates: the API's answer without filters.
    steps = client_for(manager).get("/api/reports/funnel/").json()["rows"]
    contacted = next(step for step in steps if step["stage"] == "stage-contacted")
    assert 0 < contacted["entered"] < 24

    page = signed_in_page(user=manager, path="/reports?period=all")
    report = page.get_by_test_id("report-funnel")
    expect(report.get_by_role("heading", name="Funnel")).to_be_visible()
    bars = page.get_by_test_id("funnel-chart").locator(".recharts-bar-rectangle")
    expect(bars).to_have_count(len(steps))
    # The numbers behind the chart, as screen readers get them.
    table_rows = report.locator("table tbody tr")
    expect(table_rows).to_have_count(len(steps))
    expect(table_rows.nth(1)).to_contain_text(f"Contacted{contacted['entered']}")
    expect(report.get_by_test_id("report-funnel-csv")).to_have_attribute(
        "href", "/api/reports/funnel/?format=csv"
    )
    expect(
        page.get_by_test_id("report-lost-reasons").locator(".recharts-bar-rectangle").first
    ).to_be_visible()
    screenshot(page, "reports")

    page.set_viewport_size({"width": 1680, "height": 1000})
    screenshot(page, "reports-wide")
    page.set_viewport_size({"width": 1280, "height": 800})

    bars.nth(1).click()
    expect(page).to_have_url(re.compile(r"/leads\?entered_stage=stage-contacted"))
    expect(page.get_by_test_id("entered-notice")).to_contain_text("Contacted")
    expect(page.locator('[data-testid^="lead-row-"]')).to_have_count(contacted["entered"])
    screenshot(page, "funnel-step-leads")

    # The period and assignee are kept in the URL, and the funnel follows them.
    page.goto("/reports?period=30d&assigned_to=me")
    expect(page.get_by_test_id("report-period")).to_have_value("30d")
    expect(page.get_by_test_id("report-assignee")).to_have_value("me")
    expect(page.get_by_test_id("report-funnel-csv")).to_have_attribute(
        "href", re.compile(r"assigned_to=me")
    )
