"""Imports of leads from a spreadsheet: which column feeds which field, and how one row is read,
validated (the same validation as a create or an update) and turned into a change.

Pure: the service reads the file, looks matches up and writes; everything a row means is here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field
from pydantic import ValidationError as PydanticValidationError

from .changes import LeadChange, field_change, value_changes
from .contacts import email_key, phone_key
from .enums import FieldType
from .errors import ValidationFailed
from .fields import FieldDefinition, validate_lead_data
from .inputs import Input, LeadCreate, LeadUpdate, sent
from .models import FieldChange, User, WorkItem, WorkItemConfig, WorkStage

# Limits of an uploaded file; anything beyond is refused with a 400 before it is stored.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_COLUMNS = 500
SAMPLE_ROWS = 5
# Cells are text; one longer than a long_text field may hold is not a lead's value.
MAX_CELL_CHARS = 20_000

CORE_TARGETS = ("uid", "name", "email", "phone", "company", "source", "tags", "stage")
ASSIGNEES = "assigned_to"
DATA_PREFIX = "data."
Target = Annotated[str, Field(max_length=80)]
MatchOn = Literal["email", "phone", "uid", "none"]
OnMatch = Literal["skip", "update", "create"]

# Header names (compared without case, spaces, underscores or dashes) each core target goes by.
_ALIASES: dict[str, tuple[str, ...]] = {
    "uid": ("uid", "id", "leadid", "leaduid", "leadnumber"),
    "name": ("name", "fullname", "leadname", "contactname", "contact", "person"),
    "email": ("email", "emailaddress", "mail", "e-mail"),
    "phone": ("phone", "phonenumber", "telephone", "tel", "mobile", "mobilephone", "cell"),
    "company": ("company", "companyname", "organization", "organisation", "account", "business"),
    "source": ("source", "leadsource", "origin", "channel"),
    "tags": ("tags", "tag", "labels", "label"),
    "stage": ("stage", "pipelinestage", "stagename"),
    ASSIGNEES: ("assignedto", "assignee", "assignees", "owner", "salesrep", "rep"),
}
_SPLIT = re.compile(r"\s*[,;]\s*")
# What a spreadsheet would run as a formula: a leading "=", or "+ - @" starting a function call
# (`@SUM(`) or a DDE payload (`-cmd|' /C calc'!A0`). A phone "+1 (415)" or "-5" is neither.
_FORMULA = re.compile(r"^\s*(?:=|[+\-@]\s*(?:[A-Za-z_][A-Za-z0-9_.]*\s*\(|.*\|.*!))", re.DOTALL)
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


def header_key(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text).casefold()


def is_formula(text: str) -> bool:
    return bool(text) and text.lstrip()[:1] in "=+-@" and _FORMULA.match(text) is not None


def column_names(header: Sequence[str]) -> list[str]:
    """The header as the mapping names its columns: trimmed, a blank one called by its position,
    a repeated one numbered, so every column has a name of its own."""
    names: list[str] = []
    seen: set[str] = set()
    for position, cell in enumerate(header, start=1):
        name = cell.strip() or f"Column {position}"
        candidate, copy = name, 2
        while candidate.casefold() in seen:
            candidate = f"{name} ({copy})"
            copy += 1
        seen.add(candidate.casefold())
        names.append(candidate)
    return names


def suggest_mapping(columns: Sequence[str], config: WorkItemConfig) -> dict[str, str | None]:
    """For each column the field its header names (core fields by their usual names, custom
    fields by key or label), or None; each field is suggested for one column at most."""
    by_header: dict[str, str] = {}
    for core, aliases in _ALIASES.items():
        for alias in aliases:
            by_header.setdefault(header_key(alias), core)
    for definition in config.variables:
        for name in (definition.field_key, definition.label):
            by_header.setdefault(header_key(name), f"{DATA_PREFIX}{definition.field_key}")
    mapping: dict[str, str | None] = {}
    taken: set[str] = set()
    for column in columns:
        target = by_header.get(header_key(column))
        if target is not None and target not in taken:
            taken.add(target)
            mapping[column] = target
        else:
            mapping[column] = None
    return mapping


class ImportOptions(Input):
    """How to read an uploaded file: `mapping` from column name to a target (`name`, `email`,
    `phone`, `company`, `source`, `tags`, `stage`, `assigned_to`, `uid`, `data.<field_key>`,
    or null to leave the column out); which existing leads a row matches and what then."""

    mapping: Annotated[dict[str, Target | None], Field(max_length=MAX_COLUMNS)]
    match_on: MatchOn = Field("none", description="email, phone, uid, or none: every row creates")
    on_match: OnMatch = Field("skip", description="what a row that matches a lead does")
    stage: Annotated[str, Field(max_length=80)] | None = Field(
        None, description="stage (name, slug or uid) of created leads without a stage column"
    )
    assigned_to: (
        Annotated[list[Annotated[str, Field(max_length=254)]], Field(max_length=20)] | None
    ) = Field(
        None,
        description="assignees (usernames, emails or uids) of created leads without an "
        "assigned_to column; omitted: the importer",
    )


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


class RowInvalid(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{error.column}: {error.message}" for error in errors))


@dataclass
class ParsedRow:
    """One data row: its spreadsheet row number (the header is row 1), its cells as read, the
    non-blank cells by target, and the key it matches leads by."""

    row: int
    cells: list[str]
    values: dict[str, str]
    key: str | None = None
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class NewLead:
    """What a created lead holds, validated as a create is."""

    lead: LeadCreate
    data: dict[str, Any]
    stage: WorkStage
    assigned_to: list[str]


def _stage_finder(stages: Sequence[WorkStage]) -> Callable[[str], WorkStage | None]:
    by_name: dict[str, WorkStage] = {}
    for stage in stages:
        for name in (stage.uid, stage.slug, stage.name):
            by_name.setdefault(name.strip().casefold(), stage)
    return lambda text: by_name.get(text.strip().casefold())


def _user_finder(users: Sequence[User]) -> Callable[[str], str | None]:
    by_name: dict[str, str] = {}
    for user in users:
        if not user.is_active:
            continue
        for name in (user.uid, user.username, user.email):
            if name:
                by_name.setdefault(name.casefold(), user.uid)
    return lambda text: by_name.get(text.strip().casefold())


def _cell_reader(definition: FieldDefinition) -> Callable[[str], Any]:
    """How a cell's text becomes the value a create would be sent: options by value or label
    (any case), several of them split on , or ;, yes/no for checkboxes; the rest as typed."""
    if definition.field_type in (FieldType.SELECT, FieldType.MULTI_SELECT):
        options: dict[str, str] = {}
        for option in definition.options:
            options.setdefault(option.value.casefold(), option.value)
            options.setdefault(option.label.casefold(), option.value)
        if definition.field_type is FieldType.SELECT:
            return lambda text: options.get(text.casefold(), text)
        return lambda text: [
            options.get(part.casefold(), part) for part in _SPLIT.split(text) if part
        ]
    if definition.field_type is FieldType.BOOLEAN:

        def boolean(text: str) -> Any:
            lowered = text.casefold()
            return "true" if lowered in _TRUE else "false" if lowered in _FALSE else text

        return boolean
    return lambda text: text


class RowReader:
    """Reads the rows of one file under one set of options: the config, stages and users are
    looked at once, each row is then read with precompiled lookups."""

    def __init__(
        self,
        *,
        columns: Sequence[str],
        options: ImportOptions,
        config: WorkItemConfig,
        stages: Sequence[WorkStage],
        users: Sequence[User],
        actor: User,
    ) -> None:
        self.columns = list(columns)
        self.options = options
        self.config = config
        self.definitions = list(config.variables)
        self._find_stage = _stage_finder(stages)
        self._find_user = _user_finder(users)
        problems: dict[str, list[str]] = {}
        known = set(columns)
        targets: dict[str, int] = {}
        column_of: dict[str, str] = {}
        fields_by_key = {definition.field_key: definition for definition in self.definitions}
        for column, target in options.mapping.items():
            if column not in known:
                problems.setdefault(f"mapping.{column}", []).append("is not a column of the file")
                continue
            if target is None or target == "":
                continue
            if target.startswith(DATA_PREFIX):
                if target[len(DATA_PREFIX) :] not in fields_by_key:
                    problems.setdefault(f"mapping.{column}", []).append(
                        f"{target} is not a field of this workflow"
                    )
                    continue
            elif target not in (*CORE_TARGETS, ASSIGNEES):
                problems.setdefault(f"mapping.{column}", []).append(
                    f"{target} is not a field a column can fill"
                )
                continue
            if target in column_of:
                problems.setdefault(f"mapping.{column}", []).append(
                    f"{target} is filled by column {column_of[target]} already"
                )
                continue
            column_of[target] = column
            targets[target] = self.columns.index(column)
        if options.match_on != "none" and options.match_on not in column_of:
            problems["match_on"] = [f"matching on {options.match_on} needs a column mapped to it"]
        self.default_stage: WorkStage | None = None
        stage_name: str | None = options.stage or config.initial_stage
        if stage_name:
            self.default_stage = self._find_stage(stage_name)
        if options.stage and self.default_stage is None:
            problems["stage"] = [f"no stage named {options.stage}"]
        self.default_assignees = [actor.uid]
        if options.assigned_to is not None:
            found = [self._find_user(name) for name in options.assigned_to]
            unknown = [
                name for name, uid in zip(options.assigned_to, found, strict=True) if not uid
            ]
            if unknown:
                problems["assigned_to"] = [f"unknown or inactive user(s): {', '.join(unknown)}"]
            self.default_assignees = list(dict.fromkeys(uid for uid in found if uid))
        if problems:
            raise ValidationFailed("The import's options do not fit the file.", fields=problems)
        self.column_of = column_of
        self._targets = list(targets.items())
        self._data_readers = {
            target: _cell_reader(fields_by_key[target[len(DATA_PREFIX) :]])
            for target in targets
            if target.startswith(DATA_PREFIX)
        }
        self._key_of: Callable[[str], str | None] = {
            "email": email_key,
            "phone": phone_key,
            "uid": lambda text: text.strip() or None,
            "none": lambda text: None,
        }[options.match_on]
        field_labels = {f"{DATA_PREFIX}{d.field_key}": d.label for d in self.definitions}
        self._labels = {
            **field_labels,
            **{target: column for column, target in self.options.mapping.items() if target},
        }

    def read(self, row: int, cells: list[str]) -> ParsedRow:
        values: dict[str, str] = {}
        width = len(cells)
        for target, index in self._targets:
            if index < width:
                text = cells[index].strip()
                if text:
                    values[target] = text
        parsed = ParsedRow(row=row, cells=cells, values=values)
        if self.options.match_on != "none":
            parsed.key = self._key_of(values.get(self.options.match_on, ""))
        return parsed

    def column(self, target: str) -> str:
        """The column a field's error is told against: the one mapped to it, else the field."""
        return self._labels.get(target, target)

    def _core(self, values: dict[str, str]) -> dict[str, Any]:
        core: dict[str, Any] = {
            name: values[name]
            for name in ("name", "email", "phone", "company", "source")
            if name in values
        }
        if "tags" in values:
            core["tags"] = [tag for tag in _SPLIT.split(values["tags"]) if tag]
        return core

    def _data(self, values: dict[str, str]) -> dict[str, Any]:
        return {
            target[len(DATA_PREFIX) :]: reader(values[target])
            for target, reader in self._data_readers.items()
            if target in values
        }

    def _assignees(self, parsed: ParsedRow, errors: list[RowError]) -> list[str] | None:
        text = parsed.values.get(ASSIGNEES)
        if text is None:
            return None
        names = [name for name in _SPLIT.split(text) if name]
        found = [self._find_user(name) for name in names]
        unknown = [name for name, uid in zip(names, found, strict=True) if uid is None]
        if unknown:
            errors.append(
                RowError(
                    parsed.row,
                    self.column(ASSIGNEES),
                    f"unknown or inactive user(s): {', '.join(unknown)}",
                )
            )
            return None
        return list(dict.fromkeys(uid for uid in found if uid))

    def _errors_of(self, row: int, exc: Exception, prefix: str = "") -> list[RowError]:
        if isinstance(exc, PydanticValidationError):
            found = []
            for error in exc.errors(include_url=False):
                target = str(error["loc"][0]) if error["loc"] else "row"
                message = "is required" if error["type"] == "missing" else error["msg"]
                found.append(
                    RowError(row, self.column(target), message.removeprefix("Value error, "))
                )
            return found
        assert isinstance(exc, ValidationFailed)
        return [
            RowError(row, self.column(path), message)
            for path, messages in exc.fields.items()
            for message in messages
        ]

    def new_lead(self, parsed: ParsedRow) -> NewLead:
        """The row as a create: LeadCreate and the custom fields' create validation (required
        fields, defaults, types, options). Raises RowInvalid naming each column."""
        errors: list[RowError] = []
        lead: LeadCreate | None = None
        data: dict[str, Any] = {}
        try:
            lead = LeadCreate.model_validate(self._core(parsed.values))
        except PydanticValidationError as exc:
            errors += self._errors_of(parsed.row, exc)
        try:
            data = validate_lead_data(self.definitions, self._data(parsed.values))
        except ValidationFailed as exc:
            errors += self._errors_of(parsed.row, exc)
        stage = self.default_stage
        if "stage" in parsed.values:
            stage = self._find_stage(parsed.values["stage"])
            if stage is None:
                errors.append(
                    RowError(
                        parsed.row, self.column("stage"), f"no stage named {parsed.values['stage']}"
                    )
                )
        elif stage is None:
            errors.append(
                RowError(parsed.row, self.column("stage"), "the workflow has no initial stage")
            )
        assignees = self._assignees(parsed, errors)
        if errors:
            raise RowInvalid(errors)
        assert lead is not None and stage is not None
        return NewLead(
            lead=lead,
            data=data,
            stage=stage,
            assigned_to=self.default_assignees if assignees is None else assignees,
        )

    def update(
        self, parsed: ParsedRow, lead: WorkItem, actor: User, now: datetime
    ) -> LeadChange | None:
        """The row as an edit of `lead`: its non-blank cells replace the lead's values (blank
        cells leave them as they are), validated as a PATCH is, the diff recorded in history;
        None when nothing would change. The stage is not changed by an import (moves have
        rules of their own). Raises RowInvalid naming each column."""
        errors: list[RowError] = []
        wanted: dict[str, Any] = {}
        try:
            wanted = sent(LeadUpdate.model_validate(self._core(parsed.values)))
        except PydanticValidationError as exc:
            errors += self._errors_of(parsed.row, exc)
        new_data = lead.data
        try:
            new_data = validate_lead_data(
                self.definitions, self._data(parsed.values), current=lead.data
            )
        except ValidationFailed as exc:
            errors += self._errors_of(parsed.row, exc)
        assignees = self._assignees(parsed, errors)
        if errors:
            raise RowInvalid(errors)
        # The key the row was matched by: another spelling of the same address or number is no
        # change worth a history entry.
        match_on = self.options.match_on
        if (
            match_on in ("email", "phone")
            and match_on in wanted
            and self._key_of(wanted[match_on] or "") == self._key_of(getattr(lead, match_on) or "")
        ):
            del wanted[match_on]
        before = {name: getattr(lead, name) for name in wanted}
        changes: list[FieldChange] = value_changes(before, wanted)
        set_fields: dict[str, Any] = {change.field: change.new for change in changes}
        if assignees is not None and assignees != lead.assigned_to:
            changes.append(FieldChange(field=ASSIGNEES, old=lead.assigned_to, new=assignees))
            set_fields[ASSIGNEES] = assignees
        data_changes = value_changes(lead.data, new_data, prefix=DATA_PREFIX)
        if data_changes:
            changes += data_changes
            set_fields["data"] = new_data
        if not changes:
            return None
        return field_change(changes, set_fields, actor, now)
