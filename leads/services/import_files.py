"""Reading an uploaded spreadsheet: CSV in any common encoding and delimiter, or XLSX, as rows
of text cells, streamed (a file is never held in memory whole)."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import IO, Any, Literal

from charset_normalizer import from_bytes

from leads.domain.errors import ValidationFailed
from leads.domain.imports import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    SAMPLE_ROWS,
    column_names,
    is_formula,
)

SNIFF_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ZIP_MAGIC = b"PK\x03\x04"
# Spreadsheet programs on Windows save "CSV" in this code page in Western locales; a detector
# that finds it among the candidates should not prefer a rarer one that also decodes the sample.
_PREFERRED_LEGACY = "cp1252"
# Code pages of Latin scripts the detector may name for a short cp1252 sample (it cannot tell
# "è" in cp1252 from "č" in cp1250 without much text): cp1252 is taken when it decodes the file.
_LATIN_SINGLE_BYTE = {
    "cp1250", "cp1252", "cp1254", "cp1257", "latin_1", "iso8859_2", "iso8859_3", "iso8859_4",
    "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16",
    "mac_roman", "mac_latin2", "mac_iceland", "mac_turkish", "cp850", "cp437", "cp858",
}  # fmt: skip
# csv's default cap is 128 KB a cell; a cell is at most MAX_CELL_CHARS anyway.
csv.field_size_limit(1024 * 1024)


def refuse(message: str) -> ValidationFailed:
    return ValidationFailed.on("file", message)


@dataclass(frozen=True)
class FileFormat:
    kind: Literal["csv", "xlsx"]
    encoding: str | None = None
    delimiter: str | None = None


@dataclass(frozen=True)
class Inspection:
    format: FileFormat
    columns: list[str]
    sample_rows: list[list[str]]
    total: int


def _encoding(sample: bytes, *, complete: bool) -> str:
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    if b"\x00" not in sample:
        try:
            sample.decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError as exc:
            # A sample cut inside a character still reads as UTF-8.
            if (
                not complete
                and exc.start >= len(sample) - 3
                and exc.reason == "unexpected end of data"
            ):
                return "utf-8"
    match = from_bytes(sample).best()
    if match is None:
        raise refuse("is not a CSV or XLSX file (it is not text in any encoding we know)")
    if b"\x00" in sample and not match.encoding.startswith("utf_16"):
        raise refuse("is not a CSV or XLSX file (it holds binary data)")
    if match.encoding in _LATIN_SINGLE_BYTE or _PREFERRED_LEGACY in match.could_be_from_charset:
        try:
            sample.decode(_PREFERRED_LEGACY)
            return _PREFERRED_LEGACY
        except UnicodeDecodeError:
            pass
    return match.encoding


def _delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same, largest number of columns."""
    lines = text.splitlines()[:50]
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line of the sample may be cut short
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        widths = [len(row) for row in csv.reader(lines, delimiter=delimiter) if row]
        if not widths or widths[0] < 2:
            continue
        consistent = sum(1 for width in widths if width == widths[0])
        score = (consistent, widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def detect(stream: IO[bytes]) -> FileFormat:
    """The file's format, encoding and delimiter, from its first bytes; raises ValidationFailed
    (on `file`) for one that is no spreadsheet."""
    stream.seek(0)
    sample = stream.read(SNIFF_BYTES)
    complete = len(sample) < SNIFF_BYTES
    stream.seek(0)
    if not sample.strip():
        raise refuse("is empty")
    if sample.startswith(_ZIP_MAGIC):
        return FileFormat(kind="xlsx")
    encoding = _encoding(sample, complete=complete)
    text = sample.decode(encoding, errors="ignore")
    return FileFormat(kind="csv", encoding=encoding, delimiter=_delimiter(text))


def _text(value: Any) -> str:
    """A spreadsheet cell as the text it shows: whole numbers without ".0", dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _xlsx_rows(stream: IO[bytes]) -> Iterator[list[str]]:
    # Imported here: openpyxl takes a quarter of a second to import, which every other
    # process (gunicorn workers, commands) need not pay.
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise refuse(f"is not a CSV or XLSX file ({exc})") from None
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            cells = [_text(value) for value in values]
            while cells and cells[-1] == "":
                cells.pop()
            yield cells
    finally:
        workbook.close()


def _csv_rows(stream: IO[bytes], file_format: FileFormat) -> Iterator[list[str]]:
    assert file_format.encoding is not None and file_format.delimiter is not None
    text = io.TextIOWrapper(stream, encoding=file_format.encoding, newline="")
    try:
        yield from csv.reader(text, delimiter=file_format.delimiter)
    except UnicodeDecodeError:
        raise refuse(
            f"is not text in {file_format.encoding} throughout: save it as UTF-8"
        ) from None
    except csv.Error as exc:
        raise refuse(f"is not a well-formed CSV file ({exc})") from None
    finally:
        text.detach()


def rows(stream: IO[bytes], file_format: FileFormat) -> Iterator[list[str]]:
    """Every row of the file, the header first, as lists of text cells."""
    stream.seek(0)
    if file_format.kind == "xlsx":
        return _xlsx_rows(stream)
    return _csv_rows(stream, file_format)


def is_blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def _check_cells(row: int, cells: list[str], columns: list[str]) -> None:
    if len(cells) > MAX_COLUMNS:
        raise refuse(f"row {row} has {len(cells)} cells; a file may have {MAX_COLUMNS} columns")
    for index, cell in enumerate(cells):
        if not cell:
            continue
        where = columns[index] if index < len(columns) else f"column {index + 1}"
        if "\x00" in cell:
            raise refuse(f"row {row}, {where}: holds the NUL character (is this a text file?)")
        if len(cell) > MAX_CELL_CHARS:
            raise refuse(f"row {row}, {where}: is longer than {MAX_CELL_CHARS} characters")
        if is_formula(cell):
            raise refuse(
                f"row {row}, {where}: {cell[:40]!r} is a spreadsheet formula; the import reads "
                "values only, never formulas: replace it with its value or remove the leading "
                "character"
            )


def inspect(stream: IO[bytes]) -> Inspection:
    """Read the whole file once and refuse it (ValidationFailed on `file`) unless it is a
    spreadsheet with a header, at most MAX_COLUMNS columns, text cells and no formula; returns
    its format, column names, first rows and how many non-blank data rows it has."""
    file_format = detect(stream)
    reader = rows(stream, file_format)
    header: list[str] | None = None
    for cells in reader:
        if not is_blank(cells):
            header = cells
            break
    if header is None:
        raise refuse("is empty")
    while header and not header[-1].strip():
        header.pop()
    _check_cells(1, header, [])
    columns = column_names(header)
    if not any(_names_something(cell) for cell in header):
        raise refuse("has no header row naming its columns (its first row is numbers or blank)")
    sample: list[list[str]] = []
    total = 0
    for number, cells in enumerate(reader, start=2):
        _check_cells(number, cells, columns)
        if is_blank(cells):
            continue
        total += 1
        if len(sample) < SAMPLE_ROWS:
            sample.append([*cells[: len(columns)], *[""] * (len(columns) - len(cells))])
    if total == 0:
        raise refuse("has a header but no rows below it")
    return Inspection(format=file_format, columns=columns, sample_rows=sample, total=total)


def _names_something(cell: str) -> bool:
    text = cell.strip().replace(",", "").replace(".", "", 1).lstrip("+-")
    return bool(text) and not text.isdigit()
