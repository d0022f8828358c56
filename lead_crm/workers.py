"""The gunicorn worker class `manage.py serve` runs: uvicorn's, ending event streams at once
when the worker stops.

uvicorn's graceful stop waits for every open response to finish, and an event stream never
does: without this, stopping would wait out gunicorn's graceful timeout with a browser open.
A stream ended here is resumed by the browser (EventSource reconnects with Last-Event-ID), on
another worker or after the restart, with nothing missed.
"""

from __future__ import annotations

import socket
import sys

from gunicorn.arbiter import Arbiter
from uvicorn.server import Server
from uvicorn_worker import UvicornWorker as _UvicornWorker

from leads.api.streams import end_streams


class StreamEndingServer(Server):
    """uvicorn's server, ending the event streams first when it stops."""

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        end_streams()
        await super().shutdown(sockets=sockets)


class UvicornWorker(_UvicornWorker):  # type: ignore[misc]
    # The same as uvicorn_worker's own `_serve` (pinned in pyproject.toml), with our Server.
    async def _serve(self) -> None:
        self.config.app = self.wsgi
        server = StreamEndingServer(config=self.config)
        self._install_sigquit_handler()
        await server.serve(sockets=self.sockets)
        if not server.started:
            sys.exit(Arbiter.WORKER_BOOT_ERROR)
