"""Webhook delivery latency and throughput: from a lead's move to a receiver on 127.0.0.1.

    .venv/bin/python bench/bench_webhooks.py [--paced 500] [--pace 20] [--burst 2000]
                                             [--burst-leads 200] [--movers 4]

Starts a local mongod (a one-member replica set), a real `manage.py worker` process (the
change-stream reader, the webhook dispatcher and sender, as production runs them) and a
receiver in a thread of this process (http.server, HTTP/1.1 keep-alive) that checks each
signature and notes when each delivery arrived. One webhook on every event
(LEADCRM_WEBHOOK_ALLOW_PRIVATE=1 lets it point at 127.0.0.1).

(a) latency: `--paced` moves at `--pace` a second, round robin over 50 leads, each through the
service (`lead_transition`, the API's own write path); from the write's acknowledgement to the
delivery's arrival, median and p99. Each is split into its legs with the times MongoDB wrote
in its oplog: until the reader stored the event, until the dispatcher stored the delivery,
until the sender began its first attempt, until the receiver had it.
(b) throughput: `--burst` moves across `--burst-leads` leads as fast as `--movers` threads move
them (each its own leads); deliveries a second from the first move until the last delivery
arrived, and from the end of the moves while the backlog drains; each lead's deliveries in the
order of its moves. Its floor: as many signed POSTs of a delivery's body
sent by a plain httpx client straight to the receiver, one at a time and from as many threads
as the sender lets one webhook have in flight.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lead_crm.settings")
os.environ["LEADCRM_WEBHOOK_ALLOW_PRIVATE"] = "1"

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.conf import settings  # noqa: E402

from leads.domain.enums import UserRole  # noqa: E402
from leads.domain.inputs import (  # noqa: E402
    ConfigUpdate,
    LeadCreate,
    StageCreate,
    StageUpdate,
    UserCreate,
)
from leads.domain.models import User  # noqa: E402
from leads.domain.webhooks import WebhookCreate, signature  # noqa: E402
from leads.services import workflow as workflow_services  # noqa: E402
from leads.services.leads import lead_create  # noqa: E402
from leads.services.transitions import lead_transition  # noqa: E402
from leads.services.users import user_create  # noqa: E402
from leads.services.webhook_delivery import PER_WEBHOOK  # noqa: E402
from leads.services.webhooks import webhook_create  # noqa: E402
from leads.store import connection  # noqa: E402
from leads.store import events as event_store  # noqa: E402
from leads.store import webhooks as webhook_store  # noqa: E402
from leads.store.indexes import ensure_indexes  # noqa: E402
from leads.store.mongod import LocalMongod  # noqa: E402

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# httpx notes every request at INFO: the floor's thousands of POSTs would bury the figures.
logging.getLogger("httpx").setLevel(logging.WARNING)
DB = "bench"
PACED_LEADS = 50
# Everything waited for is bounded: a stuck worker ends the run, not the machine.
WAIT_SECONDS = 300.0


@dataclass
class Arrival:
    at: float
    delivery: str
    event: str
    uid: str
    version: int | None


@dataclass
class Receiver:
    """Records every POST with its arrival time (time.time()); checks each signature."""

    secret: str = ""
    arrivals: list[Arrival] = field(default_factory=list)
    bad_signatures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive, as a production receiver would: the sender's client reuses its
            # connections, and so does the floor's.
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                at = time.time()
                expected = hmac.new(receiver.secret.encode(), raw, hashlib.sha256).hexdigest()
                good = hmac.compare_digest(
                    "sha256=" + expected, self.headers.get("X-LeadCRM-Signature", "")
                )
                body = json.loads(raw)
                arrival = Arrival(
                    at, body.get("id", ""), body.get("event", ""), body.get("uid", ""),
                    body.get("version"),
                )  # fmt: skip
                with receiver.lock:
                    receiver.arrivals.append(arrival)
                    receiver.bad_signatures += not good
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def count(self, event: str | None = None) -> int:
        with self.lock:
            return sum(1 for a in self.arrivals if event is None or a.event == event)

    def clear(self) -> None:
        with self.lock:
            self.arrivals.clear()


def wait_until(condition: Any, what: str, seconds: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.01)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def ping_pong() -> tuple[str, str]:
    """Two open stages, each allowing the move to the other, without tasks."""
    workflow_services.config_ensure()
    pong = workflow_services.stage_create(data=StageCreate.model_validate({"name": "Pong"}))
    ping = workflow_services.stage_create(
        data=StageCreate.model_validate({"name": "Ping", "allowed_next_stages": [pong.uid]})
    )
    workflow_services.stage_update(
        uid=pong.uid,
        changes=StageUpdate.model_validate({"allowed_next_stages": [ping.uid]}),
        expected_version=None,
    )
    workflow_services.config_update(
        changes=ConfigUpdate(initial_stage=ping.uid), expected_version=None
    )
    return ping.uid, pong.uid


class Leads:
    """Leads that move between the two stages; remembers when each move was acknowledged."""

    def __init__(self, actor: User, stages: tuple[str, str], count: int, prefix: str) -> None:
        self.actor, self.stages = actor, stages
        self.uids = [
            lead_create(
                data=LeadCreate.model_validate({"name": f"{prefix} {n}", "company": "Bench"}),
                actor=actor,
            ).lead.uid
            for n in range(count)
        ]
        self.at_stage = dict.fromkeys(self.uids, 0)
        self.acked: dict[tuple[str, int], float] = {}

    def move(self, uid: str) -> None:
        self.at_stage[uid] ^= 1
        moved = lead_transition(uid=uid, to_stage=self.stages[self.at_stage[uid]], actor=self.actor)
        self.acked[(uid, moved.lead.version)] = time.time()


def oplog_walls(client: Any, collection: str) -> list[dict[str, Any]]:
    """When MongoDB wrote each insert of `collection` (the oplog's wall clock, ms)."""
    return list(
        client.local["oplog.rs"].find(
            {"ns": f"{DB}.{collection}", "op": "i"},
            {"wall": 1, "o.uid": 1, "o.version": 1, "o.seq": 1, "o.kind": 1},
        )
    )


def latency_legs(leads: Leads, arrivals: list[Arrival]) -> dict[str, Any]:
    """Each paced move's delivery latency and its legs (ms)."""
    client = connection.client()
    event_at = {
        (doc["o"]["uid"], doc["o"]["version"]): doc["wall"].timestamp()
        for doc in oplog_walls(client, "events")
        if doc["o"].get("kind") == "lead.moved"
    }
    seq_of = {
        (doc["o"]["uid"], doc["o"]["version"]): doc["o"]["seq"]
        for doc in oplog_walls(client, "events")
        if doc["o"].get("kind") == "lead.moved"
    }
    deliveries = {
        doc["seq"]: doc
        for doc in webhook_store.deliveries().find(
            {"event": "lead.moved"}, {"seq": 1, "created_at": 1, "attempts.at": 1}
        )
    }
    first: dict[tuple[str, int], float] = {}
    for arrival in arrivals:
        if arrival.event == "lead.moved" and arrival.version is not None:
            first.setdefault((arrival.uid, arrival.version), arrival.at)
    legs: dict[str, list[float]] = defaultdict(list)
    for key, acked in leads.acked.items():
        if key not in first:
            raise SystemExit(f"the move {key} was never delivered")
        legs["total"].append((first[key] - acked) * 1000)
        delivery = deliveries[seq_of[key]]
        stored, sent = _utc(delivery["created_at"]), _utc(delivery["attempts"][0]["at"])
        legs["event stored (reader)"].append((event_at[key] - acked) * 1000)
        legs["delivery stored (dispatcher)"].append((stored - event_at[key]) * 1000)
        legs["attempt begun (sender)"].append((sent - stored) * 1000)
        legs["arrived (POST)"].append((first[key] - sent) * 1000)
    return {
        name: {
            "median": round(statistics.median(values), 1),
            "p99": round(pct(values, 0.99), 1),
            "max": round(max(values), 1),
        }
        for name, values in legs.items()
    }


def _utc(value: datetime) -> float:
    # PyMongo hands back naive UTC datetimes; .timestamp() would read them as local time.
    return value.replace(tzinfo=UTC).timestamp() if value.tzinfo is None else value.timestamp()


def in_order(leads: Leads, arrivals: list[Arrival]) -> tuple[bool, int]:
    """Whether every lead's moves arrived in the order of its versions (a repeat may come
    again before the next one, never after it); and how many arrivals were repeats."""
    seen: dict[str, list[int]] = defaultdict(list)
    repeats = 0
    for arrival in sorted(arrivals, key=lambda a: a.at):
        if arrival.event != "lead.moved" or arrival.uid not in leads.at_stage:
            continue
        versions = seen[arrival.uid]
        if versions and arrival.version is not None and arrival.version <= versions[-1]:
            repeats += 1
            if arrival.version < versions[-1]:
                return False, repeats
            continue
        versions.append(arrival.version or 0)
    return all(versions == sorted(versions) for versions in seen.values()), repeats


def floor(url: str, secret: str, body: bytes, count: int, threads: int) -> float:
    """Signed POSTs a second straight to the receiver from `threads` plain httpx clients."""

    def post_many(n: int) -> None:
        with httpx.Client(timeout=10, trust_env=False) as client:
            for _ in range(n):
                response = client.post(
                    url,
                    content=body,
                    headers={
                        "Content-Type": "application/json",
                        "X-LeadCRM-Signature": signature(secret, body),
                    },
                )
                assert response.status_code == 200

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        share = [count // threads + (i < count % threads) for i in range(threads)]
        list(pool.map(post_many, share))
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paced", type=int, default=500)
    parser.add_argument("--pace", type=float, default=20.0, help="paced moves a second")
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--burst-leads", type=int, default=200)
    parser.add_argument(
        "--movers", type=int, default=4, help="threads making the burst's moves (leads split)"
    )
    args = parser.parse_args()
    if args.burst_leads % args.movers:
        parser.error("--burst-leads must be a multiple of --movers (each mover has its own leads)")

    with tempfile.TemporaryDirectory() as data, LocalMongod(dbpath=data) as mongod:
        connection.configure(uri=mongod.uri, db_name=DB)
        ensure_indexes()
        stages = ping_pong()
        admin = user_create(
            data=UserCreate(username="bench", password="benchmark-password", role=UserRole.ADMIN)
        )
        paced = Leads(admin, stages, PACED_LEADS, "Paced")
        burst = Leads(admin, stages, args.burst_leads, "Burst")
        env = {
            **os.environ,
            "LEADCRM_MONGO_URI": mongod.uri,
            "LEADCRM_MONGO_DB": DB,
            "LEADCRM_WEBHOOK_ALLOW_PRIVATE": "1",
        }
        log = Path(data) / "worker.log"
        with log.open("ab") as out:
            worker = subprocess.Popen(
                [sys.executable, "manage.py", "worker"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        receiver = Receiver().start()
        try:
            wait_until(
                lambda: (
                    event_store.reader_token() is not None
                    and webhook_store.dispatcher_position() is not None
                ),
                "the worker to start",
                seconds=60,
            )
            hook = webhook_create(data=WebhookCreate(url=receiver.url), actor=admin)
            receiver.secret = hook.secret
            print(json.dumps(run(args, paced, burst, receiver), indent=2))
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
            if worker.returncode not in (0, -signal.SIGTERM):
                print(log.read_text()[-3000:], file=sys.stderr)


def run(args: Any, paced: Leads, burst: Leads, receiver: Receiver) -> dict[str, Any]:
    load = {"start": os.getloadavg()}
    # Warm up: the worker's first deliveries (imports, connections, caches).
    for uid in paced.uids[:10]:
        paced.move(uid)
    wait_until(lambda: receiver.count("lead.moved") >= 10, "the warm-up deliveries")
    paced.acked.clear()
    receiver.clear()

    interval = 1 / args.pace
    started = time.perf_counter()
    for n in range(args.paced):
        paced.move(paced.uids[n % len(paced.uids)])
        time.sleep(max(0.0, started + (n + 1) * interval - time.perf_counter()))
    wait_until(lambda: receiver.count("lead.moved") >= args.paced, "the paced deliveries")
    time.sleep(1)
    with receiver.lock:
        paced_arrivals = list(receiver.arrivals)
    latency = latency_legs(paced, paced_arrivals)
    paced_order, paced_repeats = in_order(paced, paced_arrivals)
    load["after latency"] = os.getloadavg()
    receiver.clear()

    moves_started = time.time()

    def mover(first: int) -> None:
        # Each mover has its own leads (every `--movers`-th): a lead's moves stay in order.
        for n in range(first, args.burst, args.movers):
            burst.move(burst.uids[n % len(burst.uids)])

    with ThreadPoolExecutor(args.movers) as pool:
        list(pool.map(mover, range(args.movers)))
    moves_ended = time.time()
    moved_in = moves_ended - moves_started
    backlog = args.burst - receiver.count("lead.moved")
    wait_until(lambda: receiver.count("lead.moved") >= args.burst, "the burst's deliveries")
    with receiver.lock:
        burst_arrivals = list(receiver.arrivals)
    last = max(a.at for a in burst_arrivals)
    first = min(a.at for a in burst_arrivals)
    order, repeats = in_order(burst, burst_arrivals)
    delivered = len({a.delivery for a in burst_arrivals})
    load["after burst"] = os.getloadavg()

    sample = json.dumps(
        {"id": "x", "event": "lead.moved", "uid": burst.uids[0], "lead": {"name": "x" * 900}}
    ).encode()
    floors = {
        "one at a time": round(floor(receiver.url, receiver.secret, sample, args.burst, 1)),
        f"{PER_WEBHOOK} threads": round(
            floor(receiver.url, receiver.secret, sample, args.burst, PER_WEBHOOK)
        ),
    }
    load["end"] = os.getloadavg()
    return {
        "latency_ms": {"moves": len(paced.acked), "pace_per_s": args.pace, **latency},
        "paced_in_order": paced_order,
        "paced_repeats": paced_repeats,
        "burst": {
            "moves": args.burst,
            "leads": args.burst_leads,
            "moves_took_s": round(moved_in, 2),
            "deliveries": delivered,
            "first_arrival_after_s": round(first - moves_started, 2),
            "last_arrival_after_s": round(last - moves_started, 2),
            "deliveries_per_s": round(delivered / (last - moves_started), 1),
            "undelivered_when_the_moves_ended": backlog,
            "drain_per_s_after_the_moves_ended": round(backlog / (last - moves_ended), 1),
            "in_order_per_lead": order,
            "repeats": repeats,
        },
        "floor_posts_per_s": floors,
        "bad_signatures": receiver.bad_signatures,
        "loadavg_1_5_15": {name: [round(v, 2) for v in value] for name, value in load.items()},
    }


if __name__ == "__main__":
    main()
