"""An admin edits the lost reasons in Settings: a renamed one keeps its value, a new one gets
one from its label."""

from __future__ import annotations

from playwright.sync_api import expect

from leads.domain.enums import UserRole
from leads.selectors.workflow import config_get, stage_get
from tests.builders import make_pipeline, make_user

from .helpers import Screenshot, SignedInPage, set_lost_reasons


def test_an_admin_renames_and_adds_lost_reasons(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    make_pipeline()
    set_lost_reasons()
    page = signed_in_page(user=make_user(UserRole.ADMIN), path="/settings/fields")
    editor = page.get_by_test_id("lost-reasons-editor")
    expect(editor.get_by_test_id("lost-reason-0")).to_have_value("Price")
    editor.get_by_test_id("lost-reason-0").fill("Too expensive")
    editor.get_by_test_id("add-lost-reason").click()
    editor.get_by_test_id("lost-reason-2").fill("Bad timing")
    screenshot(page, "edited")
    page.get_by_test_id("workflow-form").get_by_role("button", name="Save workflow").click()
    expect(page.get_by_test_id("toast").filter(has_text="Workflow settings saved")).to_be_visible()
    reasons = [(r.value, r.label) for r in config_get().lost_reasons]
    assert reasons == [
        ("price", "Too expensive"),
        ("competitor", "Went with a competitor"),
        ("bad_timing", "Bad timing"),
    ]


def test_an_admin_sets_when_a_stage_goes_stale(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    stages = make_pipeline()
    new = stages["new"].uid
    page = signed_in_page(user=make_user(UserRole.ADMIN), path="/settings/stages")
    page.get_by_test_id(f"edit-stage-{new}").click()
    form = page.get_by_test_id("stage-form")
    form.get_by_label("Stale after N days").fill("7")
    screenshot(page, "stage-form")
    page.get_by_role("button", name="Save stage").click()
    expect(form).to_have_count(0)
    assert stage_get(uid=new).rot_after_days == 7
