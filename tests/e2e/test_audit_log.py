"""An admin edits a stage and finds the change in Settings → Audit log: who, what (old -> new),
which stage, and from where; the kind filter narrows the table."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from leads.domain.enums import UserRole
from tests.builders import make_pipeline, make_user

from .helpers import Screenshot, SignedInPage


def test_an_admin_edits_a_stage_and_sees_it_in_the_audit_log(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    stages = make_pipeline()
    new = stages["new"].uid
    admin = make_user(UserRole.ADMIN, username="ada")
    page = signed_in_page(user=admin, path="/settings/stages")

    page.get_by_test_id(f"edit-stage-{new}").click()
    form = page.get_by_test_id("stage-form")
    form.get_by_role("textbox", name=re.compile("^Name")).fill("Fresh leads")
    page.get_by_role("button", name="Save stage").click()
    expect(form).to_have_count(0)
    page.get_by_test_id("settings-tab-audit").click()

    table = page.get_by_test_id("audit-table")
    newest = table.get_by_test_id("audit-row").first
    expect(newest).to_have_attribute("data-action", "stage.updated")
    expect(newest).to_contain_text("ada")
    expect(newest).to_contain_text("Stage changed")
    expect(newest).to_contain_text("name: New → Fresh leads")
    expect(newest).to_contain_text(new)
    expect(newest).to_contain_text("127.0.0.1")
    expect(newest).to_contain_text("HeadlessChrome")
    screenshot(page, "audit-log")

    page.get_by_test_id("audit-kind").select_option("auth")
    expect(table.get_by_test_id("audit-row").first).to_have_attribute(
        "data-action", "auth.signed_in"
    )
    expect(table.locator('[data-action="stage.updated"]')).to_have_count(0)


def test_members_have_no_audit_log_tab(signed_in_page: SignedInPage) -> None:
    make_pipeline()
    page = signed_in_page(UserRole.MEMBER, path="/settings/audit")

    expect(page.get_by_test_id("settings-tab-audit")).to_have_count(0)
    expect(page.get_by_test_id("audit-table")).to_have_count(0)
