"""The change-stream reader: turns the `leads` collection's announcing writes into stored events.

One reader runs at a time, whichever worker holds its lease; the others wait to take over. It
stores each event with its change's id, then the resume token of the last one, so a reader
killed between the two reads those changes again and finds their events stored: none is lost,
none announced twice, and their order is the change stream's (the oplog's).

It also keeps the board's summaries (services/summaries.py): before storing a batch's events
it makes the facts of the batch's leads those of the leads as they are now and adds the
difference to the totals, which a replayed batch leaves as they are."""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import timedelta
from typing import Any

from pymongo.errors import OperationFailure, PyMongoError

from leads.domain.events import Event, EventKind, WriteStamp
from leads.domain.models import utcnow
from leads.store import events as event_store
from leads.store.connection import Doc, is_database_unavailable, start_session
from leads.store.documents import CONFIG, STAGE

from .summaries import LeaseLost, SummaryKeeper

logger = logging.getLogger(__name__)

# How long the server holds the reader's getMore when no change comes (a quiet collection).
AWAIT_MS = 200
# Events stored per round trip at most when changes come in bursts (an import, a bulk action).
BATCH = 500
# The server no longer has the stored token's place in its oplog.
_HISTORY_LOST = 286
# What facts read of the workflow changes with these (the funnel's steps with the stages).
_WORKFLOW_KINDS = frozenset({EventKind.CONFIG_CHANGED, EventKind.STAGE_CHANGED})
_LEAD_KINDS = frozenset(
    {EventKind.LEAD_CREATED, EventKind.LEAD_UPDATED, EventKind.LEAD_MOVED, EventKind.LEAD_DELETED}
)


def lease_seconds() -> float:
    return float(os.environ.get("LEADCRM_EVENT_READER_LEASE_SECONDS", "10"))


def event_of(change: Doc, seq: int) -> Event | None:
    """The event a change announces (see store.events._ANNOUNCED), or None."""
    document: Doc = change.get("document") or {}
    text = change.get("updated_stamp") or document.get("stamp")
    if text:
        stamp = WriteStamp.model_validate_json(text)
        version = change.get("updated_version", document.get("version", stamp.version))
        return Event(**{**stamp.model_dump(), "version": version, "seq": seq})
    kinds = {STAGE: EventKind.STAGE_CHANGED, CONFIG: EventKind.CONFIG_CHANGED}
    kind = kinds.get(document.get("type", ""))
    if kind is None or not document.get("uid"):
        return None
    return Event(
        kind=kind,
        uid=document["uid"],
        version=document.get("version"),
        at=change.get("wallTime") or utcnow(),
        seq=seq,
    )


class _Reader:
    def __init__(
        self, owner: str, stop: threading.Event, stored: threading.Event | None = None
    ) -> None:
        self.owner = owner
        self.stop = stop
        self.stored = stored or threading.Event()
        self.lease = lease_seconds()
        # The summaries' transactions run in this session, named on the lease: a reader taking
        # over after this one died ends it, with any transaction it left open.
        self.session = start_session()
        self.summaries = SummaryKeeper(self.claim, self.session)

    def _lease_until(self) -> Any:
        return utcnow() + timedelta(seconds=self.lease)

    def claim(self) -> bool:
        return event_store.claim_reader(
            owner=self.owner, now=utcnow(), lease_until=self._lease_until(), session=self.session
        )

    def store(self, changes: list[Doc], seq: int) -> int | None:
        """Store the events of `changes` after `seq`; the new last seq, or None when the lease
        was lost (another reader goes on from the saved token)."""
        stored = event_store.stored_change_ids([change["_id"]["_data"] for change in changes])
        documents = []
        touched: dict[str, None] = {}
        config_changed = False
        for change in changes:
            event = event_of(change, seq + 1)
            if event is None:
                continue
            if event.kind in _LEAD_KINDS:
                touched[event.uid] = None
            config_changed = config_changed or event.kind in _WORKFLOW_KINDS
            if change["_id"]["_data"] in stored:
                continue
            seq += 1
            documents.append(event_store.event_document(event, change_id=change["_id"]["_data"]))
        # Every lead of the batch, announced now or before a restart: applying is idempotent.
        # A rebuild (a new value field) reads every lead as it is, these included. Before the
        # events: a client that reloads the board on an event finds the totals include it.
        if not (config_changed and self.summaries.config_changed()):
            self.summaries.apply(list(touched))
        event_store.insert_events(documents)
        saved = event_store.save_reader_token(
            owner=self.owner, token=changes[-1]["_id"], lease_until=self._lease_until()
        )
        return seq if saved else None

    def follow(self) -> None:
        """Read changes while this reader holds the lease."""
        seq = event_store.last_seq()
        renew_every = self.lease / 3
        saved = event_store.reader_token()
        with event_store.lead_changes(saved, await_ms=AWAIT_MS) as stream:
            # Opened first: a change made during a rebuild is in the stream, applied after it.
            try:
                self.summaries.start(missed_changes=saved is None)
            except LeaseLost:
                return
            renewed = time.monotonic()
            pending: list[Doc] = []
            while not self.stop.is_set():
                change = stream.try_next()
                if change is not None:
                    pending.append(change)
                # Stored as soon as what the server returned is read: the changes of one getMore
                # go together (a burst's many, in one insert), and none waits for the next
                # getMore, which under a steady trickle of writes would never come back empty.
                if pending and (
                    change is None
                    or len(pending) >= BATCH
                    or not event_store.has_buffered_changes(stream)
                ):
                    try:
                        after = self.store(pending, seq)
                    except LeaseLost:
                        return
                    if after is None:
                        return
                    seq, pending, renewed = after, [], time.monotonic()
                    # The webhook dispatcher of this worker reads them now, not at its next poll.
                    self.stored.set()
                elif not pending and time.monotonic() - renewed > renew_every:
                    # Quiet: keep the lease, and the token, which moves on with the oplog.
                    token = stream.resume_token
                    if token is None:
                        continue
                    if not event_store.save_reader_token(
                        owner=self.owner, token=dict(token), lease_until=self._lease_until()
                    ):
                        return
                    try:
                        self.summaries.check()
                    except LeaseLost:
                        return
                    renewed = time.monotonic()


# Soon: what the server refused (a killed query) usually succeeds when tried again.
_RETRY_REFUSED_SECONDS = 1.0


def read_events(
    *, stop: threading.Event, owner: str, stored: threading.Event | None = None
) -> None:
    """Be the change-stream reader whenever no other worker is, until `stop` is set; `stored`
    is set each time events were stored."""
    reader = _Reader(owner, stop, stored)
    try:
        while not stop.is_set():
            try:
                if reader.claim():
                    reader.follow()
                    continue
            except OperationFailure as exc:
                if exc.code != _HISTORY_LOST:
                    # e.g. QueryPlanKilled: an index a rebuild's scan went through was dropped
                    # (a value-field change swaps the board's). Nothing is lost: the reader
                    # starts again from its saved token, and rebuilds what it had not finished.
                    logger.exception("event reader: the server refused an operation")
                    stop.wait(_RETRY_REFUSED_SECONDS)
                    continue
                # Down for longer than the oplog reaches back: what happened meanwhile cannot
                # be told; clients resync when they see the gap in their stream's ids.
                logger.error("event reader: the change stream's history is lost; from now on")
                # Starting without a token also rebuilds the summaries: changes were missed.
                event_store.forget_reader_token()
                continue
            except PyMongoError as exc:
                if is_database_unavailable(exc):
                    logger.warning("event reader: the database cannot be reached")
                else:
                    logger.exception("event reader: a database error")
            except Exception:
                # The worker's jobs go on; the reader starts again from its saved token.
                logger.exception("event reader failed")
            stop.wait(reader.lease / 3)
    finally:
        try:
            event_store.release_reader(owner=owner)
        except PyMongoError:
            logger.warning("event reader: could not hand its lease back; it runs out by itself")
        reader.session.end_session()
