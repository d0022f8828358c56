"""A change-stream reader running in a thread, as a worker runs it, for the tests of what it
keeps (events, summaries)."""

from __future__ import annotations

import threading
import time
from typing import Any

from leads.services import events as event_services
from leads.store import events as event_store


class Killed(BaseException):
    """Stands for the worker process dying: no handler of the reader's sees it."""


class Reader:
    """A reader running in a thread, as a worker runs it."""

    def __init__(self, owner: str = "test-reader") -> None:
        self.owner = owner
        self.stop = threading.Event()
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            event_services.read_events(stop=self.stop, owner=self.owner)
        except BaseException as exc:  # a Killed reader, or a bug the test should show
            self.failure = exc

    def __enter__(self) -> Reader:
        self.thread.start()
        wait_until(lambda: event_store.reader_token() is not None, "the reader to start")
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=10)


def wait_until(condition: Any, what: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
