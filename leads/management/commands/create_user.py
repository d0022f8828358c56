"""`python manage.py create_user --username U [...]`: add someone who can sign in."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from pydantic import ValidationError

from leads.domain.enums import UserRole
from leads.domain.errors import DuplicateKey
from leads.domain.inputs import UserCreate
from leads.services.users import user_create
from leads.store.indexes import ensure_indexes
from leads.store.mongod import MongodError
from leads.store.server import database_server

PASSWORD_ENV = "LEADCRM_NEW_PASSWORD"


def _one_line(exc: ValidationError) -> str:
    """Pydantic's report as `--option: problem; ...`, named the way the user typed it."""
    problems = []
    for error in exc.errors():
        option = "--" + "-".join(str(part) for part in error["loc"]).replace("_", "-")
        message = error["msg"].removeprefix("Value error, ")
        problems.append(f"{option}: {message}" if error["loc"] else message)
    return "; ".join(problems)


class Command(BaseCommand):
    help = (
        "Add a user. The password comes from --password, else $LEADCRM_NEW_PASSWORD, else a "
        "prompt when run in a terminal."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument(
            "--password",
            help=f"visible to other local users in the process list: prefer ${PASSWORD_ENV} "
            "or the prompt",
        )
        parser.add_argument(
            "--role", choices=[role.value for role in UserRole], default=UserRole.MEMBER.value
        )
        parser.add_argument("--display-name", default="")
        parser.add_argument("--email")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = UserCreate.model_validate(
                {
                    "username": options["username"],
                    "password": self._password(options["password"]),
                    "role": options["role"],
                    "display_name": options["display_name"],
                    "email": options["email"],
                }
            )
        except ValidationError as exc:
            raise CommandError(_one_line(exc)) from None
        try:
            with database_server():
                # The unique username index is what refuses a taken name.
                ensure_indexes()
                user = user_create(data=data)
        except MongodError as exc:
            raise CommandError(str(exc)) from None
        except DuplicateKey:
            raise CommandError(f"username '{data.username}' is taken: choose another one") from None
        self.stdout.write(f"Created {user.role} '{user.username}' ({user.uid}).")

    @staticmethod
    def _password(given: str | None) -> str:
        if given is not None:
            return given
        from_env = os.environ.get(PASSWORD_ENV)
        if from_env:
            return from_env
        if not sys.stdin.isatty():
            raise CommandError(
                f"no password given: pass --password, set {PASSWORD_ENV} or run in a terminal"
            )
        try:
            password = getpass.getpass("Password: ")
            again = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt):
            raise CommandError("cancelled: no user created") from None
        if password != again:
            raise CommandError("the two passwords differ: no user created")
        return password
