"""A throwaway 3-member replica set on 127.0.0.1, from the same mongod the test session runs."""

from __future__ import annotations

import contextlib
import subprocess
import time
from pathlib import Path
from typing import Any

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from leads.store.mongod import find_mongod_binary, free_port, parent_death_signal

HOST = "127.0.0.1"
START_SECONDS = 60.0


class ReplicaSet:
    """Three mongods of one set; member 0 has the highest priority, so it is elected first and
    the election after it dies is a normal one (default electionTimeoutMillis: 10 s)."""

    def __init__(self, root: Path, name: str = "rsfail") -> None:
        self.root = root
        self.name = name
        self.ports = [free_port() for _ in range(3)]
        self.procs: list[subprocess.Popen[bytes]] = []

    @property
    def uri(self) -> str:
        hosts = ",".join(f"{HOST}:{port}" for port in self.ports)
        return f"mongodb://{hosts}/?replicaSet={self.name}"

    def __enter__(self) -> ReplicaSet:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _start(self) -> None:
        binary = find_mongod_binary()
        for index, port in enumerate(self.ports):
            dbpath = self.root / f"member{index}"
            dbpath.mkdir(parents=True)
            self.procs.append(
                subprocess.Popen(
                    [
                        binary,
                        "--dbpath",
                        str(dbpath),
                        "--port",
                        str(port),
                        "--bind_ip",
                        HOST,
                        "--replSet",
                        self.name,
                        "--logpath",
                        str(dbpath / "mongod.log"),
                        "--wiredTigerCacheSizeGB",
                        "0.25",
                        "--setParameter",
                        "diagnosticDataCollectionEnabled=false",
                        "--nounixsocket",
                        "--quiet",
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                    preexec_fn=parent_death_signal(),
                )
            )
        deadline = time.monotonic() + START_SECONDS
        for port in self.ports:
            self._until(deadline, lambda port=port: self._command(port, "ping"))
        members = [
            {"_id": index, "host": f"{HOST}:{port}", "priority": 2 if index == 0 else 1}
            for index, port in enumerate(self.ports)
        ]
        self._command(self.ports[0], "replSetInitiate", {"_id": self.name, "members": members})
        self._until(deadline, lambda: self.primary_port() == self.ports[0])
        # Both secondaries caught up, so a majority write can be acknowledged from the start.
        self._until(deadline, self._all_secondaries)

    def _command(self, port: int, name: str, value: Any = 1) -> dict[str, Any]:
        member: MongoClient[dict[str, Any]] = MongoClient(
            host=HOST, port=port, directConnection=True, serverSelectionTimeoutMS=1000
        )
        with member:
            return member.admin.command(name, value)

    def _until(self, deadline: float, check: Any) -> None:
        while True:
            with contextlib.suppress(PyMongoError):
                if check() is not False:
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(f"replica set not ready within {START_SECONDS:g} s")
            time.sleep(0.2)

    def _all_secondaries(self) -> bool:
        states = [self._command(port, "hello").get("secondary") for port in self.ports[1:]]
        return all(states)

    def primary_port(self) -> int | None:
        for port, proc in zip(self.ports, self.procs, strict=True):
            if proc.poll() is not None:
                continue
            with contextlib.suppress(PyMongoError):
                if self._command(port, "hello").get("isWritablePrimary"):
                    return port
        return None

    def kill(self, port: int) -> None:
        proc = self.procs[self.ports.index(port)]
        proc.kill()  # SIGKILL: no step-down, no goodbye to the other members
        proc.wait()

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
