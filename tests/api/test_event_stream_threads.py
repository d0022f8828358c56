"""An open event stream holds no thread of the server (lead_crm/asgi.py routes GET /api/events/
to leads.api.stream_handler), and still carries what every response of the API carries."""

from __future__ import annotations

import http.client
import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from leads.api import streams
from leads.domain.enums import UserRole
from leads.domain.events import Event, EventKind
from leads.services.users import auth_login
from leads.store.events import event_document, insert_events
from tests.builders import PASSWORD, make_user
from tests.live_server import asgi_server

HOST = "127.0.0.1"
READ_TIMEOUT_SECONDS = 5.0
# More streams than the event loop's shared thread pool may ever hold threads (asyncio's
# default executor: min(32, cores + 4)), so a thread per stream could not pass unnoticed.
MANY = 40


def _threads() -> int:
    """The threads of this process, which is the server's (tests/live_server.py)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    raise AssertionError("no Threads line in /proc/self/status")


def _pool_limit() -> int:
    return min(32, (os.cpu_count() or 1) + 4)


def _wait_until(check: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the condition did not come true in time"
        time.sleep(0.02)


class Opened:
    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.connection = http.client.HTTPConnection(HOST, port, timeout=READ_TIMEOUT_SECONDS)
        self.connection.request(
            "GET", "/api/events/", headers={"Accept": "text/event-stream", **headers}
        )
        self.response = self.connection.getresponse()

    def read_until(self, text: bytes) -> bytes:
        seen = b""
        while text not in seen:
            line = self.response.readline()
            assert line, "the stream ended"
            seen += line
        return seen

    def close(self) -> None:
        self.response.close()
        self.connection.close()


@pytest.fixture
def port(database: str) -> Iterator[int]:
    with asgi_server(HOST) as serving:
        yield serving


@pytest.fixture
def token() -> str:
    admin = make_user(UserRole.ADMIN)
    return auth_login(username=admin.username, password=PASSWORD).token


def test_the_server_holds_no_more_threads_with_many_idle_streams_open_than_with_a_few(
    port: int, token: str
) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    opened = [Opened(port, auth) for _ in range(3)]
    for stream in opened:
        stream.read_until(b"event: ready")
    before = _threads()

    for _ in range(MANY):
        stream = Opened(port, auth)
        stream.read_until(b"event: ready")
        opened.append(stream)
    _wait_until(lambda: streams.open_stream_count() == MANY + 3)
    after = _threads()

    # At most the pool's threads, however many streams: one per stream would be MANY more.
    assert after - before <= min(_pool_limit(), MANY // 2)
    event = Event(seq=1, kind=EventKind.LEAD_UPDATED, uid="lead-1", at=datetime.now(UTC))
    insert_events([event_document(event, change_id="change-1")])
    for stream in opened:
        assert b"id: 1\n" in stream.read_until(b"event: lead.updated")
    for stream in opened:
        stream.close()
    _wait_until(lambda: streams.open_stream_count() == 0)


def test_a_stream_and_its_refusal_carry_the_security_headers(port: int, token: str) -> None:
    viewer = make_user(UserRole.VIEWER)
    signed_in = auth_login(username=viewer.username, password=PASSWORD).token
    for headers, status in (({"Authorization": f"Bearer {signed_in}"}, 200), ({}, 401)):
        stream = Opened(port, headers)
        assert stream.response.status == status
        assert "frame-ancestors 'none'" in (
            stream.response.getheader("Content-Security-Policy") or ""
        )
        assert stream.response.getheader("X-Content-Type-Options") == "nosniff"
        assert stream.response.getheader("X-Frame-Options") == "DENY"
        assert stream.response.getheader("Referrer-Policy") == "same-origin"
        if status == 401:
            assert stream.response.getheader("WWW-Authenticate") == 'Bearer realm="api"'
            assert json.loads(stream.response.read())["error"]["code"] == "not_authenticated"
        stream.close()


def test_other_paths_are_still_served_by_django(port: int, token: str) -> None:
    connection = http.client.HTTPConnection(HOST, port, timeout=READ_TIMEOUT_SECONDS)
    for path, status in (("/api/leads/", 200), ("/api/events/x/", 404), ("/healthz", 200)):
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        response.read()
        assert response.status == status, path
    connection.close()
