"""`python manage.py rebuild_summaries`: build the board's summaries (lead facts and stage
totals) again from the leads."""

from __future__ import annotations

import os
import socket
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leads.services.events import lease_seconds
from leads.services.summaries import summaries_rebuild
from leads.store.mongod import MongodError
from leads.store.server import database_server


class Command(BaseCommand):
    help = (
        "Rebuild the board's summaries from the leads: here when no worker's change-stream "
        "reader runs, else by that reader (this command waits for it)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wait", type=float, default=600.0, help="seconds to wait for a running reader"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        owner = f"rebuild_summaries:{socket.gethostname()}:{os.getpid()}"
        try:
            with database_server():
                outcome = summaries_rebuild(
                    owner=owner, lease_seconds=lease_seconds(), wait_seconds=options["wait"]
                )
        except MongodError as exc:
            raise CommandError(str(exc)) from None
        except TimeoutError as exc:
            raise CommandError(str(exc)) from None
        by = "the running reader" if outcome.by_reader else "this command"
        self.stdout.write(f"summaries rebuilt by {by}: {outcome.facts} leads")
