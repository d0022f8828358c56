"""An admin adds a webhook in Settings → Integrations pointing at a receiver on 127.0.0.1, copies
its secret (shown once), moves a card on the board, and finds the delivery listed with the
receiver's 200; the receiver got the move, signed with that secret. A test ping shows its result
beside the button."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from leads.domain.enums import UserRole
from tests.builders import make_pipeline, make_user
from tests.webhook_helpers import Receiver, WorkerThreads, wait_until

from .helpers import Screenshot, SignedInPage, card, column, drag, is_kanban_move, ready_lead


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    # The receiver is on loopback: the server refuses such URLs unless this is set.
    monkeypatch.setenv("LEADCRM_WEBHOOK_ALLOW_PRIVATE", "1")
    started = Receiver().start()
    yield started
    started.stop()


def add_webhook(page: Page, url: str, screenshot: Screenshot) -> str:
    """Adds a webhook for every event through the form; returns the secret the dialog shows."""
    page.get_by_test_id("add-webhook").click()
    form = page.get_by_test_id("webhook-form")
    url_field = form.locator(".field", has=page.get_by_test_id("webhook-url"))
    # The server's refusal shows under the input it names.
    form.get_by_test_id("webhook-url").fill("ftp://example.com/hook")
    page.get_by_role("button", name="Add webhook", exact=True).click()
    expect(url_field.locator(".field-error")).to_contain_text("http")
    screenshot(page, "url-refused")
    form.get_by_test_id("webhook-url").fill(url)
    page.get_by_role("button", name="Add webhook", exact=True).click()
    dialog = page.get_by_test_id("secret-dialog")
    expect(dialog).to_contain_text("You will not see this secret again")
    secret = dialog.get_by_test_id("webhook-secret").input_value()
    assert len(secret) >= 16
    return secret


def test_a_card_moved_after_adding_a_webhook_is_delivered_signed_and_listed_as_200(
    signed_in_page: SignedInPage, receiver: Receiver, screenshot: Screenshot
) -> None:
    stages = make_pipeline()
    contacted = stages["contacted"].uid
    admin = make_user(UserRole.ADMIN, username="ada")
    lead = ready_lead(admin, name="Grace Hopper", company="Harvard Mark I")

    with WorkerThreads(owner="e2e-webhooks"):
        page = signed_in_page(user=admin, path="/settings/integrations")
        expect(page.get_by_text("No webhooks yet")).to_be_visible()
        receiver.secret = add_webhook(page, receiver.url, screenshot)
        screenshot(page, "secret-once")
        page.get_by_test_id("secret-done").click()
        webhook = page.get_by_test_id("webhook-card")
        expect(webhook.get_by_test_id("webhook-card-url")).to_have_text(receiver.url)
        expect(webhook.get_by_test_id("webhook-state")).to_have_text("Active")

        page.goto("/")
        with page.expect_response(is_kanban_move) as move:
            drag(page, card(page, lead.uid), column(page, contacted))
        assert move.value.status == 200, move.value.text()

        wait_until(
            lambda: any(body["event"] == "lead.moved" for body in receiver.bodies()),
            "the move's delivery",
        )
        page.goto("/settings/integrations")
        webhook.get_by_test_id("toggle-deliveries").click()
        moved = webhook.locator('[data-testid="delivery-row"][data-event="lead.moved"]')
        expect(moved).to_have_attribute("data-status", "delivered")
        expect(moved.get_by_test_id("delivery-code")).to_have_text("200")
        expect(moved).to_contain_text(lead.uid)

        webhook.get_by_test_id("send-test").click()
        expect(webhook.get_by_test_id("ping-result")).to_contain_text("Delivered · 200")
        screenshot(page, "deliveries-1280")
        page.set_viewport_size({"width": 1920, "height": 1080})
        screenshot(page, "deliveries-1920")

    moves = [entry for entry in receiver.received if entry.body["event"] == "lead.moved"]
    assert len(moves) == 1
    assert moves[0].verified, "the signature does not match the secret the UI showed"
    assert moves[0].headers["X-LeadCRM-Event"] == "lead.moved"
    assert moves[0].body["lead"]["uid"] == lead.uid
    assert (moves[0].body["from_stage"], moves[0].body["to_stage"]) == (
        stages["new"].uid,
        contacted,
    )
    pings = [entry for entry in receiver.received if entry.body["event"] == "ping"]
    assert len(pings) == 1 and pings[0].verified
