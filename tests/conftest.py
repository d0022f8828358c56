"""One real mongod per test session (or LEADCRM_TEST_MONGO_URI); each test gets an empty database
with every index (see `database`)."""

from __future__ import annotations

import fcntl
import os
import tempfile
import uuid
from collections.abc import Collection, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from bson import SON
from django.conf import settings
from pymongo import MongoClient
from pymongo.database import Database

from leads.store import connection
from leads.store.indexes import ensure_indexes
from leads.store.mongod import LocalMongod

_DOMAIN_TESTS = Path(__file__).parent / "domain"
FRESH_DATABASE = "fresh_database"
SERIAL = "serial"

Doc = dict[str, Any]
# A collection with more indexes than this holding more documents than that is dropped and made
# again rather than emptied (see Databases._empty).
_MANY_INDEXES = 10
_MANY_DOCUMENTS = 100
# Per collection: its type and options, and its indexes' whole specs (keys in order).
Layout = dict[str, Doc]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{FRESH_DATABASE}: the test gets a database made for it alone (ensure_indexes run on "
        "a new database) instead of an emptied one; for tests whose subject is what a new "
        "database looks like",
    )
    config.addinivalue_line(
        "markers",
        f"{SERIAL}: under pytest-xdist (make test), no other test runs meanwhile; for tests "
        "whose time bounds or timing a second test's load breaks",
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    """Under pytest-xdist every test holds a shared lock and a `serial` one an exclusive lock, so
    a serial test waits for the test running in the other worker and the other worker waits for
    it. A turnstile taken first keeps the workers' tests from starving a waiting serial one."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:
        return (yield)
    serial = item.get_closest_marker(SERIAL) is not None
    directory = Path(tempfile.gettempdir())
    with (
        open(directory / f"leadcrm-tests-{run}.turnstile", "a") as turnstile,
        open(directory / f"leadcrm-tests-{run}.lock", "a") as lock,
    ):
        fcntl.flock(turnstile, fcntl.LOCK_EX)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX if serial else fcntl.LOCK_SH)
        finally:
            if not serial:
                fcntl.flock(turnstile, fcntl.LOCK_UN)
        try:
            return (yield)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            if serial:
                fcntl.flock(turnstile, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    configured = os.environ.get("LEADCRM_TEST_MONGO_URI")
    if configured:
        yield configured
        return
    # Fresh databases (the first, those of fresh_database tests, those tests make themselves)
    # are dropped after use: their files must close soon after, not pile up.
    with LocalMongod(dbpath=tmp_path_factory.mktemp("mongodb"), close_idle_files_after=2) as mongod:
        yield mongod.uri


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> None:
    # PBKDF2's million rounds are the point in production and only slowness in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _layout(db: Database[Doc], names: Collection[str] | None = None) -> Layout:
    layout: Layout = {}
    for info in db.list_collections(filter=None if names is None else {"name": {"$in": [*names]}}):
        name = info["name"]
        indexes = []
        if info["type"] == "collection":
            for index in db[name].list_indexes():
                spec = dict(index)
                spec["key"] = list(spec["key"].items())
                indexes.append(spec)
        layout[name] = {
            "type": info["type"],
            "options": info.get("options", {}),
            # In the order they were made: the planner breaks ties between plans by it.
            "indexes": indexes,
        }
    return layout


@dataclass
class Databases:
    """Building every index takes most of a second (a catalog write per index) and dropping a
    database a tenth more: per test that was most of the suite's time. So a test's database is
    emptied afterwards and handed to the next test instead, once it is back to exactly what
    ensure_indexes leaves in a new database: the same collections with the same options and
    the same indexes, and no document. A collection or an index a test added is dropped, and
    so is a collection whose options a test changed; what is then missing is made again from
    the specs of the first database's collections and indexes."""

    uri: str
    client: MongoClient[Doc]
    # What ensure_indexes leaves in a new database, read off the first one.
    standard: Layout | None = None
    # An emptied database with the standard layout, waiting for the next test.
    spare: str | None = None
    counts: dict[str, int] = field(default_factory=lambda: {"reused": 0, "new": 0, "repaired": 0})

    def take(self, *, fresh: bool) -> str:
        """The test's database: the spare, or (fresh, or no spare) a new one with every index."""
        if not fresh and self.spare is not None:
            name, self.spare = self.spare, None
            self.counts["reused"] += 1
            connection.configure(uri=self.uri, db_name=name)
            return name
        name = f"test_{uuid.uuid4().hex[:16]}"
        self.counts["new"] += 1
        connection.configure(uri=self.uri, db_name=name)
        ensure_indexes()
        if self.standard is None:
            self.standard = _layout(self.client[name])
        return name

    def give_back(self, name: str, *, fresh: bool) -> None:
        # A worker process a test SIGKILLed inside a transaction left it open on the server,
        # holding its locks (and the drop or deletes) for the transaction's 60 s lifetime: end
        # every session first. Nothing else runs between two tests.
        self.client.admin.command("killAllSessions", [])
        if fresh or self.spare is not None:
            self.client.drop_database(name)
            return
        try:
            self._empty(name)
        except BaseException:
            self.client.drop_database(name)
            raise
        self.spare = name

    def _empty(self, name: str) -> None:
        assert self.standard is not None
        db = self.client[name]
        layout = _layout(db)
        repaired: set[str] = set()
        dropped: set[str] = set()
        for collection, found in layout.items():
            standard = self.standard.get(collection)
            if standard is None or found["options"] != standard["options"]:
                db.drop_collection(collection)
                dropped.add(collection)
                repaired.add(collection)
                continue
            if len(standard["indexes"]) > _MANY_INDEXES and (
                db[collection].estimated_document_count() > _MANY_DOCUMENTS
            ):
                # Deleting a few hundred leads updates 26 indexes per lead: slower than
                # dropping the collection and building its indexes again on no data.
                db.drop_collection(collection)
                dropped.add(collection)
                repaired.add(collection)
                continue
            for index in found["indexes"]:
                # Most often the board-totals index of the value field a test's pipeline set.
                if index not in standard["indexes"]:
                    db[collection].drop_index(index["name"])
                    repaired.add(collection)
            db[collection].delete_many({})
            # A plan cached for one test's data must not steer the next test's queries (nor
            # what its explain shows).
            db.command("planCacheClear", collection)
        for collection, wanted in self.standard.items():
            there = layout.get(collection)
            kept = [] if there is None else [i for i in there["indexes"] if i in wanted["indexes"]]
            if there is not None and kept != wanted["indexes"][: len(kept)]:
                # An index missing before others: made now it would come after them.
                db.drop_collection(collection)
                dropped.add(collection)
            if there is None or collection in dropped:
                db.create_collection(collection, **wanted["options"])
                kept = [i for i in wanted["indexes"] if i["name"] == "_id_"]
                repaired.add(collection)
            if missing := wanted["indexes"][len(kept) :]:
                db.command("createIndexes", collection, indexes=[_index(i) for i in missing])
                repaired.add(collection)
        if repaired:
            self.counts["repaired"] += 1
            unchanged = {c: found for c, found in layout.items() if c not in repaired}
            layout = unchanged | _layout(db, repaired)
        # What the next test gets must be what a new database would be: nothing a test left may
        # leak into the next one.
        assert layout == self.standard, (
            f"database {name} differs from a new one after emptying: "
            f"{_difference(layout, self.standard)}"
        )
        if db.command("dbStats")["objects"]:
            left = {c: n for c in layout if (n := db[c].count_documents({}))}
            raise AssertionError(f"database {name} still holds documents after emptying: {left}")


def _index(spec: Doc) -> Doc:
    """An index spec as listIndexes shows it, as createIndexes takes it."""
    return {**{k: v for k, v in spec.items() if k != "v"}, "key": SON(spec["key"])}


def _difference(found: Layout, standard: Layout) -> dict[str, Any]:
    return {
        collection: {"found": found.get(collection), "standard": standard.get(collection)}
        for collection in sorted(set(found) | set(standard))
        if found.get(collection) != standard.get(collection)
    }


@pytest.fixture(scope="session")
def test_databases(mongo_uri: str) -> Iterator[Databases]:
    # Emptying is no data to keep: the next test reads from the same single server, so it
    # need not wait for the journal.
    client: MongoClient[Doc]
    with MongoClient(mongo_uri, tz_aware=True, w=1) as client:
        databases = Databases(uri=mongo_uri, client=client)
        yield databases
        if databases.spare is not None:
            client.drop_database(databases.spare)
        _COUNTS.update(databases.counts)


_COUNTS: dict[str, int] = {}


@pytest.fixture(autouse=True)
def database(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """An empty database with every index, as a new one would be (Databases). Domain tests
    need no server."""
    if Path(request.node.path).is_relative_to(_DOMAIN_TESTS):
        yield None
        return
    databases: Databases = request.getfixturevalue("test_databases")
    fresh = request.node.get_closest_marker(FRESH_DATABASE) is not None
    name = databases.take(fresh=fresh)
    yield name
    databases.give_back(name, fresh=fresh)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _COUNTS:
        terminalreporter.write_line(
            "test databases: " + ", ".join(f"{n} {what}" for what, n in _COUNTS.items())
        )
