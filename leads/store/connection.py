"""The MongoDB client, the collections, transactions and the round-trip counter."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pymongo
from django.conf import settings
from pymongo import MongoClient
from pymongo.client_session import ClientSession
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import ConnectionFailure, PyMongoError, ServerSelectionTimeoutError
from pymongo.monitoring import (
    CommandFailedEvent,
    CommandListener,
    CommandStartedEvent,
    CommandSucceededEvent,
)

Session = ClientSession
Doc = dict[str, Any]
T = TypeVar("T")

LEADS = "leads"
USERS = "users"
LOGIN_FAILURES = "login_failures"
GUARDS = "guards"
# Work for the worker processes (imports, later webhook deliveries); not workflow data.
JOBS = "jobs"
IMPORT_ERRORS = "import_errors"


@dataclass
class RoundTrips:
    count: int = 0
    commands: list[str] = field(default_factory=list)


class _RoundTripListener(CommandListener):
    """Counts the commands this thread sends, for tests and benchmarks that budget round trips."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _counters(self) -> list[RoundTrips]:
        counters: list[RoundTrips] | None = getattr(self._local, "counters", None)
        if counters is None:
            counters = []
            self._local.counters = counters
        return counters

    def started(self, event: CommandStartedEvent) -> None:
        for counter in self._counters():
            counter.count += 1
            counter.commands.append(event.command_name)

    def succeeded(self, event: CommandSucceededEvent) -> None:
        return None

    def failed(self, event: CommandFailedEvent) -> None:
        return None

    @contextmanager
    def counting(self) -> Iterator[RoundTrips]:
        counter = RoundTrips()
        counters = self._counters()
        counters.append(counter)
        try:
            yield counter
        finally:
            counters.remove(counter)


_listener = _RoundTripListener()
_lock = threading.Lock()
_client: MongoClient[Doc] | None = None
_uri: str | None = None
_db_name: str | None = None


def count_round_trips() -> Any:
    """`with count_round_trips() as trips: ...; trips.count` — commands sent by this thread."""
    return _listener.counting()


def configure(*, uri: str | None = None, db_name: str | None = None) -> None:
    """Point the store at a server and/or database; the next use connects."""
    global _client, _uri, _db_name
    with _lock:
        if uri is not None and uri != _uri:
            if _client is not None:
                _client.close()
            _client = None
            _uri = uri
        if db_name is not None:
            _db_name = db_name


def configured_uri() -> str:
    return _uri or settings.LEADCRM_MONGO_URI


def client() -> MongoClient[Doc]:
    global _client
    with _lock:
        if _client is None:
            uri = configured_uri()
            if not uri:
                raise RuntimeError(
                    "no MongoDB configured: set LEADCRM_MONGO_URI, or start the service with "
                    "`make run`, which starts its own local mongod"
                )
            _client = MongoClient(
                uri,
                tz_aware=True,
                serverSelectionTimeoutMS=min(5_000, timeout_ms()),
                # Every operation gives up after this (client-side, CSOT): a stalled server
                # answers 503 well before gunicorn's worker timeout kills the request.
                timeoutMS=timeout_ms(),
                appname="lead-crm",
                event_listeners=[_listener],
            )
        return _client


def close() -> None:
    global _client
    with _lock:
        if _client is not None:
            _client.close()
        _client = None


def database() -> Database[Doc]:
    return client()[_db_name or settings.LEADCRM_MONGO_DB]


def leads() -> Collection[Doc]:
    return database()[LEADS]


def users() -> Collection[Doc]:
    return database()[USERS]


def login_failures() -> Collection[Doc]:
    return database()[LOGIN_FAILURES]


def guards() -> Collection[Doc]:
    return database()[GUARDS]


def jobs() -> Collection[Doc]:
    return database()[JOBS]


def import_errors() -> Collection[Doc]:
    return database()[IMPORT_ERRORS]


def timeout_ms() -> int:
    return int(settings.LEADCRM_MONGO_TIMEOUT_MS)


def deadline(seconds: float | None = None) -> Any:
    """`with deadline(): ...` — every operation in the block shares one deadline (default: the
    configured timeout), so a block of several operations is bounded as a whole."""
    return pymongo.timeout(timeout_ms() / 1000 if seconds is None else seconds)


def in_transaction(work: Callable[[Session], T]) -> T:
    """Run `work` in one multi-document transaction, retried on transient errors until the
    deadline (not PyMongo's own 120 s)."""
    with deadline(), client().start_session() as session:
        return session.with_transaction(work)


def ping(seconds: float = 3.0) -> bool:
    """Whether the server answers within `seconds`."""
    try:
        with deadline(seconds):
            database().command("ping")
    except PyMongoError:
        return False
    return True


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` means the server cannot be reached or did not answer in time (as opposed
    to a bug)."""
    if isinstance(exc, ConnectionFailure | ServerSelectionTimeoutError):
        return True
    return isinstance(exc, PyMongoError) and exc.timeout
