"""What an export of leads holds: its columns, the cell of each value, and the formula escape.

One definition for the API's download and `manage.py export_leads`, and for the import, which
reads an export back (README, "Export format"): the header names, the `Label [key]` naming of
custom fields, the list separator and `unescape_formula`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import Field

from .enums import FieldType, WorkItemStatus
from .fields import FieldDefinition
from .models import Document, WorkItemConfig

# A cell holds text, a number, a yes/no, or nothing.
Cell = str | int | float | bool | None

CORE_COLUMNS = (
    "uid",
    "name",
    "email",
    "phone",
    "company",
    "source",
    "status",
    "stage",
    "assigned_to",
    "tags",
    "created_at",
    "updated_at",
    "lost_reason",
    "lost_note",
)
# Tags, assignees and multi-select values in one cell.
LIST_SEPARATOR = "; "
# A custom field's header: its label, then its key in brackets, which stays put when the label
# is renamed and tells two fields of the same label apart.
_CUSTOM_HEADER = re.compile(r"^(?P<label>.*) \[(?P<key>[a-z][a-z0-9_]{0,63})\]$")

# What spreadsheets run as a formula when a cell starts with it (OWASP, CSV injection): `=`,
# `+`, `-`, `@`, tab and carriage return. Cells that start so get a leading `'`; so do cells
# that already start with `'` before one of them, so that the escape can always be undone.
_FORMULA_START = re.compile(r"^'*[=+\-@\t\r]")


def escape_formula(text: str) -> str:
    """`text` as a spreadsheet shows it without running it."""
    return f"'{text}" if _FORMULA_START.match(text) else text


def unescape_formula(text: str) -> str:
    """The text `escape_formula` was given: what an import of an export reads a cell as."""
    if text.startswith("'") and _FORMULA_START.match(text):
        return text[1:]
    return text


def custom_header(definition: FieldDefinition) -> str:
    return f"{definition.label} [{definition.field_key}]"


def custom_key(header: str) -> str | None:
    """The field key a `Label [key]` header names, or None for any other header."""
    found = _CUSTOM_HEADER.match(header.strip())
    return found.group("key") if found else None


class ExportedLead(Document):
    """What an export reads of a lead: its fields, never its tasks, activities or history."""

    uid: str
    name: str
    email: str | None = None
    phone: str | None = None
    company: str | None = None
    source: str | None = None
    status: WorkItemStatus = WorkItemStatus.OPEN
    current_stage: str
    assigned_to: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    lost_reason: str | None = None
    lost_note: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


EXPORTED_FIELDS = tuple(ExportedLead.model_fields)


def _moment(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds")


def _number(value: float | int) -> Cell:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# Control characters other than tab, LF and CR: no spreadsheet shows them and XML (an XLSX)
# cannot carry them, so every format leaves them out.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _text(value: str) -> str:
    return escape_formula(_CONTROL.sub("", value))


def _listed(values: list[str]) -> str | None:
    return _text(LIST_SEPARATOR.join(values)) if values else None


def custom_cell(definition: FieldDefinition, value: Any) -> Cell:
    """A custom field's stored value as a cell an import coerces back to the same value: numbers
    as numbers, yes/no as true/false, dates as ISO 8601, choices by their values."""
    if value is None:
        return None
    kind = definition.field_type
    if kind is FieldType.MULTI_SELECT and isinstance(value, list):
        return _listed([str(item) for item in value])
    if kind is FieldType.BOOLEAN and isinstance(value, bool):
        return value
    if isinstance(value, bool):
        return _text(str(value).lower())
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, datetime):
        return _moment(value)
    if isinstance(value, list):
        return _listed([str(item) for item in value])
    return _text(str(value))


@dataclass(frozen=True)
class ExportLayout:
    """The columns of an export and what turns a lead into its row."""

    fields: list[FieldDefinition]
    stage_names: Mapping[str, str]
    usernames: Mapping[str, str]

    @classmethod
    def of(
        cls, config: WorkItemConfig, stage_names: Mapping[str, str], usernames: Mapping[str, str]
    ) -> ExportLayout:
        fields = sorted(config.variables, key=lambda field: (field.order, field.field_key))
        return cls(fields=fields, stage_names=stage_names, usernames=usernames)

    @property
    def header(self) -> list[str]:
        return [*CORE_COLUMNS, *(_text(custom_header(field)) for field in self.fields)]

    def row(self, lead: ExportedLead) -> list[Cell]:
        def text(value: str | None) -> str | None:
            return _text(value) if value else None

        # A stage or user removed since is named by its id rather than left blank.
        stage = self.stage_names.get(lead.current_stage, lead.current_stage)
        assignees = [self.usernames.get(uid, uid) for uid in lead.assigned_to]
        core: list[Cell] = [
            text(lead.uid),
            text(lead.name),
            text(lead.email),
            text(lead.phone),
            text(lead.company),
            text(lead.source),
            lead.status.value,
            text(stage),
            _listed(assignees),
            _listed(lead.tags),
            _moment(lead.created_at),
            _moment(lead.updated_at),
            text(lead.lost_reason),
            text(lead.lost_note),
        ]
        return core + [custom_cell(field, lead.data.get(field.field_key)) for field in self.fields]
