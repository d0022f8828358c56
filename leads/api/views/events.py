"""GET /api/events/: the live board's Server-Sent Events stream (DESIGN section 10).

A DRF view like every other endpoint (the same authentication, permissions, error handler and
schema); only the body is asynchronous. The view finds where the stream starts (two round
trips at most) and hands back an async iterator. Under ASGI this path is served by
leads.api.stream_handler: the view runs in a borrowed thread that goes back to the pool when
it returns, and the open stream is a task in the event loop that waits on its queue
(leads/api/streams.py), holding no thread.
"""

from __future__ import annotations

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from leads.domain.errors import ValidationFailed
from leads.selectors.events import event_stream_start

from ..schemas import EventOut
from ..streams import event_stream
from .base import ERRORS, OwnBody

STREAM_DESCRIPTION = """\
Server-Sent Events (text/event-stream), for every signed-in role. It opens with `retry: 3000`
and an event `ready` whose `id` is the position the stream starts after (`data: {"seq": N}`).
Then one event per write, in order: `id: <seq>`, `event: <kind>` (lead.created, lead.updated,
lead.moved, lead.deleted, stage.changed, config.changed), `data:` an EventOut JSON object (what
changed and who did it, never field values). A reconnecting client sends `Last-Event-ID` and
misses nothing; when events it missed are no longer kept, an event `resync` (`data: {}`) tells it
to reload what it shows, and the stream goes on from the newest. A comment `: heartbeat` comes
when the stream has been idle for 15 s. Events are announced by the worker process
(`manage.py worker`, which `manage.py serve` runs), within about a second of the write."""

# A seq is a positive integer; anything longer than this is not one of ours.
_MAX_ID_DIGITS = 18


def _last_event_id(request: Request) -> int | None:
    header = request.headers.get("Last-Event-ID", "").strip()
    if not header:
        return None
    if not header.isdigit() or len(header) > _MAX_ID_DIGITS:
        raise ValidationFailed.on("Last-Event-ID", "must be the id of an event this stream sent")
    return int(header)


class EventStreamView(APIView):
    content_negotiation_class = OwnBody

    @extend_schema(
        operation_id="events_stream",
        description=STREAM_DESCRIPTION,
        parameters=[
            OpenApiParameter(
                "Last-Event-ID",
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                description="the `id` of the last event received (browsers send it when they "
                "reconnect)",
            )
        ],
        responses={
            # OpenAPI 3.0 cannot describe an event stream; the schema given is that of each
            # event's `data`, so the web app's generated types include it.
            (200, "text/event-stream"): OpenApiResponse(
                EventOut,
                description="the event stream (see above); each event's `data` is this object",
            ),
            **{(status, "application/json"): model for status, model in ERRORS.items()},
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        start = event_stream_start(last_event_id=_last_event_id(request))
        return StreamingHttpResponse(
            event_stream(start),
            content_type="text/event-stream",
            headers={
                "Cache-Control": "no-cache",
                # nginx (and proxies like it) would otherwise hold the events in its buffer.
                "X-Accel-Buffering": "no",
            },
        )
