"""Browser tests: the built web app in Debian's Chromium, driven by Playwright, against the service.

The service runs IN this process (uvicorn in a thread on a free port: tests/live_server.py), so
it shares the store configuration: the autouse `database` fixture of tests/conftest.py gives
each test an empty database, and the pages see what the test seeded through the builders.

No Playwright browser is ever downloaded: Chromium comes from apt. Without it the browser tests
are skipped and the run ends with a banner saying so, unless LEADCRM_REQUIRE_BROWSER=1 (set by
.ci/run) turns the missing browser into a failure.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from leads.domain.enums import UserRole
from leads.domain.models import User
from tests.builders import PASSWORD, make_user
from tests.live_server import asgi_server

from .helpers import SCREENSHOTS, JobWorker, Screenshot, SignedInPage

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
# Every wait is bounded well under the 30 s a whole test may take.
ACTION_TIMEOUT_MS = 10_000
NAVIGATION_TIMEOUT_MS = 15_000

_BROWSER_MISSING = pytest.StashKey[str]()
_CALL_REPORT = pytest.StashKey[pytest.TestReport]()

expect.set_options(timeout=ACTION_TIMEOUT_MS)


def _browser_required() -> bool:
    return os.environ.get("LEADCRM_REQUIRE_BROWSER", "").strip().lower() in ("1", "true", "yes")


def _artifact_name(node: pytest.Item) -> str:
    return re.sub(r"[^\w.-]+", "_", node.name).strip("_")


# --- the service ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def live_url() -> Iterator[str]:
    """The base URL of the service, serving the built web app, on 127.0.0.1 and a free port."""
    index = Path(settings.LEADCRM_WEB_APP_DIR) / "index.html"
    if not index.is_file():
        pytest.fail(
            f"the web app is not built ({index} is missing): run `make test`, which builds the "
            "front end before the tests",
            pytrace=False,
        )
    with asgi_server() as port:
        yield f"http://127.0.0.1:{port}"


# --- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(request: pytest.FixtureRequest) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} not found (apt-get install chromium)"
        if _browser_required():
            pytest.fail(f"LEADCRM_REQUIRE_BROWSER is set and {problem}", pytrace=False)
        request.config.stash[_BROWSER_MISSING] = problem
        # Only on a developer machine without Chromium: .ci/run sets LEADCRM_REQUIRE_BROWSER,
        # so there a missing browser fails above; the session's summary names the skip.
        pytest.skip(f"BROWSER TESTS DID NOT RUN: {problem}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report: pytest.TestReport = yield
    if report.when == "call":
        item.stash[_CALL_REPORT] = report
    return report


@pytest.fixture
def page(browser: Browser, live_url: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context (no cookies) at 1280x800 per test; relative URLs go to the service.

    A failed test leaves `test-artifacts/screenshots/<test>-failed.png`; an uncaught error in the
    page fails the test even when its assertions passed.
    """
    context = browser.new_context(base_url=live_url, viewport=VIEWPORT)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    new_page = context.new_page()
    page_errors: list[str] = []
    new_page.on("pageerror", lambda error: page_errors.append(f"{error.name}: {error.message}"))
    try:
        yield new_page
        report = request.node.stash.get(_CALL_REPORT, None)
        if report is not None and report.failed and not new_page.is_closed():
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            new_page.screenshot(path=SCREENSHOTS / f"{_artifact_name(request.node)}-failed.png")
    finally:
        context.close()
    if page_errors:
        pytest.fail("uncaught errors in the page:\n" + "\n".join(page_errors), pytrace=False)


def sign_in(page: Page, user: User, *, path: str = "/") -> Page:
    """Sign `user` in through the real login form, then open `path`.

    `path` is opened by itself rather than through the form's `?next=`: test_sign_in.py tests
    that redirect, and the other flows should not fail for it.
    """
    page.goto("/login")
    page.locator('input[name="username"]').fill(user.username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("me-name")).to_be_visible()
    if path != "/":
        page.goto(path)
    return page


@pytest.fixture
def signed_in_page(page: Page) -> SignedInPage:
    """`signed_in_page("viewer")` (or `user=...`): the page, signed in through the login form."""

    def open_as(
        role: UserRole | str = UserRole.MEMBER, *, user: User | None = None, path: str = "/"
    ) -> Page:
        return sign_in(page, user or make_user(role), path=path)

    return open_as


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Screenshot:
    """Saves `test-artifacts/screenshots/<test name>[-<label>].png` (git-ignored), to look at."""

    def save(page: Page, label: str = "") -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = _artifact_name(request.node) + (f"-{label}" if label else "")
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return save


# --- the job worker ------------------------------------------------------------------------

# Idle, the worker asks for a job this often: a short pause keeps the browser specs quick.
WORKER_POLL_SECONDS = 0.2


@pytest.fixture
def job_worker() -> Iterator[JobWorker]:
    """`job_worker()` starts a job worker (as `manage.py worker` runs) in a thread of this
    process, on the test's database; it is stopped at the end of the test. Jobs queued before
    the call wait in the queue, as they would with every worker down."""
    from leads.services.jobs import worker_loop

    stop = threading.Event()
    threads: list[threading.Thread] = []

    def start() -> None:
        thread = threading.Thread(
            target=worker_loop,
            kwargs={"stop": stop, "owner": "e2e-worker", "poll_seconds": WORKER_POLL_SECONDS},
            name="e2e-worker",
            daemon=True,
        )
        thread.start()
        threads.append(thread)

    yield start
    stop.set()
    for thread in threads:
        thread.join(timeout=10)


# --- a run without the browser must say so ---------------------------------------------------


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    # Under pytest-xdist the browser fixture runs in the workers, whose stash this is not:
    # there only the skips' reasons come back.
    marker = "BROWSER TESTS DID NOT RUN: "
    reasons = [
        reason.split(marker, 1)[1]
        for report in terminalreporter.stats.get("skipped", [])
        if marker in (reason := _skip_reason(report))
    ]
    problem = config.stash.get(_BROWSER_MISSING, None) or (reasons[0] if reasons else None)
    if problem is None:
        return
    skipped = len(reasons)
    write = terminalreporter.write_line
    terminalreporter.write_sep("!", "BROWSER TESTS DID NOT RUN", red=True, bold=True)
    write(f"BROWSER TESTS DID NOT RUN: {problem}", red=True, bold=True)
    write(f"{skipped} end-to-end tests were skipped: the web app was NOT tested in a browser.")
    write("Install Chromium (sudo apt-get install chromium) and run `make test` again;")
    write("LEADCRM_REQUIRE_BROWSER=1 (as .ci/run sets it) makes a missing browser a failure.")
    terminalreporter.write_sep("!", "BROWSER TESTS DID NOT RUN", red=True, bold=True)


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    # A skip's longrepr is (path, line, "Skipped: <reason>").
    return str(longrepr[2]) if isinstance(longrepr, tuple) else str(longrepr)
