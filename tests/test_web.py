"""The built web app through Django: index.html for client routes, cached assets, the API apart."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

INDEX = (
    '<!doctype html><html><head><script type="module" src="/assets/index-Ab3_x-9Z.js">'
    "</script></head><body><div id=root></div></body></html>"
)
# Long enough for gzip to pay off: WhiteNoise sends the smallest variant.
SCRIPT = "console.log('lead crm');\n" * 50


@pytest.fixture
def built_app(tmp_path: Path, settings: Settings) -> Path:
    """A tiny stand-in for `frontend/dist/`; each test's client builds its middleware afresh."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "index-Ab3_x-9Z.js").write_text(SCRIPT)
    # What `make web` adds next to every asset (python -m whitenoise.compress).
    (tmp_path / "assets" / "index-Ab3_x-9Z.js.gz").write_bytes(gzip.compress(SCRIPT.encode()))
    (tmp_path / "assets" / "notes.txt").write_text("not hashed")
    settings.LEADCRM_WEB_APP_DIR = tmp_path
    return tmp_path


def _is_the_app(response: Any) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    assert response.content.decode() == INDEX
    # The app reads it to send X-CSRFToken with its first POST (the login form).
    assert response.cookies["csrftoken"].value


@pytest.mark.usefixtures("built_app")
def test_the_home_page_is_the_app_with_a_csrf_cookie(client: Client) -> None:
    _is_the_app(client.get("/"))


@pytest.mark.usefixtures("built_app")
@pytest.mark.parametrize(
    "path", ["/leads/LEAD-202611-00001", "/settings/users", "/login?next=%2Fleads", "/leads/new"]
)
def test_a_client_route_reloads_as_the_app(client: Client, path: str) -> None:
    _is_the_app(client.get(path))


@pytest.mark.usefixtures("built_app")
def test_the_app_answers_only_reads(client: Client) -> None:
    assert client.post("/leads/").status_code == 405


@pytest.mark.usefixtures("built_app")
def test_hashed_assets_are_cached_for_good(client: Client) -> None:
    response = client.get("/assets/index-Ab3_x-9Z.js")

    assert response.status_code == 200
    assert response.getvalue() == SCRIPT.encode()
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"


@pytest.mark.usefixtures("built_app")
def test_an_asset_goes_gzipped_to_browsers_that_accept_it(client: Client) -> None:
    response = client.get("/assets/index-Ab3_x-9Z.js", HTTP_ACCEPT_ENCODING="gzip, br")

    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.getvalue()) == SCRIPT.encode()
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"


@pytest.mark.usefixtures("built_app")
def test_an_unhashed_asset_is_cached_briefly(client: Client) -> None:
    response = client.get("/assets/notes.txt")

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=60, public"


@pytest.mark.usefixtures("built_app")
@pytest.mark.parametrize("path", ["/assets/index-0ld0ld00.js", "/static/missing.css"])
def test_a_missing_file_is_a_404_not_the_app(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert "csrftoken" not in response.cookies


@pytest.mark.usefixtures("built_app")
@pytest.mark.parametrize("path", ["/api/unknown/", "/api"])
def test_unknown_api_paths_stay_json_404s(client: Client, path: str) -> None:
    response = client.get(path, follow=True)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.usefixtures("built_app")
def test_health_is_not_the_app(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.usefixtures("built_app")
def test_the_api_docs_and_their_static_files_still_work(client: Client) -> None:
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    bundle = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")

    assert bundle.status_code == 200
    assert bundle["Cache-Control"] == "max-age=60, public"


def test_without_a_build_the_home_page_says_how_to_build_it(
    client: Client, settings: Settings, tmp_path: Path
) -> None:
    settings.LEADCRM_WEB_APP_DIR = tmp_path / "dist"

    response = client.get("/")

    assert response.status_code == 503
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "web app is not built" in page
    assert "make run" in page
