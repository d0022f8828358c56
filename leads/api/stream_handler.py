"""The ASGI handler of `GET /api/events/` (lead_crm/asgi.py routes that one path here): an open
event stream holds no thread.

Django's own ASGI handler runs a request's sync code (the middleware, the DRF view) in a
thread of its own and keeps that thread, idle and blocked, until the response ends: for a
stream that never ends, one parked OS thread per open stream (505 threads for 500 streams,
bench/RESULTS.md "Idle event streams"). This handler is Django's, with one difference: the
request runs through the SAME sync middleware and view (security headers, the API's checks and
error shape, authentication by bearer token or session cookie, Last-Event-ID, where the
stream starts) in a thread borrowed from the event loop's shared pool for as long as that takes
(a few milliseconds, two or three round trips), and the thread goes back to the pool when the
view returns. The body the view hands back is an async iterator (leads/api/streams.py) that
the event loop alone drives from then on: one implementation of the stream, and the view
remains the one place that decides who may open it.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.http import HttpRequest, HttpResponseBase

EVENTS_PATH = "/api/events/"


class EventStreamHandler(ASGIHandler):
    def __init__(self) -> None:
        # BaseHandler's, not ASGIHandler's: the middleware chain in its sync form, run in a
        # borrowed thread, rather than the async form that pins a thread per request.
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        # No ThreadSensitiveContext (which would create the thread that outlives the view):
        # the few thread-sensitive calls left in `handle` (the request signals, closing the
        # response) go to asgiref's one process-wide thread instead, a fixed cost.
        await self.handle(scope, receive, send)

    async def run_get_response(self, request: HttpRequest) -> HttpResponseBase:
        run = sync_to_async(self.get_response, thread_sensitive=False)
        response = await run(request)
        response._handler_class = self.__class__  # type: ignore[attr-defined]
        return response


def is_event_stream(scope: dict[str, Any]) -> bool:
    """Whether an ASGI connection asks for the event stream: the path as Django resolves it
    (after the root path the server mounts the app under)."""
    if scope["type"] != "http":
        return False
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path == EVENTS_PATH
