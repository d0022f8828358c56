"""`manage.py serve` as `make run` starts it: its own mongod, a clean stop, data kept."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from leads.store.mongod import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
ADMIN_USERNAME = "owner"
ADMIN_PASSWORD = "owner-password-1"
START_SECONDS = 60
STOP_SECONDS = 30
# Set by the developer's shell or CI, they would point serve away from the dirs under test.
_INHERITED = ("LEADCRM_MONGO_URI", "LEADCRM_MONGO_DATA", "LEADCRM_MONGO_DB", "HOST", "PORT")


@pytest.fixture
def database() -> Iterator[None]:
    """Overrides the per-test database: serve starts and owns its mongod here."""
    yield None


def _env(var_dir: Path, port: int) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _INHERITED}
    env.update(
        LEADCRM_VAR_DIR=str(var_dir),
        LEADCRM_MONGO_PORT=str(free_port()),
        LEADCRM_WORKERS="1",
        HOST="127.0.0.1",
        PORT=str(port),
        LEADCRM_ADMIN_USERNAME=ADMIN_USERNAME,
        LEADCRM_ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    return env


def _as_a_background_job() -> None:
    # What a shell without job control does to a command started with `&`.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def _serving(
    env: dict[str, str], log: Path, *, background: bool = False
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "serve"],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=_as_a_background_job if background else None,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _request(
    port: int, path: str, *, body: dict[str, Any] | None = None, token: str | None = None
) -> Any:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers=headers,
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def _wait_until_healthy(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            _request(port, "/healthz")
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    pytest.fail(f"/healthz did not answer 200 within {START_SECONDS}s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes], log: Path, signum: signal.Signals) -> None:
    process.send_signal(signum)
    try:
        code = process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"no exit within {STOP_SECONDS}s of {signum.name}:\n{log.read_text()}")
    assert code == 0, log.read_text()


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue  # exited while we looked
        if any(text in arg for arg in args):
            found.append(" ".join(args))
    return found


def _assert_stopped_cleanly(var_dir: Path, port: int) -> None:
    dbpath = var_dir / "mongodb"
    assert _processes_mentioning(str(dbpath)) == []
    assert _processes_mentioning(f"127.0.0.1:{port}") == []
    lock = dbpath / "mongod.lock"
    assert not lock.exists() or lock.read_bytes() == b""
    assert not (var_dir / "mongod.uri").exists()


def test_serve_stops_cleanly_on_sigint_or_sigterm_and_keeps_its_data(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    port = free_port()
    env = _env(var_dir, port)

    first_log = tmp_path / "first.log"
    with _serving(env, first_log) as first:
        _wait_until_healthy(first, port, first_log)
        workers = _job_workers(first.pid)
        assert len(workers) == 1, first_log.read_text()
        _stop(first, first_log, signal.SIGINT)
    _assert_stopped_cleanly(var_dir, port)
    assert not Path(f"/proc/{workers[0]}").exists()  # the job worker stopped with it
    output = first_log.read_text()
    assert f"Lead CRM is running at http://127.0.0.1:{port}" in output
    assert "Loaded the sample workflow" in output

    second_log = tmp_path / "second.log"
    with _serving(env, second_log) as second:
        _wait_until_healthy(second, port, second_log)
        signed_in = _request(
            port,
            "/api/auth/login/",
            body={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD},
        )
        stages = _request(port, "/api/stages/", token=signed_in["token"])
        _stop(second, second_log, signal.SIGTERM)
    _assert_stopped_cleanly(var_dir, port)
    assert [stage["name"] for stage in stages] == [
        "New",
        "Contacted",
        "Qualified",
        "Proposal",
        "Negotiation",
        "Won",
        "Lost",
    ]
    assert "Loaded the sample workflow" not in second_log.read_text()


def test_serve_started_in_the_background_ignores_sigint_and_stops_cleanly_on_sigterm(
    tmp_path: Path,
) -> None:
    var_dir = tmp_path / "var"
    port = free_port()
    log = tmp_path / "serve.log"
    with _serving(_env(var_dir, port), log, background=True) as process:
        _wait_until_healthy(process, port, log)
        process.send_signal(signal.SIGINT)
        time.sleep(2)
        assert process.poll() is None, log.read_text()
        assert _request(port, "/healthz")["status"] == "ok"
        _stop(process, log, signal.SIGTERM)
    _assert_stopped_cleanly(var_dir, port)


def _child_pids(parent: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == parent:
            pids.append(int(stat.parent.name))
    return pids


def _job_workers(parent: int) -> list[int]:
    """The `manage.py worker` children of `parent`."""
    return [
        pid
        for pid in _child_pids(parent)
        if b"worker" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    ]


def test_serve_stops_the_database_and_fails_when_gunicorn_dies(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    port = free_port()
    log = tmp_path / "serve.log"
    with _serving(_env(var_dir, port), log) as serve:
        _wait_until_healthy(serve, port, log)
        gunicorn = [
            pid
            for pid in _child_pids(serve.pid)
            if "gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        ]
        assert len(gunicorn) == 1
        os.kill(gunicorn[0], signal.SIGKILL)
        code = serve.wait(timeout=STOP_SECONDS)

    assert code == 128 + signal.SIGKILL, log.read_text()
    _assert_stopped_cleanly(var_dir, port)
    assert "gunicorn exited with code -9" in log.read_text()


def test_serve_refuses_a_taken_http_port_in_one_line(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port: int = squatter.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "manage.py", "serve"],
            cwd=REPO_ROOT,
            env=_env(var_dir, port),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=STOP_SECONDS,
        )

    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"port {port} on 127.0.0.1 is in use: stop what uses it or run PORT={port + 1} make run"
    ]
    assert not (var_dir / "mongodb").exists()


def test_serve_with_an_unreachable_configured_server_says_so_in_one_line(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    env = {**_env(var_dir, free_port()), "LEADCRM_MONGO_URI": f"mongodb://127.0.0.1:{free_port()}"}

    result = subprocess.run(
        [sys.executable, "manage.py", "serve"],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=STOP_SECONDS,
    )

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "cannot reach the MongoDB server: check LEADCRM_MONGO_URI and that the server is up"
    ]
    assert not (var_dir / "mongodb").exists()


def test_serve_ends_open_event_streams_at_once_when_it_stops(tmp_path: Path) -> None:
    """uvicorn would wait for every open response, and a stream never ends by itself: the
    stop would then wait out gunicorn's 10 s graceful timeout with a browser open."""
    port = free_port()
    log = tmp_path / "serve.log"
    with _serving(_env(tmp_path / "var", port), log) as process:
        _wait_until_healthy(process, port, log)
        token = _request(
            port,
            "/api/auth/login/",
            body={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD},
        )["token"]
        stream = http.client.HTTPConnection("127.0.0.1", port, timeout=STOP_SECONDS)
        stream.request("GET", "/api/events/", headers={"Authorization": f"Bearer {token}"})
        response = stream.getresponse()
        assert response.status == 200
        while b"event: ready" not in response.readline():
            pass
        asked = time.monotonic()
        process.send_signal(signal.SIGTERM)
        while response.readline():
            pass
        ended_after = time.monotonic() - asked
        stream.close()
        assert process.wait(timeout=STOP_SECONDS) == 0, log.read_text()
    assert ended_after < 3, f"the stream ended {ended_after:.1f} s after SIGTERM"
