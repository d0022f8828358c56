"""The `events` collection: the announced writes in order, `seq` increasing by one per event
(gaps are possible after a reader restart, never a reorder). Written only by the change-stream
reader, read by event streams (and webhook deliveries) from a `seq` on. Each event expires after
EVENT_RETENTION; a client further behind resyncs from the API instead."""

from __future__ import annotations

from datetime import timedelta

from pymongo import ASCENDING, IndexModel
from pymongo.collection import Collection

from leads.domain.events import Event

from .connection import Doc, database
from .documents import to_document

EVENTS = "events"
EVENT_RETENTION = timedelta(days=7)

EVENT_INDEXES = [
    IndexModel([("seq", ASCENDING)], name="seq_unique", unique=True),
    IndexModel([("expires_at", ASCENDING)], name="expires_at_ttl", expireAfterSeconds=0),
]


def events() -> Collection[Doc]:
    return database()[EVENTS]


def events_after(seq: int, limit: int = 500) -> list[Event]:
    """The events after `seq`, oldest first, at most `limit`."""
    # index: seq_unique
    cursor = events().find({"seq": {"$gt": seq}}, {"_id": 0, "expires_at": 0})
    return [Event.model_validate(doc) for doc in cursor.sort("seq", ASCENDING).limit(limit)]


def last_seq() -> int:
    """The newest event's seq; 0 when there is none."""
    # index: seq_unique
    newest = events().find_one({}, {"_id": 0, "seq": 1}, sort=[("seq", -1)])
    return int(newest["seq"]) if newest else 0


def oldest_seq() -> int | None:
    """The oldest event still kept (a client that resumes from before it has missed some)."""
    # index: seq_unique
    oldest = events().find_one({}, {"_id": 0, "seq": 1}, sort=[("seq", 1)])
    return int(oldest["seq"]) if oldest else None


def insert_events(documents: list[Doc]) -> None:
    """Store events the reader made (each with its change's resume token as `_id`, so storing
    one twice after a restart is refused rather than announced twice)."""
    if documents:
        events().insert_many(documents, ordered=True)


def event_document(event: Event, *, change_id: str) -> Doc:
    return {"_id": change_id, **to_document(event), "expires_at": event.at + EVENT_RETENTION}
