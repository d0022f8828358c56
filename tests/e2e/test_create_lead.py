"""Create a lead from the full form: a custom-field error shows on its field, then it saves."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from playwright.sync_api import Response, expect

from leads.domain.enums import UserRole
from leads.store import connection
from tests.builders import make_pipeline, make_user
from tests.e2e.helpers import stored_lead

from .helpers import Screenshot, SignedInPage, control, field_control


def _is_lead_create(response: Response) -> bool:
    return response.request.method == "POST" and urlparse(response.url).path == "/api/leads/"


def test_a_lead_is_created_once_its_custom_field_error_is_fixed(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    make_pipeline()  # budget: a currency of at least 0
    user = make_user(UserRole.MEMBER)
    page = signed_in_page(user=user, path="/leads/new")
    form = page.get_by_test_id("lead-form")
    expect(form).to_be_visible()

    field_control(form, "name").fill("Ada Lovelace")
    field_control(form, "company").fill("Analytical Engines")
    field_control(form, "budget").fill("-5")
    page.get_by_test_id("create-lead").click()

    expect(form.get_by_test_id("field-error-budget")).to_be_visible()
    expect(form.get_by_test_id("field-error-budget")).not_to_be_empty()
    assert urlparse(page.url).path == "/leads/new"
    assert connection.leads().count_documents({"type": "lead"}) == 0

    field_control(form, "budget").fill("12000")
    with page.expect_response(_is_lead_create) as created:
        page.get_by_test_id("create-lead").click()

    assert created.value.status == 201, created.value.text()
    expect(page).to_have_url(re.compile(r"/leads/LEAD-\d{6}-\d{5}$"))
    detail = page.get_by_test_id("lead-detail")
    expect(detail).to_contain_text("Ada Lovelace")
    expect(control(detail.get_by_test_id("field-budget"))).to_have_value(
        re.compile(r"^12,?000(\.0+)?$")
    )
    lead = stored_lead(urlparse(page.url).path.rsplit("/", 1)[-1])
    assert (lead.name, lead.company, float(lead.data["budget"])) == (
        "Ada Lovelace",
        "Analytical Engines",
        12000.0,
    )
    screenshot(page)
