"""`python manage.py worker`: claim and run jobs (imports, ...) and announce the writes as
events (one worker at a time reads the change stream) until Ctrl-C or SIGTERM.

`serve` starts one beside gunicorn; production may run several (on several machines): each
claims jobs atomically with a lease, and a job whose worker died is resumed by another.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from leads.api.webhook_payloads import lead_payload
from leads.services.automation_runs import run_automation
from leads.services.events import read_events
from leads.services.jobs import worker_loop, worker_name
from leads.services.webhook_delivery import dispatch_events, send_deliveries
from leads.store.mongod import MongodError
from leads.store.server import database_server


class Command(BaseCommand):
    help = (
        "Run a worker: claim and run queued jobs (imports), announce writes as events, "
        "deliver webhooks and run automation rules, until Ctrl-C or SIGTERM."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            # The job in hand goes back to the queue at its last checkpoint (a batch at most
            # is redone by the next worker).
            stop.set()

        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, request_stop)
        name = worker_name()
        self.stdout.write(f"worker {name} waiting for jobs — Ctrl-C stops it")
        self.stdout.flush()
        try:
            with database_server():
                # The change-stream reader beside the jobs: whichever worker holds its lease
                # announces the writes (services.events).
                # Webhooks: whichever worker holds the dispatcher's lease turns events into
                # deliveries; every worker sends due ones (services.webhook_delivery).
                wake = threading.Event()
                threads = [
                    threading.Thread(
                        target=read_events,
                        kwargs={"stop": stop, "owner": name},
                        name="event-reader",
                    ),
                    threading.Thread(
                        target=dispatch_events,
                        kwargs={"stop": stop, "owner": name, "wake": wake},
                        name="webhook-dispatcher",
                    ),
                    threading.Thread(
                        target=send_deliveries,
                        kwargs={
                            "stop": stop,
                            "owner": name,
                            "render_lead": lead_payload,
                            "wake": wake,
                        },
                        name="webhook-sender",
                    ),
                    # Automation rules: whichever worker holds the executor's lease runs them.
                    threading.Thread(
                        target=run_automation,
                        kwargs={"stop": stop, "owner": name},
                        name="automation",
                    ),
                ]
                for thread in threads:
                    thread.start()
                try:
                    worker_loop(stop=stop, owner=name)
                finally:
                    stop.set()
                    for thread in threads:
                        thread.join()
        except MongodError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"worker {name} stopped")
