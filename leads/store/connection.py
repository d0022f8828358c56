"""The MongoDB client, the collections, transactions, the round-trip counter, and what a
request needs to ride out a replica-set election (the request journal)."""

from __future__ import annotations

import threading
import time
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
from pymongo.topology_description import TopologyDescription

Session = ClientSession
Doc = dict[str, Any]
T = TypeVar("T")

LEADS = "leads"
USERS = "users"
LOGIN_FAILURES = "login_failures"
GUARDS = "guards"
VIEWS = "views"


# Write commands: one that was answered, or that failed without saying it did nothing, may
# have changed data.
_WRITE_COMMANDS = frozenset(
    {"insert", "update", "delete", "findAndModify", "commitTransaction", "bulkWrite"}
)
# Server codes that refuse a write on a member that is not (or no longer) the primary: the
# write was not applied.
_NOT_PRIMARY_CODES = frozenset({10107, 13435, 13436, 11600, 11602, 189, 91})


@dataclass
class RequestJournal:
    """What one API request did to the database, kept across its runs: the middleware runs a
    request again after an election only when no write of the earlier run can have landed
    unnoticed. A service whose write can recognise itself on the next run (`self_checking`)
    keeps in `notes` what it needs for that."""

    run: int = 0
    # Writes that may have changed data and that nothing will recognise on a re-run.
    unchecked_writes: int = 0
    # Set when a run failed because the replica set had no primary (see is_failover).
    failover: bool = False
    notes: dict[str, Any] = field(default_factory=dict)
    _self_checking: int = 0

    @property
    def rerunnable(self) -> bool:
        return self.failover and self.unchecked_writes == 0

    def next_run(self) -> None:
        self.run += 1
        self.failover = False

    @contextmanager
    def self_checking(self) -> Iterator[None]:
        """Writes in this block recognise themselves on a re-run; they do not stop one."""
        self._self_checking += 1
        try:
            yield
        finally:
            self._self_checking -= 1

    def _wrote(self, *, surely_not_applied: bool) -> None:
        if not surely_not_applied and not self._self_checking:
            self.unchecked_writes += 1


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

    def journal(self) -> RequestJournal | None:
        journal: RequestJournal | None = getattr(self._local, "journal", None)
        return journal

    @contextmanager
    def journaling(self) -> Iterator[RequestJournal]:
        journal = RequestJournal()
        self._local.journal = journal
        try:
            yield journal
        finally:
            self._local.journal = None

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
        journal = self.journal()
        if journal is not None and event.command_name in _WRITE_COMMANDS:
            journal._wrote(surely_not_applied=False)

    def failed(self, event: CommandFailedEvent) -> None:
        journal = self.journal()
        if journal is not None and event.command_name in _WRITE_COMMANDS:
            # A refusal by a member that is not primary changed nothing; a lost connection
            # may have lost only the answer.
            code = event.failure.get("code") if isinstance(event.failure, dict) else None
            journal._wrote(surely_not_applied=code in _NOT_PRIMARY_CODES)

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


def request_journal() -> Any:
    """`with request_journal() as journal: ...` — record this thread's writes for re-runs."""
    return _listener.journaling()


def current_journal() -> RequestJournal | None:
    """The journal of the request this thread serves, if any."""
    return _listener.journal()


@contextmanager
def self_checking() -> Iterator[RequestJournal | None]:
    """`with self_checking() as journal:` — writes in the block recognise themselves on a
    re-run of the request (the caller keeps what it needs in `journal.notes`); no journal
    outside an API request."""
    journal = current_journal()
    if journal is None:
        yield None
        return
    with journal.self_checking():
        yield journal


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
                # Acknowledged only once a majority has it: an election cannot roll it back.
                w="majority",
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


def views() -> Collection[Doc]:
    return database()[VIEWS]


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


def in_transaction(work: Callable[[Session], T], session: Session | None = None) -> T:
    """Run `work` in one multi-document transaction, retried on transient errors until the
    deadline (not PyMongo's own 120 s); in `session` when given (a leased role's, see
    leases.py), else in a session of its own."""
    if session is not None:
        with deadline():
            return session.with_transaction(work)
    with deadline(), client().start_session() as session:
        return session.with_transaction(work)


def start_session() -> Session:
    """A session the caller ends (`end_session`), for a worker role's transactions."""
    return client().start_session()


def kill_session(session_id: Any) -> None:
    """End a session on the server, aborting its open transaction at once. A process killed
    inside a transaction leaves it open, holding its documents' locks until the server's
    transaction lifetime (60 s by default) runs out."""
    client().admin.command("killSessions", [{"id": session_id}])


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


def is_failover(exc: BaseException, topology: TopologyDescription | None = None) -> bool:
    """Whether `exc` says the replica set has no primary right now but can elect one: the
    server went away or stepped down (not a timeout: a member that stalls is no reason to wait
    longer) and other members of the set still answer. A lone server never fails over."""
    if isinstance(exc, ServerSelectionTimeoutError):
        pass
    elif not isinstance(exc, ConnectionFailure) or exc.timeout:
        return False
    described = topology if topology is not None else client().topology_description
    if described.topology_type_name not in ("ReplicaSetNoPrimary", "ReplicaSetWithPrimary"):
        return False
    return any(server.server_type_name == "RSSecondary" for server in described.known_servers)


def await_primary(until: float) -> bool:
    """Wait (at most until the monotonic time `until`) for the set to have a primary again;
    whether it has one. Asking for the primary makes PyMongo look for it at once rather than
    at its next heartbeat."""
    left = until - time.monotonic()
    if left <= 0:
        return False
    try:
        with pymongo.timeout(left):
            database().command("ping")
    except PyMongoError:
        return False
    return True
