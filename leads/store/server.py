"""Which MongoDB server this process uses: the configured URI, or a local mongod it owns.

`make run` (the `serve` command) owns `var/mongodb` and leaves its URI in `var/mongod.uri`
while it runs, so other management commands run meanwhile reach the same server.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from . import connection
from .mongod import LocalMongod


def _uri_file() -> Path:
    return Path(settings.VAR_DIR) / "mongod.uri"


def _data_dir() -> Path:
    return Path(os.environ.get("LEADCRM_MONGO_DATA", Path(settings.VAR_DIR) / "mongodb"))


def _reachable(uri: str) -> bool:
    client: MongoClient[dict[str, object]] = MongoClient(uri, serverSelectionTimeoutMS=1_000)
    try:
        client.admin.command("ping")
    except PyMongoError:
        return False
    finally:
        client.close()
    return True


def _running_local_uri() -> str | None:
    try:
        uri = _uri_file().read_text().strip()
    except FileNotFoundError:
        return None
    return uri if uri and _reachable(uri) else None


@contextmanager
def database_server(*, own: bool = False) -> Iterator[str]:
    """Yield the URI to use, starting the local mongod for the duration when none is configured.

    `own=True` (the service) always starts the local server and publishes its URI for others.
    """
    configured = connection.configured_uri()
    if configured:
        yield configured
        return
    if not own:
        running = _running_local_uri()
        if running is not None:
            connection.configure(uri=running)
            yield running
            return
    port = os.environ.get("LEADCRM_MONGO_PORT")
    mongod = LocalMongod(dbpath=_data_dir(), port=int(port) if port else None)
    mongod.start()
    try:
        connection.configure(uri=mongod.uri)
        if own:
            _uri_file().write_text(mongod.uri)
        yield mongod.uri
    finally:
        connection.close()
        if own:
            _uri_file().unlink(missing_ok=True)
        mongod.stop()
