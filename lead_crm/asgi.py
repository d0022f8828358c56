"""What `manage.py serve` runs: gunicorn with uvicorn workers (lead_crm.workers) serving this.

ASGI. Every path but one goes to Django's ASGI handler: each request's sync code (middleware,
DRF view) runs in a thread, as Django does under ASGI. `GET /api/events/` goes to
leads.api.stream_handler, which runs the same middleware and view in a borrowed thread and then
drives the open stream from the event loop alone, so an idle stream holds no thread.
"""

import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lead_crm.settings")

# First: it sets Django up, which the stream handler's middleware needs.
django_application = get_asgi_application()

from leads.api.stream_handler import EventStreamHandler, is_event_stream  # noqa: E402

event_streams = EventStreamHandler()


async def application(scope: Any, receive: Any, send: Any) -> None:
    if is_event_stream(scope):
        await event_streams(scope, receive, send)
    else:
        await django_application(scope, receive, send)
