"""A signed-out page load shows the login form without a red error in the console."""

from __future__ import annotations

import re

from playwright.sync_api import ConsoleMessage, Page, expect


def test_a_signed_out_page_load_logs_no_error(page: Page) -> None:
    errors: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", note)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.reload()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert errors == []
