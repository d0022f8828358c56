"""`python manage.py import_leads FILE`: import a CSV/XLSX file in this process, through the
same upload checks and the same job code a worker runs, with a progress bar."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from pydantic import ValidationError
from tqdm import tqdm

from leads.domain.errors import DomainError
from leads.domain.imports import ImportOptions
from leads.services import imports as import_services
from leads.services.jobs import job_run_now
from leads.store import users as user_store
from leads.store.mongod import MongodError
from leads.store.server import database_server

POLL_SECONDS = 0.2


class Command(BaseCommand):
    help = (
        "Import leads from a CSV or XLSX file (as POST /api/imports/ and its run do), with a "
        "progress bar; prints the counts and where the failed rows are."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        mapping = parser.add_mutually_exclusive_group()
        mapping.add_argument(
            "--mapping", help='JSON: {"column": "target" or null}; default: the suggested one'
        )
        mapping.add_argument("--mapping-file", type=Path, help="the same JSON, in a file")
        parser.add_argument("--match-on", default="none", choices=["email", "phone", "uid", "none"])
        parser.add_argument("--on-match", default="skip", choices=["skip", "update", "create"])
        parser.add_argument("--stage", help="stage of created leads without a stage column")
        parser.add_argument(
            "--as", dest="username", help="the user the import is made as (default: an admin)"
        )
        parser.add_argument(
            "--errors", type=Path, help="where to write the failed rows (default: FILE-errors.csv)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no file {path}")
        try:
            with database_server():
                self._import(path, options)
        except MongodError as exc:
            raise CommandError(str(exc)) from None
        except DomainError as exc:
            problems = "; ".join(f"{key}: {', '.join(msgs)}" for key, msgs in exc.fields.items())
            raise CommandError(f"{exc.message} {problems}".strip()) from None
        except ValidationError as exc:
            raise CommandError(f"the options are not valid: {exc}") from None

    def _actor(self, username: str | None) -> Any:
        if username:
            user = user_store.get_user_by_username(username)
            if user is None or not user.can_write_leads or not user.is_active:
                raise CommandError(f"no active member or admin named {username}")
            return user
        admins = [u for u in user_store.list_users(active_only=True) if u.is_admin]
        if not admins:
            raise CommandError("no active admin to import as: name one with --as USERNAME")
        return admins[0]

    def _import(self, path: Path, options: dict[str, Any]) -> None:
        actor = self._actor(options["username"])
        with path.open("rb") as stream:
            upload = import_services.import_upload(
                stream=stream, name=path.name, size=os.path.getsize(path), actor=actor
            )
        mapping: Any = upload.suggested_mapping
        if options["mapping"]:
            mapping = json.loads(options["mapping"])
        elif options["mapping_file"]:
            mapping = json.loads(options["mapping_file"].read_text())
        import_options = ImportOptions.model_validate(
            {
                "mapping": mapping,
                "match_on": options["match_on"],
                "on_match": options["on_match"],
                "stage": options["stage"],
            }
        )
        uid = upload.job.uid
        self.stdout.write(
            f"import {uid}: {upload.job.progress['total']} rows, mapping "
            + ", ".join(f"{column} -> {target}" for column, target in mapping.items() if target)
        )
        import_services.import_run(uid=uid, options=import_options, actor=actor)
        self._run_with_progress(uid, upload.job.progress["total"])
        job = import_services.import_get(uid=uid)
        counts = {name: job.progress.get(name, 0) for name in import_services.COUNTS}
        self.stdout.write(
            f"{job.status.value}: {counts['processed']} of {counts['total']} rows, "
            f"{counts['created']} created, {counts['updated']} updated, "
            f"{counts['skipped']} skipped, {counts['failed']} failed"
        )
        if job.error:
            raise CommandError(job.error)
        if counts["failed"]:
            target = options["errors"] or path.with_name(f"{path.stem}-errors.csv")
            with target.open("w", encoding="utf-8-sig", newline="") as out:
                for chunk in import_services.import_failed_rows_csv(uid=uid):
                    out.write(chunk)
            self.stdout.write(f"failed rows, with why, in {target} (fix them and import it again)")

    def _run_with_progress(self, uid: str, total: int) -> None:
        result: list[BaseException] = []

        def work() -> None:
            try:
                job_run_now(uid=uid)
            except BaseException as exc:  # shown once the bar is closed
                result.append(exc)

        thread = threading.Thread(target=work, daemon=True)
        bar: tqdm[Any] = tqdm(total=total, unit="rows", file=sys.stderr)
        with bar:
            thread.start()
            while thread.is_alive():
                thread.join(POLL_SECONDS)
                done = import_services.import_get(uid=uid).progress.get("processed", 0)
                bar.update(done - bar.n)
        if result:
            raise result[0]
