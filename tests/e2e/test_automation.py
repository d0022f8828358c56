"""An admin adds the rule "When a lead enters Contacted, add the task 'Call back'" in Settings →
Automation; a card moved to Contacted on the board then has that task on its lead page, and the
rule counts the run."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Page, expect

from leads.domain.enums import UserRole
from leads.services.automation_runs import run_automation
from leads.services.events import read_events
from leads.store import automation as automation_store
from leads.store import events as event_store
from tests.builders import make_pipeline, make_user
from tests.webhook_helpers import wait_until

from .helpers import Screenshot, SignedInPage, card, column, drag, is_kanban_move, ready_lead

SENTENCE = "When a lead enters Contacted, add the task “Call back”."


@contextmanager
def automation_worker() -> Iterator[None]:
    """The change-stream reader and the automation executor, as `manage.py worker` runs them."""
    stop = threading.Event()
    threads = [
        threading.Thread(target=run, kwargs={"stop": stop, "owner": "e2e-automation"}, daemon=True)
        for run in (read_events, run_automation)
    ]
    for thread in threads:
        thread.start()
    try:
        wait_until(
            lambda: (
                event_store.reader_token() is not None
                and automation_store.executor_position() is not None
            ),
            "the reader and the executor to start",
        )
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=20)


def add_call_back_rule(page: Page, contacted: str, screenshot: Screenshot) -> None:
    page.get_by_test_id("add-rule").click()
    form = page.get_by_test_id("rule-form")
    form.locator('[name="name"]').fill("Call back contacted leads")
    # A rule without a stage is refused by the server, at the stage's input.
    page.get_by_role("button", name="Add rule", exact=True).click()
    stage_field = form.locator(".field", has=page.locator('[name="trigger-stage"]'))
    expect(stage_field.locator(".field-error")).to_be_visible()
    form.locator('[name="trigger-stage"]').select_option(contacted)
    form.locator('[name="action-0-kind"]').select_option("add_task")
    form.locator('[name="action-0-title"]').fill("Call back")
    screenshot(page, "rule-form")
    page.get_by_role("button", name="Add rule", exact=True).click()
    expect(form).to_have_count(0)


def test_a_rule_added_in_settings_adds_its_task_when_a_card_enters_the_stage(
    signed_in_page: SignedInPage, screenshot: Screenshot
) -> None:
    stages = make_pipeline()
    contacted = stages["contacted"].uid
    admin = make_user(UserRole.ADMIN, username="ada")
    lead = ready_lead(admin, name="Grace Hopper", company="Harvard Mark I")
    page = signed_in_page(user=admin, path="/settings/automation")
    expect(page.get_by_text("No rules yet")).to_be_visible()

    add_call_back_rule(page, contacted, screenshot)
    rule = page.get_by_test_id("rule-card")
    expect(rule.get_by_test_id("rule-sentence")).to_have_text(SENTENCE)
    expect(rule.get_by_test_id("rule-stats")).to_contain_text("0 runs")
    screenshot(page, "rule-added")

    with automation_worker():
        page.goto("/")
        with page.expect_response(is_kanban_move) as move:
            drag(page, card(page, lead.uid), column(page, contacted))
        assert move.value.status == 200, move.value.text()

        page.goto(f"/leads/{lead.uid}")
        tasks = page.get_by_test_id("tasks")
        # The lead page follows the rule's change live, or on a reload.
        expect(tasks).to_contain_text("Send intro email")
        for _ in range(20):
            if "Call back" in tasks.inner_text():
                break
            page.wait_for_timeout(500)
            page.reload()
        expect(tasks).to_contain_text("Call back")
        expect(page.get_by_test_id("timeline")).to_contain_text("Rule “Call back contacted leads”")
        screenshot(page, "lead-with-task")

        page.goto("/settings/automation")
        stats = rule.get_by_test_id("rule-stats")
        expect(stats).to_contain_text(re.compile(r"^1 run · 0 failures"))
        rule.get_by_test_id("toggle-runs").click()
        expect(rule.get_by_test_id("run-row")).to_have_attribute("data-status", "ok")
        expect(rule.get_by_test_id("run-row")).to_contain_text(lead.uid)
        screenshot(page, "rules-1280")
        page.set_viewport_size({"width": 1920, "height": 1080})
        screenshot(page, "rules-1920")
