"""`python manage.py ensure_indexes`: create the indexes the queries rely on (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from leads.store.indexes import ensure_indexes
from leads.store.mongod import MongodError
from leads.store.server import database_server


class Command(BaseCommand):
    help = "Create the MongoDB indexes that are missing and list every index by name."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with database_server():
                names = ensure_indexes()
        except MongodError as exc:
            raise CommandError(str(exc)) from None
        for name in names:
            self.stdout.write(name)
