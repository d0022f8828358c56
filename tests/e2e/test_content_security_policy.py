"""The Content-Security-Policy allows what the web app and the API docs load, and nothing
breaks under it: no violation is reported while they render."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.builders import make_pipeline

from .helpers import SignedInPage


@pytest.fixture
def violations(page: Page) -> Iterator[list[str]]:
    """Every CSP violation the page reports (the browser logs each one to the console)."""
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield seen


def test_the_api_docs_render_under_the_policy(page: Page, violations: list[str]) -> None:
    page.goto("/api/docs/")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Lead CRM API")
    expect(page.locator(".opblock-tag").first).to_be_visible()
    assert violations == []


def test_the_board_renders_under_the_policy(
    signed_in_page: SignedInPage, violations: list[str]
) -> None:
    make_pipeline()

    page = signed_in_page("member")

    expect(page.get_by_test_id("board")).to_be_visible()
    assert violations == []
