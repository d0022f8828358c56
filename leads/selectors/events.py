"""Reading the announced events: where a stream starts, and what came after a position."""

from __future__ import annotations

from dataclasses import dataclass

from leads.domain.events import Event
from leads.store import events as event_store


@dataclass(frozen=True)
class StreamStart:
    # The stream sends the events after this seq.
    after: int
    # The client's position is gone (expired, or from before the sequence restarted): it
    # missed events and must reload what it shows.
    resync: bool


def event_stream_start(*, last_event_id: int | None) -> StreamStart:
    """Where a stream starts: after the client's last event when every event since is still
    kept, else after the newest (with `resync`). Two round trips at most."""
    newest = event_store.last_seq()
    if last_event_id is None:
        return StreamStart(after=newest, resync=False)
    if last_event_id > newest:
        return StreamStart(after=newest, resync=True)
    if last_event_id == newest:
        return StreamStart(after=newest, resync=False)
    oldest = event_store.oldest_seq()
    if oldest is None or last_event_id < oldest - 1:
        return StreamStart(after=newest, resync=True)
    return StreamStart(after=last_event_id, resync=False)


def event_list_after(*, seq: int, limit: int) -> list[Event]:
    """The events after `seq`, oldest first, at most `limit`; one round trip."""
    return event_store.events_after(seq, limit)
