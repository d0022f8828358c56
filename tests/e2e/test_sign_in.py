"""Sign in and out through the login form; the session cookie and CSRF carry the rest."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from leads.domain.enums import UserRole
from leads.domain.errors import InvalidCredentials
from leads.services import users as user_services
from tests.builders import PASSWORD, make_pipeline, make_user

from .helpers import Screenshot, SignedInPage

pytestmark = pytest.mark.usefixtures("pipeline")


@pytest.fixture
def pipeline() -> None:
    make_pipeline()


def test_signing_in_shows_the_board_and_who_is_signed_in(page: Page) -> None:
    user = make_user(UserRole.MEMBER, username="ada")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))

    page.locator('input[name="username"]').fill("ada")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_test_id("board")).to_be_visible()
    expect(page.get_by_test_id("me-name")).to_contain_text(user.display_name)
    assert urlparse(page.url).path == "/"
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["sessionid"]["httpOnly"], "the session cookie must be out of scripts' reach"


def test_signing_in_from_a_deep_link_opens_that_page(page: Page) -> None:
    make_user(UserRole.MEMBER, username="ada")
    page.goto("/leads?q=ada")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fleads%3Fq%3Dada$"))

    page.locator('input[name="username"]').fill("ada")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_test_id("me-name")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/leads\?q=ada$"))
    # The redirect away from /login lands after the first render: give a wrong one time to show.
    page.wait_for_timeout(300)
    expect(page).to_have_url(re.compile(r"/leads\?q=ada$"))


def test_a_wrong_password_shows_the_servers_message_and_stays_on_login(page: Page) -> None:
    make_user(UserRole.MEMBER, username="ada")
    page.goto("/login")

    page.locator('input[name="username"]').fill("ada")
    page.locator('input[name="password"]').fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_have_text("Unknown username or wrong password.")
    assert urlparse(page.url).path == "/login"
    expect(page.get_by_test_id("me-name")).to_have_count(0)


def test_after_ten_failures_the_page_says_how_long_to_wait_and_holds_the_button(
    page: Page, screenshot: Screenshot
) -> None:
    make_user(UserRole.MEMBER, username="ada")
    # The throttle's limit: 10 failures for one username in 15 minutes.
    for _ in range(10):
        with pytest.raises(InvalidCredentials):
            user_services.auth_login(username="ada", password="not the password")
    page.goto("/login")

    page.locator('input[name="username"]').fill("ada")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_have_text(
        "Too many failed sign-ins. Try again in 15 minutes."
    )
    button = page.get_by_role("button", name=re.compile(r"^Try again in 1[45]:\d\d$"))
    expect(button).to_be_disabled()
    label = button.inner_text()
    expect(button).not_to_have_text(label, timeout=3_000)  # it counts down
    screenshot(page, "throttled")
    assert urlparse(page.url).path == "/login"


def test_signing_out_returns_to_login(signed_in_page: SignedInPage) -> None:
    page = signed_in_page(UserRole.MEMBER)

    # Signing out is a POST with the CSRF token: a 403 here would mean the header is missing.
    with page.expect_response("**/api/auth/logout/") as logout:
        page.get_by_role("button", name="Sign out").click()

    assert logout.value.status == 204
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert urlparse(page.url).path == "/login"
    page.reload()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_test_id("me-name")).to_have_count(0)
