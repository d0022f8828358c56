"""The `events` collection: the announced writes in order, `seq` increasing by one per event
(gaps are possible after a reader restart, never a reorder). Written only by the change-stream
reader, read by event streams (and webhook deliveries) from a `seq` on. Each event expires after
EVENT_RETENTION; a client further behind resyncs from the API instead."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from pymongo import ASCENDING, IndexModel
from pymongo.change_stream import ChangeStream
from pymongo.collection import Collection

from leads.domain.events import Event

from .connection import Doc, Session, database, leads
from .documents import CONFIG, LAST_WRITE, STAGE, to_document
from .leases import LeasedRole

EVENTS = "events"
EVENT_RETENTION = timedelta(days=7)

EVENT_INDEXES = [
    IndexModel([("seq", ASCENDING)], name="seq_unique", unique=True),
    IndexModel([("expires_at", ASCENDING)], name="expires_at_ttl", expireAfterSeconds=0),
]


# Where the one reader of the `leads` change stream is: who holds it (a lease) and the resume
# token of the last change it stored events for.
EVENT_READER = "event_reader"
READER_ROLE = "leads"
_READER = LeasedRole(EVENT_READER, READER_ROLE)


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


def stored_change_ids(change_ids: list[str]) -> set[str]:
    """Which of these changes have their event stored already (a reader that restarts from its
    last saved token reads a few again)."""
    # index: _id
    return {doc["_id"] for doc in events().find({"_id": {"$in": change_ids}}, {"_id": 1})}


def claim_reader(
    *, owner: str, now: datetime, lease_until: datetime, session: Session | None = None
) -> bool:
    """Take or renew the reader's lease; False while another reader holds it. `session`: the
    one its summaries' transactions run in (leases.py)."""
    return _READER.claim(owner=owner, now=now, lease_until=lease_until, session=session)


def release_reader(*, owner: str) -> None:
    _READER.release(owner=owner)


def reader_token() -> Doc | None:
    token: Doc | None = _READER.progress("token")
    return token


def save_reader_token(*, owner: str, token: Doc, lease_until: datetime) -> bool:
    """Store how far the reader got (renewing its lease); False when the lease is lost."""
    return _READER.save(owner=owner, name="token", value=token, lease_until=lease_until)


def forget_reader_token() -> None:
    _READER.forget("token")


# The changes that announce something: a stamped write (documents.LAST_WRITE), and a stage or
# the config written whole (created or replaced). Only what an event is made of leaves the
# server: never a lead's timeline.
_ANNOUNCED: list[Doc] = [
    {
        "$match": {
            "$or": [
                {f"updateDescription.updatedFields.{LAST_WRITE}": {"$exists": True}},
                {"operationType": "insert", f"fullDocument.{LAST_WRITE}": {"$exists": True}},
                {
                    "operationType": {"$in": ["insert", "replace"]},
                    "fullDocument.type": {"$in": [STAGE, CONFIG]},
                },
            ]
        }
    },
    {
        "$project": {
            "operationType": 1,
            "wallTime": 1,
            "updated_stamp": f"$updateDescription.updatedFields.{LAST_WRITE}",
            "updated_version": "$updateDescription.updatedFields.version",
            "document": {
                "type": "$fullDocument.type",
                "uid": "$fullDocument.uid",
                "version": "$fullDocument.version",
                "stamp": f"$fullDocument.{LAST_WRITE}",
            },
        }
    },
]


@contextmanager
def lead_changes(resume_after: Doc | None, *, await_ms: int) -> Iterator[ChangeStream[Doc]]:
    """The `leads` collection's announcing changes after `resume_after` (from now without)."""
    with leads().watch(
        _ANNOUNCED, resume_after=resume_after, max_await_time_ms=await_ms, batch_size=500
    ) as stream:
        yield stream


def has_buffered_changes(stream: ChangeStream[Doc]) -> bool:
    """Whether `stream` holds changes it has read but not handed out yet (the rest of what its
    last getMore returned): the next `try_next()` then answers at once, without a round trip.
    PyMongo has no public call for it; its own `ChangeStream.try_next` asks the cursor the same
    (pymongo is pinned in pyproject.toml). Should that change, this says False: each change is
    then stored as it comes, which is slower in a burst, never wrong."""
    has_next = getattr(getattr(stream, "_cursor", None), "_has_next", None)
    return bool(has_next()) if callable(has_next) else False
