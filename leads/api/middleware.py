"""What holds for every response under /api/, whichever view (or none) answers it.

Query strings are checked once here, for every endpoint; the database work of a request runs
under one deadline, and a request that failed because the replica set was electing a new
primary runs again once it has one (see `_serve`); an error Django raises or answers
itself (a 404 it routes, a body too large, an exception no view caught) leaves in the API's
error shape, through the one exception handler in `errors.py`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from leads.domain.errors import ValidationFailed
from leads.store.connection import await_primary, deadline, request_journal, timeout_ms

from .errors import PayloadTooLarge, error_body, exception_handler
from .parsers import check_query

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
# A request that hit an election waits this long (from its start) for the new primary: a
# normal election (10 s without the old primary, then the vote) ends well within it.
FAILOVER_WAIT_SECONDS = 15.0
# ... and runs again within this bound in all, under gunicorn's 30 s worker timeout.
FAILOVER_BOUND_SECONDS = 20.0
# What Django's own pages say for statuses no API view answers.
_BARE_STATUSES = {
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This method is not allowed here."),
    413: ("payload_too_large", "The request body is too large."),
    500: ("server_error", "Something went wrong on our side."),
}


def _rendered(response: Response | None) -> HttpResponse:
    if response is None:  # the handler answers everything; keep mypy and readers sure of it
        response = Response(error_body(*_BARE_STATUSES[500]), status=500)
    response.accepted_renderer = JSONRenderer()
    response.accepted_media_type = "application/json"
    response.renderer_context = {}  # type: ignore[attr-defined]
    response.render()
    return response


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


class ApiBoundaryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _is_api(request):
            return self.get_response(request)
        try:
            check_query(request.GET)
        except ValidationFailed as exc:
            return _rendered(exception_handler(exc, {}))
        if request.content_type == "multipart/form-data":
            # An upload (an import's file, up to 50 MB) streams to its view instead of being
            # held in memory for a second run: it runs once, and its view bounds its size.
            with deadline(timeout_ms() / 1000):
                response = self.get_response(request)
        else:
            try:
                # Read now, so that a second run of the request can parse it again.
                request.body  # noqa: B018
            except RequestDataTooBig:
                return _rendered(exception_handler(PayloadTooLarge(), {}))
            response = self._serve(request)
        is_json = response.get("Content-Type", "").startswith("application/json")
        if response.status_code in _BARE_STATUSES and not is_json:
            # Django's HTML page (a 404 from its resolver, a 500 it rendered itself).
            return _rendered(
                Response(error_body(*_BARE_STATUSES[response.status_code]), response.status_code)
            )
        return response

    def _serve(self, request: HttpRequest) -> HttpResponse:
        """Run the request under one deadline for all its database operations; run it again
        when it failed for lack of a primary and no write of its earlier run can have landed
        unnoticed (see RequestJournal), once the new primary answers."""
        started = time.monotonic()
        with request_journal() as journal:
            while True:
                left = started + FAILOVER_BOUND_SECONDS - time.monotonic()
                with deadline(min(timeout_ms() / 1000, left)):
                    response = self.get_response(request)
                if not journal.rerunnable:
                    return response
                if not await_primary(started + FAILOVER_WAIT_SECONDS):
                    return response
                logger.warning("re-running %s %s after an election", request.method, request.path)
                journal.next_run()

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not _is_api(request):
            return None
        if isinstance(exc, RequestDataTooBig):
            return _rendered(exception_handler(PayloadTooLarge(), {}))
        return _rendered(exception_handler(exc, {}))
