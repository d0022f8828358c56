"""What idle event streams cost the server: memory per open stream, and the API's list and
detail latency with none and with `--streams` open (their ratio).

    .venv/bin/python bench/bench_streams.py [--streams 500] [--leads 2000] [--requests 200]

Starts a local mongod and the service as `manage.py serve` runs it (gunicorn, the uvicorn
worker class, lead_crm.asgi) with ONE worker, so the streams and the requests meet in one
process whose memory is read from /proc. The streams are opened by an asyncio client in a
thread of this process and stay idle (a heartbeat every 15 s, the default); the list and
detail requests go one at a time over a kept-alive connection. At the end one event is stored
and the time until every stream has it is measured (the one poller's fan-out).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lead_crm.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from leads.domain.enums import UserRole  # noqa: E402
from leads.domain.events import Event, EventKind  # noqa: E402
from leads.domain.inputs import LeadCreate, UserCreate  # noqa: E402
from leads.services.leads import lead_create  # noqa: E402
from leads.services.users import auth_login, user_create  # noqa: E402
from leads.store import connection  # noqa: E402
from leads.store.events import event_document, insert_events  # noqa: E402
from leads.store.indexes import ensure_indexes  # noqa: E402
from leads.store.mongod import LocalMongod  # noqa: E402

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PASSWORD = "benchmark-password"
HOST = "127.0.0.1"
START_SECONDS = 30.0
# Everything the client waits for is bounded: a stuck server ends the run, not the machine.
WAIT_SECONDS = 60.0
SETTLE_SECONDS = 3.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _status(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    raise KeyError(key)


@dataclass
class Latency:
    median_ms: float
    p95_ms: float


def _timed(port: int, token: str, path: str, count: int) -> Latency:
    client = http.client.HTTPConnection(HOST, port, timeout=WAIT_SECONDS)
    headers = {"Authorization": f"Bearer {token}"}
    seconds = []
    for _ in range(count):
        started = time.perf_counter()
        client.request("GET", path, headers=headers)
        response = client.getresponse()
        response.read()
        seconds.append(time.perf_counter() - started)
        assert response.status == 200, response.status
    client.close()
    seconds.sort()
    return Latency(
        median_ms=statistics.median(seconds) * 1000,
        p95_ms=seconds[int(len(seconds) * 0.95) - 1] * 1000,
    )


@dataclass
class Streams:
    """`count` idle streams held open by an asyncio loop in a thread."""

    port: int
    token: str
    count: int
    ready: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    received_at: list[float] = field(default_factory=list)
    error: BaseException | None = None
    opened: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def start(self) -> None:
        threading.Thread(target=self._run, name="streams", daemon=True).start()
        if not self.ready.wait(WAIT_SECONDS) or self.error:
            raise RuntimeError(
                f"{len(self.opened)} of {self.count} streams opened; {self.error!r}; "
                f"{self.failures[:3]}"
            )

    def _run(self) -> None:
        try:
            asyncio.run(self._hold())
        except BaseException as exc:
            self.error = exc
            self.ready.set()

    async def _one(self) -> None:
        try:
            await self._hold_one()
        except Exception as exc:
            self.failures.append(repr(exc))
            raise

    async def _hold_one(self) -> None:
        opened = self.opened
        reader, writer = await asyncio.open_connection(HOST, self.port)
        writer.write(
            f"GET /api/events/ HTTP/1.1\r\nHost: {HOST}\r\n"
            f"Authorization: Bearer {self.token}\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        await writer.drain()
        buffer = b""
        while b"event: ready" not in buffer:
            buffer += await reader.read(4096)
        opened.append(1)
        if len(opened) == self.count:
            self.ready.set()
        while not self.stop.is_set():
            chunk = await reader.read(4096)
            if not chunk:
                return
            if b"event: lead.updated" in chunk:
                self.received_at.append(time.perf_counter())
        writer.close()

    async def _hold(self) -> None:
        tasks = []
        # Opened in groups, as browsers would arrive, not 500 SYNs in the same millisecond.
        for group in range(0, self.count, 50):
            for _ in range(min(50, self.count - group)):
                tasks.append(asyncio.create_task(self._one()))
            await asyncio.sleep(0.05)
        while not self.stop.is_set():
            await asyncio.sleep(0.1)
        for task in tasks:
            task.cancel()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, default=500)
    parser.add_argument("--leads", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as data, LocalMongod(dbpath=data) as mongod:
        connection.configure(uri=mongod.uri, db_name="bench")
        ensure_indexes()
        call_command("init_lead_data", verbosity=0)
        admin = user_create(
            data=UserCreate(username="bench", password=PASSWORD, role=UserRole.ADMIN)
        )
        uids = [
            lead_create(
                data=LeadCreate.model_validate(
                    {
                        "name": f"Lead {n}",
                        "company": f"Company {n % 97}",
                        "data": {"budget": 1000 + n},
                    }
                ),
                actor=admin,
            ).lead.uid
            for n in range(args.leads)
        ]
        token = auth_login(username=admin.username, password=PASSWORD).token
        port = _free_port()
        env = {**os.environ, "LEADCRM_MONGO_URI": mongod.uri, "LEADCRM_MONGO_DB": "bench"}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "lead_crm.asgi:application",
                "--worker-class",
                "lead_crm.workers.UvicornWorker",
                "--workers",
                "1",
                "--bind",
                f"{HOST}:{port}",
                "--no-control-socket",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        try:
            run(server, port, token, uids, args)
        finally:
            server.terminate()
            server.wait(timeout=30)


def run(server: subprocess.Popen[bytes], port: int, token: str, uids: list[str], args: Any) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start") from None
            time.sleep(0.1)
    (worker,) = _children(server.pid)
    list_path = "/api/leads/?limit=20"
    detail_path = f"/api/leads/{uids[len(uids) // 2]}/"
    # Warm up: imports, the first connections, the caches of the database.
    _timed(port, token, list_path, 30)
    _timed(port, token, detail_path, 30)
    time.sleep(SETTLE_SECONDS)
    rss_before = _status(worker, "VmRSS")
    threads_before = _status(worker, "Threads")
    idle = {
        "list": _timed(port, token, list_path, args.requests),
        "detail": _timed(port, token, detail_path, args.requests),
    }

    opened_at = time.perf_counter()
    streams = Streams(port, token, args.streams)
    streams.start()
    opened_seconds = time.perf_counter() - opened_at
    time.sleep(SETTLE_SECONDS)
    rss_after = _status(worker, "VmRSS")
    threads_after = _status(worker, "Threads")
    busy = {
        "list": _timed(port, token, list_path, args.requests),
        "detail": _timed(port, token, detail_path, args.requests),
    }

    stored_at = time.perf_counter()
    event = Event(seq=1, kind=EventKind.LEAD_UPDATED, uid=uids[0], at=datetime.now(UTC))
    insert_events([event_document(event, change_id="bench-1")])
    deadline = time.monotonic() + WAIT_SECONDS
    while len(streams.received_at) < args.streams and time.monotonic() < deadline:
        time.sleep(0.01)
    fanned_out = len(streams.received_at)
    fan_out_ms = (max(streams.received_at) - stored_at) * 1000 if fanned_out else float("nan")
    streams.stop.set()

    per_stream_kib = (rss_after - rss_before) / args.streams
    print(
        json.dumps(
            {
                "streams": args.streams,
                "leads": args.leads,
                "requests": args.requests,
                "open_seconds": round(opened_seconds, 2),
                "worker_rss_mib": {
                    "without": round(rss_before / 1024, 1),
                    "with": round(rss_after / 1024, 1),
                },
                "rss_per_stream_kib": round(per_stream_kib, 1),
                "worker_threads": {"without": threads_before, "with": threads_after},
                "latency_ms": {
                    name: {
                        "without": vars(idle[name]),
                        "with": vars(busy[name]),
                        "median_ratio": round(busy[name].median_ms / idle[name].median_ms, 2),
                        "p95_ratio": round(busy[name].p95_ms / idle[name].p95_ms, 2),
                    }
                    for name in idle
                },
                "fan_out": {"streams_reached": fanned_out, "last_after_ms": round(fan_out_ms)},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
