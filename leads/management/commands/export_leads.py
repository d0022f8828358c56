"""`python manage.py export_leads [--format csv|xlsx] [--output FILE] [filters]`: the leads the
list's filters match, as the API's export writes them, with a progress bar on stderr."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from pydantic import ValidationError
from tqdm import tqdm

from leads.api.errors import pydantic_fields
from leads.api.views.exports import LeadExportParams
from leads.api.views.leads import lead_filter_of
from leads.domain.errors import DomainError
from leads.domain.export import Cell
from leads.domain.spreadsheets import csv_chunks, xlsx_chunks
from leads.selectors.exports import lead_export, lead_export_count

# Options that are the list's query parameters, under the same names (dashes for underscores).
_FILTERS: tuple[str, ...] = (
    *("stage", "status", "assigned_to", "tag", "created_after", "created_before", "q"),
    *("email", "phone", "sort"),
)


class Command(BaseCommand):
    help = "Export the leads (all, or those the filters match) as CSV or XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")
        for name in _FILTERS:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name)
        parser.add_argument("--overdue", action="store_true")
        parser.add_argument("--stale", action="store_true")
        parser.add_argument(
            "--data",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="custom field equals VALUE (repeatable)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = {name: options[name] for name in _FILTERS if options[name] is not None}
        raw["format"] = options["format"]
        for flag in ("overdue", "stale"):
            if options[flag]:
                raw[flag] = "true"
        for pair in options["data"]:
            key, separator, value = pair.partition("=")
            if not separator:
                raise CommandError(f"--data {pair}: write it as KEY=VALUE")
            raw[f"data.{key}"] = value
        try:
            params, lead_filter = lead_filter_of(raw, LeadExportParams, me=None)
            export = lead_export(lead_filter=lead_filter, sort=params.sort)
            total = lead_export_count(export.lead_filter)
        except ValidationError as exc:
            problems = "; ".join(f"--{k}: {', '.join(v)}" for k, v in pydantic_fields(exc).items())
            raise CommandError(problems) from None
        except DomainError as exc:
            problems = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message} {problems}".strip()) from None
        progress = tqdm(
            total=total,
            unit=" leads",
            file=sys.stderr,
            disable=options["no_progress"],
            desc="export",
        )

        def counted(rows: Iterator[list[Cell]]) -> Iterator[list[Cell]]:
            for row in rows:
                progress.update()
                yield row

        rows = counted(export.rows)
        if params.format == "xlsx":
            chunks = xlsx_chunks(export.header, rows, title="Leads")
        else:
            chunks = csv_chunks(export.header, rows)
        output = options["output"]
        try:
            if output:
                with open(output, "wb") as file:
                    self._write(chunks, file)
            else:
                self._write(chunks, sys.stdout.buffer)
        finally:
            progress.close()
        if output:
            self.stderr.write(f"{progress.n} leads written to {output}")

    def _write(self, chunks: Iterator[bytes], file: BinaryIO) -> None:
        for chunk in chunks:
            file.write(chunk)
        file.flush()
