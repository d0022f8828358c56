"""Writing rows of cells as CSV or XLSX, in chunks, in bounded memory whatever the row count."""

from __future__ import annotations

import csv
import io
import math
import tempfile
from collections.abc import Iterable, Iterator
from typing import Literal

from xlsxwriter import Workbook

from .export import Cell

ExportFormat = Literal["csv", "xlsx"]
CONTENT_TYPES: dict[ExportFormat, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Rows per chunk a CSV is sent in: large enough to keep the per-chunk overhead small.
_CSV_ROWS_PER_CHUNK = 500
_FILE_CHUNK_BYTES = 64 * 1024
_BOM = "\ufeff"


def _csv_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        # 12000.0 reads back as 12000: the same value for a decimal or currency field.
        return str(int(cell)) if cell.is_integer() and abs(cell) < 2**53 else repr(cell)
    return str(cell)


def csv_chunks(header: list[str], rows: Iterable[list[Cell]]) -> Iterator[bytes]:
    """UTF-8 with a byte order mark (so spreadsheets read the accents right), CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(_BOM)
    writer.writerow(header)
    pending = 0
    for row in rows:
        writer.writerow([_csv_text(cell) for cell in row])
        pending += 1
        if pending == _CSV_ROWS_PER_CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


def _xlsx_value(cell: Cell) -> Cell:
    if isinstance(cell, float) and not math.isfinite(cell):
        return None
    return cell


def xlsx_chunks(header: list[str], rows: Iterable[list[Cell]], title: str) -> Iterator[bytes]:
    """An XLSX is a zip whose directory comes last, so it cannot be sent before it is whole: the
    rows go to a temporary file through XlsxWriter's constant-memory mode (each row written out
    as it comes, strings inline: no shared-string table growing with the rows), which is then
    sent in chunks and removed."""
    with tempfile.TemporaryFile(suffix=".xlsx") as spooled:
        workbook = Workbook(
            spooled,
            {
                "constant_memory": True,
                # Text stays text: never a formula, a link or a number, whatever it looks like.
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        sheet = workbook.add_worksheet(title)
        sheet.write_row(0, 0, header, workbook.add_format({"bold": True}))
        for index, row in enumerate(rows, start=1):
            sheet.write_row(index, 0, [_xlsx_value(cell) for cell in row])
        workbook.close()
        spooled.seek(0)
        while chunk := spooled.read(_FILE_CHUNK_BYTES):
            yield chunk
