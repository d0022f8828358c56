"""The service on a real socket for tests that need one (browser, failover, fuzzing, event
streams): the ASGI application under uvicorn, as `manage.py serve` runs it in each gunicorn
worker, in a thread of the test process, so it shares the store configuration (the autouse
`database` fixture of tests/conftest.py gives each test an empty database)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from lead_crm.workers import StreamEndingServer

START_SECONDS = 10.0
# Open responses (event streams are ended at once) get this long when the server stops.
STOP_GRACE_SECONDS = 3


@contextmanager
def asgi_server(host: str = "127.0.0.1") -> Iterator[int]:
    """Serve on a free port of `host`; yields the port."""
    from lead_crm.asgi import application

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, 0))
    config = uvicorn.Config(
        application,
        lifespan="off",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=STOP_GRACE_SECONDS,
    )
    server = StreamEndingServer(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="asgi-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + START_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the ASGI test server did not start")
        time.sleep(0.02)
    try:
        yield int(listener.getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(timeout=STOP_GRACE_SECONDS + 5)
        listener.close()
