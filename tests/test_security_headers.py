"""Security headers on every response: the API, the web app, static files, the docs, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from tests.builders import admin_client


@pytest.fixture
def built_app(tmp_path: Path, settings: Settings) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(
        '<!doctype html><script type="module" src="/assets/index-Ab3_x-9Z.js"></script>'
    )
    (tmp_path / "assets" / "index-Ab3_x-9Z.js").write_text("console.log(1)")
    settings.LEADCRM_WEB_APP_DIR = tmp_path
    return tmp_path


def _directives(response: object) -> dict[str, str]:
    policy: str = response["Content-Security-Policy"]  # type: ignore[index]
    pairs = (part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return {name: value for name, value in pairs}


@pytest.mark.usefixtures("built_app")
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/leads/LEAD-202611-00001",
        "/assets/index-Ab3_x-9Z.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
        "/api/docs/",
        "/api/schema/",
        "/api/leads/",
        "/api/no-such-thing/",
        "/healthz",
    ],
)
def test_every_response_carries_the_security_headers(client: Client, path: str) -> None:
    response = client.get(path)

    directives = _directives(response)
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_an_error_response_of_a_signed_in_call_carries_them_too() -> None:
    response = admin_client().put("/api/config/", {}, format="json")

    assert response.status_code == 405
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_hsts_is_sent_over_https_when_secure_cookies_are_on(
    client: Client, settings: Settings
) -> None:
    # What LEADCRM_SECURE_COOKIES=1 sets (settings read the environment once, at start-up).
    settings.SECURE_HSTS_SECONDS = 365 * 24 * 3600

    response = client.get("/healthz", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000"


def test_no_hsts_without_secure_cookies(client: Client) -> None:
    assert "Strict-Transport-Security" not in client.get("/healthz", secure=True)
