"""GET /api/events/ on a real ASGI server (uvicorn, tests/live_server.py) and a real mongod: the
events the change-stream reader stores (inserted here as it stores them) reach every signed-in
user's stream in order, resumable, without the values they changed."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from leads.api import streams
from leads.domain.enums import UserRole
from leads.domain.events import Event, EventActor, EventKind
from leads.selectors.events import event_list_after
from leads.services.users import auth_login
from leads.store.events import event_document, insert_events
from tests.builders import PASSWORD, make_user
from tests.live_server import asgi_server

HOST = "127.0.0.1"
# Every read from a stream gives up after this: a missing event fails the test, never hangs it.
READ_TIMEOUT_SECONDS = 5.0
AT = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
DATA_KEYS = {"kind", "uid", "version", "at", "by", "from_stage", "to_stage", "fields"}


@dataclass
class Message:
    id: str | None = None
    event: str | None = None
    data: str | None = None
    retry: str | None = None
    comments: list[str] = field(default_factory=list)

    def json(self) -> Any:
        assert self.data is not None
        return json.loads(self.data)


class Stream:
    """A minimal EventSource: one message per blank-line-terminated block."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.connection = http.client.HTTPConnection(HOST, port, timeout=READ_TIMEOUT_SECONDS)
        # What browsers' EventSource sends.
        headers = {"Accept": "text/event-stream", **headers}
        self.connection.request("GET", "/api/events/", headers=headers)
        self.response = self.connection.getresponse()

    def next(self) -> Message:
        message = Message()
        while True:
            line = self.response.readline().decode()
            assert line, "the stream ended"
            line = line.rstrip("\n")
            if not line:
                if message == Message():
                    continue
                return message
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "":
                message.comments.append(value)
            else:
                setattr(message, name, value)

    def next_event(self) -> Message:
        """The next message that is not a heartbeat."""
        while not (message := self.next()).event:
            pass
        return message

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


def _open(port: int, token: str, **headers: str) -> Stream:
    return Stream(port, {"Authorization": f"Bearer {token}", **headers})


def _event(seq: int, kind: EventKind = EventKind.LEAD_UPDATED, **values: Any) -> Event:
    values.setdefault("uid", f"lead-{seq}")
    return Event(seq=seq, kind=kind, at=AT, **values)


def _store(*events: Event) -> None:
    insert_events([event_document(event, change_id=f"change-{event.seq}") for event in events])


def _wait_until(check: Any, seconds: float = READ_TIMEOUT_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the condition did not come true in time"
        time.sleep(0.02)


def test_events_arrive_in_order_with_their_id_kind_and_data_but_no_previous_values(
    port: int, token: str
) -> None:
    stream = _open(port, token)
    assert stream.response.status == 200
    assert stream.response.getheader("Content-Type") == "text/event-stream"
    assert stream.response.getheader("Cache-Control") == "no-cache"
    assert stream.response.getheader("X-Accel-Buffering") == "no"
    assert stream.next().retry == "3000"
    ready = stream.next()
    assert (ready.id, ready.event, ready.json()) == ("0", "ready", {"seq": 0})

    seller = EventActor(uid="user-1", name="Ada Seller")
    _store(
        _event(1, EventKind.LEAD_CREATED, version=1, by=seller, to_stage="stage-new"),
        _event(
            2,
            EventKind.LEAD_MOVED,
            version=2,
            by=seller,
            from_stage="stage-new",
            to_stage="stage-won",
        ),
        _event(
            3,
            EventKind.LEAD_UPDATED,
            version=3,
            fields=["company", "data.budget"],
            previous={"company": "Old Co", "data.budget": 10},
        ),
    )

    received = [stream.next_event() for _ in range(3)]
    assert [(message.id, message.event) for message in received] == [
        ("1", "lead.created"),
        ("2", "lead.moved"),
        ("3", "lead.updated"),
    ]
    assert received[1].json() == {
        "kind": "lead.moved",
        "uid": "lead-2",
        "version": 2,
        "at": "2026-11-30T09:15:00Z",
        "by": {"uid": "user-1", "name": "Ada Seller"},
        "from_stage": "stage-new",
        "to_stage": "stage-won",
        "fields": [],
    }
    assert received[2].json()["fields"] == ["company", "data.budget"]
    assert all(set(message.json()) == DATA_KEYS for message in received)
    assert "Old Co" not in (received[2].data or "")
    stream.close()


def test_a_stream_resumes_after_last_event_id_missing_nothing_and_repeating_nothing(
    port: int, token: str
) -> None:
    _store(*(_event(seq) for seq in range(1, 6)))
    stream = _open(port, token, **{"Last-Event-ID": "2"})
    assert stream.next().retry == "3000"
    ready = stream.next()
    assert (ready.id, ready.json()) == ("2", {"seq": 2})

    _store(_event(6), _event(7))

    assert [stream.next_event().id for _ in range(5)] == ["3", "4", "5", "6", "7"]
    _store(_event(8))
    assert stream.next_event().id == "8"
    stream.close()


def test_a_stream_catching_up_beside_an_open_one_gets_each_event_once(
    port: int, token: str, settings: Settings
) -> None:
    # A slow poll, so that 4 and 5 are read by the catch-up before the poller hands them over.
    settings.LEADCRM_EVENTS_POLL_SECONDS = 1.5
    _store(_event(1), _event(2), _event(3))
    first = _open(port, token)
    first.next()
    assert first.next().id == "3"
    _store(_event(4), _event(5))
    second = _open(port, token, **{"Last-Event-ID": "1"})
    second.next()
    assert second.next().id == "1"
    assert [second.next_event().id for _ in range(4)] == ["2", "3", "4", "5"]
    _store(_event(6))
    assert second.next_event().id == "6"
    assert [first.next_event().id for _ in range(3)] == ["4", "5", "6"]
    first.close()
    second.close()


def test_a_stream_whose_last_event_is_no_longer_kept_says_resync_and_goes_on_from_the_newest(
    port: int, token: str
) -> None:
    # Events 1 to 9 have expired: a client that saw only up to 5 missed 6 to 9.
    _store(_event(10), _event(11), _event(12))
    stream = _open(port, token, **{"Last-Event-ID": "5"})
    stream.next()
    ready = stream.next()
    assert (ready.id, ready.event, ready.json()) == ("12", "ready", {"seq": 12})
    resync = stream.next()
    assert (resync.event, resync.json()) == ("resync", {})

    _store(_event(13))
    assert stream.next_event().id == "13"
    stream.close()


def test_a_stream_from_a_position_the_server_never_reached_says_resync(
    port: int, token: str
) -> None:
    _store(_event(1), _event(2))
    stream = _open(port, token, **{"Last-Event-ID": "40"})
    stream.next()
    assert stream.next().id == "2"
    assert stream.next().event == "resync"
    stream.close()


def test_an_idle_stream_sends_a_heartbeat_comment(
    port: int, token: str, settings: Settings
) -> None:
    settings.LEADCRM_EVENTS_HEARTBEAT_SECONDS = 0.3
    stream = _open(port, token)
    stream.next()
    assert stream.next().event == "ready"
    started = time.monotonic()
    assert stream.next().comments == ["heartbeat"]
    assert stream.next().comments == ["heartbeat"]
    assert time.monotonic() - started < 2
    stream.close()


def test_a_stream_without_credentials_is_refused_with_a_json_401(port: int) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        stream = Stream(port, headers)
        assert stream.response.status == 401
        assert stream.response.getheader("Content-Type") == "application/json"
        assert json.loads(stream.response.read())["error"]["code"] in (
            "not_authenticated",
            "authentication_failed",
        )
        stream.close()


def test_a_last_event_id_that_is_not_a_seq_is_a_400_naming_the_header(
    port: int, token: str
) -> None:
    stream = _open(port, token, **{"Last-Event-ID": "soon"})
    assert stream.response.status == 400
    assert list(json.loads(stream.response.read())["error"]["fields"]) == ["Last-Event-ID"]
    stream.close()


def test_the_web_apps_session_cookie_opens_a_stream(port: int) -> None:
    member = make_user(UserRole.MEMBER)
    connection = http.client.HTTPConnection(HOST, port, timeout=READ_TIMEOUT_SECONDS)
    connection.request(
        "POST",
        "/api/auth/login/",
        body=json.dumps({"username": member.username, "password": PASSWORD}),
        headers={"Content-Type": "application/json"},
    )
    login = connection.getresponse()
    assert login.status == 200
    cookies = [
        header.split(";")[0]
        for name, header in login.getheaders()
        if name.lower() == "set-cookie" and header.startswith("sessionid=")
    ]
    connection.close()

    stream = Stream(port, {"Cookie": cookies[0]})
    assert stream.response.status == 200
    stream.next()
    assert stream.next().event == "ready"
    _store(_event(1))
    assert stream.next_event().id == "1"
    stream.close()


def test_a_viewer_gets_every_event_without_the_changed_values(port: int) -> None:
    viewer = make_user(UserRole.VIEWER)
    stream = _open(port, auth_login(username=viewer.username, password=PASSWORD).token)
    stream.next()
    stream.next()
    _store(
        _event(1, EventKind.LEAD_UPDATED, fields=["email"], previous={"email": "a@example.com"}),
        _event(2, EventKind.STAGE_CHANGED, uid="stage-new", fields=["name"]),
        _event(3, EventKind.CONFIG_CHANGED, uid="config", previous={"currency": "EUR"}),
    )
    received = [stream.next_event() for _ in range(3)]
    assert [message.event for message in received] == [
        "lead.updated",
        "stage.changed",
        "config.changed",
    ]
    for message in received:
        assert set(message.json()) == DATA_KEYS
        assert "example.com" not in (message.data or "")
        assert "EUR" not in (message.data or "")
    stream.close()


def test_a_client_that_disconnects_frees_its_subscriber_and_the_last_one_stops_the_poller(
    port: int, token: str
) -> None:
    first, second = _open(port, token), _open(port, token)
    for stream in (first, second):
        stream.next()
        stream.next()
    _wait_until(lambda: streams.open_stream_count() == 2)

    first.close()
    _wait_until(lambda: streams.open_stream_count() == 1)
    _store(_event(1))
    assert second.next_event().id == "1"

    second.close()
    _wait_until(lambda: streams.open_stream_count() == 0)
    _wait_until(lambda: all(hub.position is None for hub in list(streams._hubs.values())))


def test_ten_open_streams_cost_one_read_per_poll_not_ten(
    port: int, token: str, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    settings.LEADCRM_EVENTS_POLL_SECONDS = 0.1
    reads: list[int] = []
    read = event_list_after

    def counted(*, seq: int, limit: int) -> list[Event]:
        reads.append(seq)
        return read(seq=seq, limit=limit)

    monkeypatch.setattr(streams, "event_list_after", counted)
    opened = [_open(port, token) for _ in range(10)]
    for stream in opened:
        stream.next()
        stream.next()
    reads.clear()
    time.sleep(1.0)
    # One read per 0.1 s tick, whatever the number of streams (ten reads per tick otherwise).
    assert 5 <= len(reads) <= 12
    _store(_event(1))
    assert all(stream.next_event().id == "1" for stream in opened)
    for stream in opened:
        stream.close()
