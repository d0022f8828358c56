"""The web app: its built files (`frontend/dist/`) served by this same service.

Vite names every asset `assets/<name>-<hash>.<ext>`, so WhiteNoise may let browsers keep them
forever; `index.html` names the current assets and is revalidated on every load. Every page
address the app routes on the client (`/leads/LEAD-...`, `/settings/users`) answers with
`index.html`, so a reload or a shared link works.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings as django_settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe
from whitenoise.middleware import WhiteNoiseMiddleware

ASSETS_PREFIX = "/assets/"

NOT_BUILT_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Lead CRM: web app not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto;">
<h1>The web app is not built</h1>
<p>This service serves the web app from <code>frontend/dist/</code>, which does not exist yet.
Run <code>make run</code>: it builds the web app, then serves it here.</p>
<p>The API works meanwhile: <a href="/api/docs/">/api/docs/</a>.</p>
</body>
</html>
"""


def web_app_dir() -> Path:
    return Path(django_settings.LEADCRM_WEB_APP_DIR)


# WhiteNoise ships no type information, so its class is `Any` to mypy.
class WebAppStaticMiddleware(WhiteNoiseMiddleware):  # type: ignore[misc]
    """WhiteNoise for `/static/` (the API docs' files) and the web app's `/assets/`.

    Only `assets/` is added, not the whole build: `index.html` must go through `web_app` below,
    which sets the CSRF cookie and forbids caching it.
    """

    def __init__(self, get_response: Any = None, settings: Any = django_settings) -> None:
        super().__init__(get_response, settings)
        assets = Path(settings.LEADCRM_WEB_APP_DIR) / "assets"
        # Autorefresh (DEBUG) looks files up per request, so a later build is found; otherwise
        # files are listed once, here, and a missing build simply has no assets.
        if self.autorefresh or assets.is_dir():
            self.add_files(str(assets), prefix=ASSETS_PREFIX)


@require_safe
@ensure_csrf_cookie
def web_app(request: HttpRequest) -> HttpResponse:
    """`index.html` for every client-side route; a page saying how to build it when missing."""
    try:
        html = (web_app_dir() / "index.html").read_bytes()
    except FileNotFoundError:
        response = HttpResponse(NOT_BUILT_PAGE, status=503, content_type="text/html; charset=utf-8")
        response["Cache-Control"] = "no-store"
        return response
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    # Revalidate every time: a new build changes which hashed assets the page loads.
    response["Cache-Control"] = "no-cache"
    return response
