"""`python manage.py serve`: what `make run` runs.

Starts the database (the local mongod unless LEADCRM_MONGO_URI names a server), prepares it
(indexes, the sample workflow on first start, an admin), then runs gunicorn (uvicorn workers
serving the ASGI application, lead_crm/asgi.py) and one job worker
(`manage.py worker`) as children and stops them in order: gunicorn finishes its requests and
the worker hands its job back to the queue first, the database stops after them.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from types import FrameType
from typing import Any, NoReturn

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from pydantic import ValidationError

from leads.domain.errors import DomainError
from leads.selectors.workflow import stage_list
from leads.services.users import bootstrap_admin
from leads.store.connection import is_database_unavailable
from leads.store.indexes import ensure_indexes
from leads.store.mongod import MongodError, parent_death_signal
from leads.store.server import database_server

GRACEFUL_SECONDS = 10
# gunicorn kills a worker whose event loop has been stuck this long: a last resort only, since
# every request gives up on the database after LEADCRM_MONGO_TIMEOUT_MS (8 s by default) and
# answers a JSON 503.
WORKER_TIMEOUT_SECONDS = 30
# gunicorn's own graceful timeout plus time for the master to reap its workers and exit.
STOP_SECONDS = GRACEFUL_SECONDS + 5
# A job worker that exits by itself (a crash) is started again after this pause.
WORKER_RESTART_SECONDS = 2
LISTEN_WAIT_SECONDS = 30
POLL_SECONDS = 0.1
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _tcp_port(text: str) -> int:
    value = int(text)
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError("must be between 1 and 65535")
    return value


def _bind_problem(host: str, port: int) -> str | None:
    """Why gunicorn could not listen on host:port, in one line; None when it can."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        return f"cannot listen on {host}: {exc.strerror}: set HOST to an address of this machine"
    with socket.socket(family, kind, proto) as sock:
        # gunicorn sets it too, so a connection of a previous run in TIME_WAIT is no obstacle.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (
                    f"port {port} on {host} is in use: "
                    f"stop what uses it or run PORT={port + 1} make run"
                )
            return f"cannot listen on {host}:{port}: {exc.strerror}: choose another HOST or PORT"
    return None


def _accepts_connections(host: str, port: int) -> bool:
    # A wildcard address is not one to connect to; the loopback of its family serves it.
    target = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    try:
        with socket.create_connection((target, port), timeout=POLL_SECONDS * 5):
            return True
    except OSError:
        return False


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = (
        "Run the Lead CRM: start the database unless LEADCRM_MONGO_URI is set, create indexes, "
        "the sample workflow on first start and an admin, then serve with gunicorn."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # argparse passes string defaults through `type`, so a bad $PORT fails like a bad --port.
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=_tcp_port, default=os.environ.get("PORT", "8000"))
        parser.add_argument(
            "--workers", type=_positive, default=os.environ.get("LEADCRM_WORKERS", "2")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host: str = options["host"]
        port: int = options["port"]
        workers: int = options["workers"]
        problem = _bind_problem(host, port)
        if problem is not None:
            self._fail(problem)
        # A signal ignored by whoever started us stays ignored: `nohup make run &` must outlive
        # the terminal's SIGHUP.
        previous = {
            signum: handler
            for signum in STOP_SIGNALS
            if (handler := signal.getsignal(signum)) is not signal.SIG_IGN
        }
        # Until gunicorn runs, every stop signal unwinds like Ctrl-C, so the `with` below stops
        # a database it already started.
        for signum in previous:
            signal.signal(signum, _interrupt)
        try:
            with database_server(own=True) as uri:
                self._prepare()
                code = self._run_gunicorn(uri, host, port, workers, stop_signals=list(previous))
        except MongodError as exc:
            self._fail(str(exc))
        except KeyboardInterrupt:
            self.stderr.write("Stopped before the service was up.")
            code = 0
        finally:
            for signum, handler in previous.items():
                # None: a handler installed outside Python, which cannot be put back from here.
                if handler is not None:
                    signal.signal(signum, handler)
        if code:
            raise SystemExit(code)

    def _fail(self, message: str) -> NoReturn:
        self.stderr.write(message)
        raise SystemExit(1)

    def _prepare(self) -> None:
        try:
            ensure_indexes()
            if not stage_list():
                call_command("init_lead_data")
            created = bootstrap_admin(
                username=os.environ.get("LEADCRM_ADMIN_USERNAME"),
                password=os.environ.get("LEADCRM_ADMIN_PASSWORD"),
            )
        except CommandError as exc:
            self._fail(str(exc))
        except DomainError as exc:
            self._fail(f"start-up failed: {exc.message}")
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
                for error in exc.errors()
            )
            self._fail(f"LEADCRM_ADMIN_USERNAME/LEADCRM_ADMIN_PASSWORD are not valid: {problems}")
        except Exception as exc:
            if not is_database_unavailable(exc):
                raise
            # The URI is not repeated: it may hold a password.
            self._fail(
                "cannot reach the MongoDB server: check LEADCRM_MONGO_URI and that the server is up"
            )
        if created is not None:
            user, password = created
            self.stdout.write(
                "\n"
                "  An admin account was created; this password is shown only now:\n"
                f"    username: {user.username}\n"
                f"    password: {password}\n"
                "  Sign in and change it in Settings > Users.\n"
            )

    def _run_gunicorn(
        self, uri: str, host: str, port: int, workers: int, *, stop_signals: list[int]
    ) -> int:
        """Serve until a stop signal (then 0) or until gunicorn exits by itself (its code)."""
        received: list[int] = []

        def request_stop(signum: int, frame: FrameType | None) -> None:
            received.append(signum)

        for signum in stop_signals:
            signal.signal(signum, request_stop)
        env = {
            **os.environ,
            "LEADCRM_MONGO_URI": uri,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "lead_crm.settings"),
        }
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "lead_crm.asgi:application",
            # ASGI through uvicorn's event loop: an open event stream (GET /api/events/) waits
            # there instead of holding one of a few threads; every other view runs in a thread.
            "--worker-class",
            "lead_crm.workers.UvicornWorker",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            str(GRACEFUL_SECONDS),
            "--timeout",
            str(WORKER_TIMEOUT_SECONDS),
            # Nothing here uses gunicorn's control interface, and its default socket path in
            # ~/.gunicorn is shared by every instance the user runs.
            "--no-control-socket",
        ]
        self.stdout.flush()
        gunicorn = subprocess.Popen(
            command,
            env=env,
            cwd=settings.BASE_DIR,
            stdin=subprocess.DEVNULL,
            # Out of the terminal's process group: Ctrl-C reaches only this command, which
            # stops gunicorn gracefully and the database after it, in that order.
            start_new_session=True,
            preexec_fn=parent_death_signal(),
        )
        worker = self._start_worker(env)
        restart_at: float | None = None
        try:
            self._announce_when_listening(gunicorn, host, port, received)
            while gunicorn.poll() is None and not received:
                time.sleep(POLL_SECONDS)
                if worker.poll() is not None:
                    if restart_at is None:
                        self.stderr.write(
                            f"the job worker exited with code {worker.returncode}; "
                            f"starting another in {WORKER_RESTART_SECONDS} s."
                        )
                        restart_at = time.monotonic() + WORKER_RESTART_SECONDS
                    elif time.monotonic() >= restart_at:
                        worker, restart_at = self._start_worker(env), None
            if not received:
                code = gunicorn.returncode
                self.stderr.write(f"gunicorn exited with code {code}; stopping the database.")
                # Workers of a master that was killed outright would linger without it.
                self._kill(gunicorn)
                self._stop([worker], [])
                # A negative code is a signal; a shell reports those as 128 + the signal.
                return code if code >= 0 else 128 - code
            self.stdout.write(
                "Stopping: finishing open requests and the job worker's batch, then the database."
            )
            self._stop([gunicorn, worker], received)
            return 0
        finally:
            for child in (gunicorn, worker):
                if child.poll() is None:
                    self._kill(child)

    def _announce_when_listening(
        self, gunicorn: subprocess.Popen[bytes], host: str, port: int, received: list[int]
    ) -> None:
        deadline = time.monotonic() + LISTEN_WAIT_SECONDS
        while gunicorn.poll() is None and not received and time.monotonic() < deadline:
            if _accepts_connections(host, port):
                break
            time.sleep(POLL_SECONDS)
        if gunicorn.poll() is None and not received:
            self.stdout.write(f"Lead CRM is running at http://{host}:{port} — Ctrl-C stops it")
            self.stdout.flush()

    def _start_worker(self, env: dict[str, str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "manage.py", "worker"],
            env=env,
            cwd=settings.BASE_DIR,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            # Like gunicorn: out of the terminal's process group, stopped by this command.
            start_new_session=True,
            preexec_fn=parent_death_signal(),
        )

    def _stop(self, children: list[subprocess.Popen[bytes]], received: list[int]) -> None:
        """SIGTERM is gunicorn's graceful stop and the worker's (it hands its job back); a
        second signal or the deadline means now."""
        signals_before = len(received)
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        while any(child.poll() is None for child in children):
            if time.monotonic() > deadline or len(received) > signals_before:
                for child in children:
                    if child.poll() is None:
                        self._kill(child)
                return
            time.sleep(POLL_SECONDS)

    @staticmethod
    def _kill(child: subprocess.Popen[bytes]) -> None:
        # The whole session: workers whose master is gone would otherwise linger on.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()
