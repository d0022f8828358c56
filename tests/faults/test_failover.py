"""The service rides out a primary's death: a real server on a 3-member replica set, four
clients writing, the primary SIGKILLed mid-load, and every acknowledged write still there.

The service runs in this process (a threaded WSGI server, as the e2e tests run it) with the
store pointed at the set; the clients speak HTTP to it.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from leads.domain.enums import UserRole
from leads.domain.inputs import ConfigUpdate, StageReorder
from leads.services import workflow as workflow_services
from leads.services.users import auth_login
from leads.store import connection
from leads.store import leads as lead_store
from leads.store.indexes import ensure_indexes
from tests.builders import PASSWORD, make_config, make_stage, make_user
from tests.faults.replica_set import HOST, ReplicaSet
from tests.live_server import asgi_server

pytestmark = pytest.mark.failover

CLIENTS = 4
LOAD_SECONDS = 22.0
KILL_AFTER_SECONDS = 4.0
# Longer than any request may take (the middleware's bound is 20 s).
CLIENT_TIMEOUT_SECONDS = 40.0
MAX_FAILED_SHARE = 0.01


@dataclass
class Call:
    method: str
    path: str
    status: int
    started: float
    seconds: float
    body: Any


@dataclass
class Ledger:
    """What the clients were told: every call, and the writes acknowledged to them."""

    calls: list[Call] = field(default_factory=list)
    created: dict[str, str] = field(default_factory=dict)  # uid -> name
    patched: dict[str, str] = field(default_factory=dict)  # uid -> company
    moved: dict[str, str] = field(default_factory=dict)  # uid -> stage
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def replica_set(tmp_path: Path, mongo_uri: str, database: str) -> Iterator[ReplicaSet]:
    with ReplicaSet(tmp_path / "rs") as members:
        connection.configure(uri=members.uri, db_name=database)
        try:
            ensure_indexes()
            yield members
        finally:
            connection.configure(uri=mongo_uri, db_name=database)


@pytest.fixture
def service_port(replica_set: ReplicaSet) -> Iterator[int]:
    with asgi_server(HOST) as port:
        yield port


def _call(port: int, token: str, method: str, path: str, body: Any, ledger: Ledger) -> Call:
    connection_ = http.client.HTTPConnection(HOST, port, timeout=CLIENT_TIMEOUT_SECONDS)
    started = time.monotonic()
    try:
        connection_.request(
            method,
            path,
            body=json.dumps(body) if body is not None else None,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = connection_.getresponse()
        raw = response.read()
        status = response.status
    finally:
        connection_.close()
    call = Call(
        method, path, status, started, time.monotonic() - started, json.loads(raw or b"null")
    )
    with ledger.lock:
        ledger.calls.append(call)
    return call


def _client_loop(
    number: int, port: int, token: str, target_stage: str, until: float, ledger: Ledger
) -> None:
    round_ = 0
    while time.monotonic() < until:
        round_ += 1
        name = f"Client {number} lead {round_}"
        created = _call(port, token, "POST", "/api/leads/", {"name": name}, ledger)
        if created.status != 201:
            continue
        uid = created.body["lead"]["uid"] if "lead" in created.body else created.body["uid"]
        with ledger.lock:
            ledger.created[uid] = name
        company = f"Company {number}-{round_}"
        patched = _call(port, token, "PATCH", f"/api/leads/{uid}/", {"company": company}, ledger)
        if patched.status == 200:
            with ledger.lock:
                ledger.patched[uid] = company
        moved = _call(
            port,
            token,
            "POST",
            "/api/leads/kanban/move/",
            {"lead_uid": uid, "to_stage": target_stage},
            ledger,
        )
        if moved.status == 200:
            with ledger.lock:
                ledger.moved[uid] = target_stage
        _call(port, token, "GET", f"/api/leads/{uid}/", None, ledger)


def test_a_killed_primary_loses_no_acknowledged_write_and_fails_at_most_one_percent(
    replica_set: ReplicaSet, service_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    make_config()
    contacted = make_stage("Contacted", order=1)
    new = make_stage("New", order=0, allowed_next_stages=[contacted.uid])
    workflow_services.stage_reorder(data=StageReorder(order=[new.uid, contacted.uid]))
    workflow_services.config_update(
        changes=ConfigUpdate(initial_stage=new.uid), expected_version=None
    )
    member = make_user(UserRole.MEMBER)
    token = auth_login(username=member.username, password=PASSWORD).token
    first_primary = replica_set.primary_port()
    assert first_primary is not None

    ledger = Ledger()
    started = time.monotonic()
    until = started + LOAD_SECONDS
    clients = [
        threading.Thread(
            target=_client_loop,
            args=(number, service_port, token, contacted.uid, until, ledger),
        )
        for number in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    time.sleep(KILL_AFTER_SECONDS)
    replica_set.kill(first_primary)
    killed_at = time.monotonic()
    for client in clients:
        client.join(timeout=LOAD_SECONDS + CLIENT_TIMEOUT_SECONDS)
    assert not any(client.is_alive() for client in clients)

    calls = ledger.calls
    failed = [call for call in calls if call.status >= 300]
    server_errors = [call for call in calls if call.status >= 500 and call.status != 503]
    lost = _lost_writes(ledger)
    longest = max(calls, key=lambda call: call.seconds)
    after_kill = [call for call in calls if call.started > killed_at and 200 <= call.status < 300]
    acked = len(ledger.created) + len(ledger.patched) + len(ledger.moved)
    with capsys.disabled():
        print(
            f"\nfailover: {len(calls)} requests, {acked} writes acknowledged, {len(lost)} lost, "
            f"{len(failed)} failed ({', '.join(str(call.status) for call in failed) or 'none'}), "
            f"longest {longest.seconds:.1f} s ({longest.method} {longest.path}), "
            f"{len(after_kill)} answered 2xx after the kill"
        )

    assert server_errors == []
    assert lost == []
    assert len(failed) <= MAX_FAILED_SHARE * len(calls)
    # Requests caught by the election waited it out past the usual deadline, and succeeded.
    assert any(
        call.seconds > connection.timeout_ms() / 1000 and 200 <= call.status < 300 for call in calls
    )
    # The new primary serves: writes sent after the kill were acknowledged, by another member.
    assert any(call.method == "POST" for call in after_kill)
    new_primary = replica_set.primary_port()
    assert new_primary is not None and new_primary != first_primary
    assert connection.client().primary == (HOST, new_primary)


def _lost_writes(ledger: Ledger) -> list[str]:
    """Every acknowledged write, checked against what the new primary holds."""
    lost: list[str] = []
    for uid, name in ledger.created.items():
        record = lead_store.get_lead(uid)
        lead = record.lead if record is not None else None
        if lead is None or lead.name != name:
            lost.append(f"create {uid}")
            continue
        if uid in ledger.patched and lead.company != ledger.patched[uid]:
            lost.append(f"patch {uid}")
        if uid in ledger.moved and lead.current_stage != ledger.moved[uid]:
            lost.append(f"move {uid}")
    return lost
