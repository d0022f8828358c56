"""One real mongod per test session (or LEADCRM_TEST_MONGO_URI); each test gets a fresh database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from leads.store import connection
from leads.store.indexes import ensure_indexes
from leads.store.mongod import LocalMongod

_DOMAIN_TESTS = Path(__file__).parent / "domain"


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    configured = os.environ.get("LEADCRM_TEST_MONGO_URI")
    if configured:
        yield configured
        return
    # Each test's database is dropped after it: its files must close soon after, not pile up.
    with LocalMongod(dbpath=tmp_path_factory.mktemp("mongodb"), close_idle_files_after=2) as mongod:
        yield mongod.uri


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> None:
    # PBKDF2's million rounds are the point in production and only slowness in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def database(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """A fresh database with every index, dropped afterwards. Domain tests need no server."""
    if Path(request.node.path).is_relative_to(_DOMAIN_TESTS):
        yield None
        return
    uri = request.getfixturevalue("mongo_uri")
    name = f"test_{uuid.uuid4().hex[:16]}"
    connection.configure(uri=uri, db_name=name)
    ensure_indexes()
    yield name
    # A worker process a test SIGKILLed inside a transaction left it open on the server,
    # holding its locks (and the drop) for the transaction's 60 s lifetime: end every session
    # first. Nothing else runs between two tests.
    connection.client().admin.command("killAllSessions", [])
    connection.client().drop_database(name)
