"""A webhook receiver on 127.0.0.1 (http.server in a thread), the worker's event and webhook
threads run in this process, and a two-stage pipeline a lead can move back and forth in."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from leads.domain.inputs import ConfigUpdate, StageUpdate
from leads.domain.models import WorkStage
from leads.services import events as event_services
from leads.services import webhook_delivery
from leads.services import workflow as workflow_services
from leads.store import events as event_store
from leads.store import webhooks as webhook_store
from tests.builders import make_config, make_stage


@dataclass
class Received:
    headers: dict[str, str]
    raw: bytes
    verified: bool

    @property
    def body(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.raw)
        return parsed


@dataclass
class Receiver:
    """Records every POST; `answer(delivery_id, attempt)` gives the status to reply with (and
    may sleep, to play a slow receiver). Checks each signature as a receiver would."""

    secret: str = ""
    answer: Callable[[str, int], int] = lambda delivery_id, attempt: 200
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                expected = (
                    "sha256=" + hmac.new(receiver.secret.encode(), raw, hashlib.sha256).hexdigest()
                )
                sent = self.headers.get("X-LeadCRM-Signature", "")
                entry = Received(
                    dict(self.headers.items()), raw, hmac.compare_digest(expected, sent)
                )
                delivery_id = self.headers.get("X-LeadCRM-Delivery", "")
                with receiver.lock:
                    receiver.received.append(entry)
                    attempt = sum(
                        r.headers.get("X-LeadCRM-Delivery") == delivery_id
                        for r in receiver.received
                    )
                status = receiver.answer(delivery_id, attempt)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def bodies(self) -> list[dict[str, Any]]:
        with self.lock:
            return [entry.body for entry in self.received]

    def wait_for(self, count: int, seconds: float = 20) -> list[dict[str, Any]]:
        wait_until(lambda: len(self.received) >= count, f"{count} deliveries", seconds)
        return self.bodies()


def wait_until(condition: Callable[[], Any], what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _render_lead(uid: str) -> dict[str, Any] | None:
    from leads.api.webhook_payloads import lead_payload

    return lead_payload(uid)


class WorkerThreads:
    """The event reader, the webhook dispatcher and a sender, as `manage.py worker` runs them."""

    def __init__(self, owner: str = "test-worker", **sender: Any) -> None:
        self.owner = owner
        self.stop = threading.Event()
        wake, stored = threading.Event(), threading.Event()
        kwargs = {"stop": self.stop, "owner": owner}
        self.sender = webhook_delivery.Sender(owner, self.stop, _render_lead, wake, **sender)
        self.threads = [
            threading.Thread(
                target=event_services.read_events,
                kwargs={**kwargs, "stored": stored},
                daemon=True,
            ),
            threading.Thread(
                target=webhook_delivery.dispatch_events,
                kwargs={**kwargs, "wake": wake, "stored": stored},
                daemon=True,
            ),
            threading.Thread(target=self.sender.run, daemon=True),
        ]

    def __enter__(self) -> WorkerThreads:
        for thread in self.threads:
            thread.start()
        wait_until(
            lambda: (
                event_store.reader_token() is not None
                and webhook_store.dispatcher_position() is not None
            ),
            "the reader and the dispatcher to start",
        )
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=20)


def ping_pong_pipeline() -> tuple[WorkStage, WorkStage]:
    """Two open stages, each allowing the move to the other, without tasks."""
    make_config()
    pong = make_stage("Pong", order=1)
    ping = make_stage("Ping", order=0, allowed_next_stages=[pong.uid])
    workflow_services.stage_update(
        uid=pong.uid,
        changes=StageUpdate.model_validate({"allowed_next_stages": [ping.uid]}),
        expected_version=None,
    )
    workflow_services.config_update(
        changes=ConfigUpdate(initial_stage=ping.uid), expected_version=None
    )
    return ping, pong
