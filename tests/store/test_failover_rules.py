"""Which errors mean "the replica set is electing a primary" (worth waiting for), and which
writes stop a request from running again."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo.errors import (
    AutoReconnect,
    ExecutionTimeout,
    NetworkTimeout,
    NotPrimaryError,
    OperationFailure,
    ServerSelectionTimeoutError,
)
from pymongo.hello import Hello
from pymongo.server_description import ServerDescription
from pymongo.topology_description import TOPOLOGY_TYPE, TopologyDescription

from leads.store import connection

SET = "rs"
HOSTS = [("127.0.0.1", 1), ("127.0.0.1", 2), ("127.0.0.1", 3)]


def _member(address: tuple[str, int], **hello: Any) -> ServerDescription:
    if not hello:
        return ServerDescription(address, error=AutoReconnect("connection refused"))
    document = {"ok": 1, "setName": SET, "hosts": [f"{h}:{p}" for h, p in HOSTS], **hello}
    return ServerDescription(address, Hello(document), round_trip_time=0.001)


def _topology(kind: int, *members: ServerDescription) -> TopologyDescription:
    return TopologyDescription(
        kind, {member.address: member for member in members}, SET, None, None, None
    )


# The primary died; the other two still answer and will elect one of them.
ELECTING = _topology(
    TOPOLOGY_TYPE.ReplicaSetNoPrimary,
    _member(HOSTS[0]),
    _member(HOSTS[1], secondary=True),
    _member(HOSTS[2], secondary=True),
)
# `make run`'s own mongod: one server, nothing to fail over to.
LONE_SERVER = _topology(TOPOLOGY_TYPE.Single, _member(HOSTS[0]))
# Every member is gone: no election can bring a primary back.
ALL_GONE = _topology(TOPOLOGY_TYPE.ReplicaSetNoPrimary, *(_member(address) for address in HOSTS))


@pytest.mark.parametrize(
    "exc",
    [
        ServerSelectionTimeoutError("no primary"),
        AutoReconnect("connection closed"),
        NotPrimaryError("not primary", {"code": 10107}),
    ],
    ids=lambda exc: type(exc).__name__,
)
def test_losing_the_primary_of_a_set_that_can_elect_another_is_a_failover(
    exc: Exception,
) -> None:
    assert connection.is_failover(exc, ELECTING)


@pytest.mark.parametrize(
    "exc",
    [NetworkTimeout("timed out"), ExecutionTimeout("operation exceeded time limit", code=50)],
    ids=lambda exc: type(exc).__name__,
)
def test_a_server_that_stalls_is_no_failover_so_its_bound_holds(exc: Exception) -> None:
    assert not connection.is_failover(exc, ELECTING)


@pytest.mark.parametrize("topology", [LONE_SERVER, ALL_GONE], ids=["lone server", "all gone"])
def test_losing_a_server_with_no_member_left_to_elect_is_no_failover(
    topology: TopologyDescription,
) -> None:
    assert not connection.is_failover(AutoReconnect("connection refused"), topology)
    assert not connection.is_failover(ServerSelectionTimeoutError("no server"), topology)


def test_a_refused_query_is_no_failover() -> None:
    assert not connection.is_failover(OperationFailure("bad query", code=2), ELECTING)


def test_an_acknowledged_write_stops_a_rerun_unless_it_checks_itself() -> None:
    with connection.request_journal() as journal:
        connection.leads().insert_one({"type": "probe", "uid": "checked"})
        assert journal.unchecked_writes == 1
        with connection.self_checking():
            connection.leads().insert_one({"type": "probe", "uid": "self-checking"})
        assert journal.unchecked_writes == 1
        connection.leads().find_one({"type": "probe"})
        assert journal.unchecked_writes == 1

    journal.failover = True
    assert not journal.rerunnable


def test_a_request_that_only_read_runs_again_after_a_failover() -> None:
    with connection.request_journal() as journal:
        connection.leads().find_one({"type": "probe"})
    assert not journal.rerunnable
    journal.failover = True
    assert journal.rerunnable
