"""Event streams (GET /api/events/): one poller per event loop fans new events out to every open
stream of its process, so 500 open streams cost one query per tick, not 500.

A server process (a uvicorn worker) runs one event loop, so one hub. The poller runs only while
some stream is open; each stream has a bounded queue, and one that falls that far behind (a
client that does not read) is told to resync instead of holding events in memory.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from django.conf import settings

from leads.domain.events import Event
from leads.selectors.events import StreamStart, event_list_after

from .mappers import event_out
from .schemas import EventReadyOut

logger = logging.getLogger(__name__)

# Events read per query, by the poller and by a stream catching up from its Last-Event-ID.
PAGE = 500
# Batches a stream may have waiting before it is told to resync (see `Subscriber.offer`).
QUEUE_BATCHES = 64
# What the browser waits before reconnecting a dropped stream (EventSource's `retry`).
RETRY_MS = 3000


@dataclass(frozen=True)
class Resync:
    """The stream fell behind: the client reloads, and the stream goes on after `after`."""

    after: int


class End:
    """The server is stopping: the stream ends and the browser reconnects elsewhere."""


# An event as the stream sends it, rendered once per process rather than once per stream.
Frame = tuple[int, bytes]
Item = list[Frame] | Resync | End


@dataclass(eq=False)
class Subscriber:
    queue: asyncio.Queue[Item] = field(default_factory=lambda: asyncio.Queue(QUEUE_BATCHES))

    def offer(self, batch: list[Frame]) -> None:
        try:
            self.queue.put_nowait(batch)
        except asyncio.QueueFull:
            self._replace_all(Resync(after=batch[-1][0]))

    def end(self) -> None:
        self._replace_all(End())

    def _replace_all(self, item: Item) -> None:
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(item)


class EventHub:
    def __init__(self) -> None:
        self._subscribers: set[Subscriber] = set()
        self._poller: asyncio.Task[None] | None = None
        # The newest seq handed to the subscribers; None while no poller runs.
        self.position: int | None = None

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def subscribe(self, after: int) -> Subscriber:
        subscriber = Subscriber()
        self._subscribers.add(subscriber)
        if self._poller is None:
            self.position = after
            # A fresh context: the poller outlives the request that starts it, and must not
            # inherit that request's database deadline (pymongo keeps it in a context var).
            self._poller = asyncio.get_running_loop().create_task(
                self._poll(), name="event-poller", context=contextvars.Context()
            )
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    def end_all(self) -> None:
        for subscriber in self._subscribers:
            subscriber.end()

    async def _poll(self) -> None:
        interval = settings.LEADCRM_EVENTS_POLL_SECONDS
        try:
            while self._subscribers and self.position is not None:
                try:
                    batch = await asyncio.to_thread(event_list_after, seq=self.position, limit=PAGE)
                except Exception:
                    # The database is away (an election, a restart): the streams stay open and
                    # the next tick tries again from the same position.
                    logger.warning("reading new events failed; trying again", exc_info=True)
                    await asyncio.sleep(interval)
                    continue
                if batch:
                    self.position = batch[-1].seq
                    frames = [(event.seq, _frame(event)) for event in batch]
                    for subscriber in list(self._subscribers):
                        subscriber.offer(frames)
                if len(batch) < PAGE:
                    await asyncio.sleep(interval)
        finally:
            # No await since the loop's last check: no stream subscribed in between.
            self._poller = None
            self.position = None


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, EventHub] = weakref.WeakKeyDictionary()


def hub() -> EventHub:
    """The hub of the running event loop (the process's, under uvicorn)."""
    loop = asyncio.get_running_loop()
    found = _hubs.get(loop)
    if found is None:
        found = _hubs[loop] = EventHub()
    return found


def open_stream_count() -> int:
    """The streams open in this process, over every event loop (for tests and benchmarks)."""
    return sum(found.subscriber_count for found in list(_hubs.values()))


def end_streams() -> None:
    """End every stream of the running loop now (the server is stopping)."""
    hub().end_all()


def _frame(event: Event) -> bytes:
    data = event_out(event).model_dump_json()
    return f"id: {event.seq}\nevent: {event.kind.value}\ndata: {data}\n\n".encode()


def _opening(start: StreamStart) -> bytes:
    ready = EventReadyOut(seq=start.after).model_dump_json()
    text = f"retry: {RETRY_MS}\n\nid: {start.after}\nevent: ready\ndata: {ready}\n\n"
    if start.resync:
        text += "event: resync\ndata: {}\n\n"
    return text.encode()


async def event_stream(start: StreamStart) -> AsyncIterator[bytes]:
    """The body of one stream: the opening, the events after `start.after` in order (each
    once), a heartbeat comment when idle, until the client goes (the task is cancelled) or
    the server stops."""
    heartbeat = settings.LEADCRM_EVENTS_HEARTBEAT_SECONDS
    events = hub()
    subscriber = events.subscribe(start.after)
    # The poller hands over what follows its position from now on; what lies between the
    # client's position and it is read here, once.
    caught_up_to = events.position or start.after
    sent = start.after
    try:
        yield _opening(start)
        while sent < caught_up_to:
            batch = await asyncio.to_thread(event_list_after, seq=sent, limit=PAGE)
            for event in batch:
                yield _frame(event)
                sent = event.seq
            if len(batch) < PAGE:
                break
        while True:
            try:
                item = await asyncio.wait_for(subscriber.queue.get(), heartbeat)
            except TimeoutError:
                yield b": heartbeat\n\n"
                continue
            if isinstance(item, End):
                return
            if isinstance(item, Resync):
                sent = max(sent, item.after)
                yield f"id: {sent}\nevent: resync\ndata: {{}}\n\n".encode()
                continue
            for seq, frame in item:
                # A batch may repeat what the catch-up above already sent.
                if seq > sent:
                    yield frame
                    sent = seq
    finally:
        events.unsubscribe(subscriber)
