"""What clients may send: one model per use, unknown fields refused, server-owned fields absent."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)

from .enums import ActivityType, StageKind, TaskPriority, UserRole, WorkItemStatus
from .errors import ValidationFailed
from .fields import (
    FieldDefinition,
    FieldOption,
    FieldValueError,
    Int64,
    normalize_email,
    normalize_phone,
)
from .models import Color, Probability, RotDays, Slug, StageUid
from .queries import LeadSort

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Version = Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]
Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@+-]{2,64}$")]
Password = Annotated[str, StringConstraints(min_length=8, max_length=256)]


_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def _is_number(value: Any) -> bool:
    # Pydantic would read a number, or a query string's "0.5", as seconds since 1970.
    return isinstance(value, int | float) or (
        isinstance(value, str) and _NUMBER.fullmatch(value) is not None
    )


def _moment_as_text(value: Any) -> Any:
    if _is_number(value):
        raise ValueError("must be a date and time with its offset, e.g. 2026-11-30T09:00:00Z")
    return value


def _day_as_text(value: Any) -> Any:
    if _is_number(value):
        raise ValueError("must be a day, e.g. 2026-11-30")
    return value


Moment = Annotated[AwareDatetime, BeforeValidator(_moment_as_text)]
# What query parameters take: a moment (an offset optional: UTC then) or a day, as text.
QueryMoment = Annotated[datetime, BeforeValidator(_moment_as_text)]
QueryDay = Annotated[date, BeforeValidator(_day_as_text)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _without_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def absent() -> Any:
    """The default of a PATCH field: absent unless sent. The field's type says whether null may
    be sent (it clears the value) or not (a 400); services read what was sent from
    `model_fields_set`, never by comparing with None."""
    return Field(default=None, json_schema_extra=_without_default)


def sent(changes: BaseModel, *, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The fields a PATCH body carried, with their (validated) values."""
    return {
        name: getattr(changes, name) for name in changes.model_fields_set if name not in exclude
    }


def optional_email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return normalize_email(value.strip())
    except FieldValueError as exc:
        raise ValueError(str(exc)) from None


def optional_phone(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return normalize_phone(value)
    except FieldValueError as exc:
        raise ValueError(str(exc)) from None


def _blank_to_none(value: str | None) -> str | None:
    return value or None


def _unique_tags(tags: list[str] | None) -> list[str] | None:
    return None if tags is None else list(dict.fromkeys(tags))


class LeadCreate(Input):
    name: Name
    email: Annotated[str, Field(max_length=254)] | None = None
    phone: Annotated[str, Field(max_length=40)] | None = None
    company: ShortText | None = None
    source: Annotated[ShortText, Field(max_length=100)] | None = None
    tags: Annotated[list[Tag], Field(max_length=30)] = Field(default_factory=list)
    assigned_to: Annotated[list[str], Field(max_length=20)] | None = Field(
        None, description="user uids; omitted or null: the creator, [] for nobody"
    )
    data: dict[str, Any] = Field(default_factory=dict)

    _email = field_validator("email")(optional_email)
    _phone = field_validator("phone")(optional_phone)
    _company = field_validator("company", "source")(_blank_to_none)
    _tags = field_validator("tags")(_unique_tags)


class LeadUpdate(Input):
    """Only the fields sent change; `data` keys merge into the lead's, a null clears one.
    `email`, `phone`, `company` and `source` may be null (cleared); the others may not."""

    name: Name = absent()
    email: Annotated[str, Field(max_length=254)] | None = absent()
    phone: Annotated[str, Field(max_length=40)] | None = absent()
    company: ShortText | None = absent()
    source: Annotated[ShortText, Field(max_length=100)] | None = absent()
    tags: Annotated[list[Tag], Field(max_length=30)] = absent()
    data: dict[str, Any] = absent()
    status: Literal[WorkItemStatus.OPEN, WorkItemStatus.ARCHIVED] = absent()
    version: Version = absent()

    _email = field_validator("email")(optional_email)
    _phone = field_validator("phone")(optional_phone)
    _company = field_validator("company", "source")(_blank_to_none)
    _tags = field_validator("tags")(_unique_tags)


class TaskTemplateInput(Input):
    uid: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")] | None = None
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=2_000)] = ""
    required: StrictBool = False
    skippable: StrictBool = False
    due_in_hours: Annotated[StrictInt, Field(ge=0, le=24 * 365)] | None = None
    priority: TaskPriority = TaskPriority.NORMAL
    order: Int64 | None = None


StageName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
StageRefs = Annotated[list[str], Field(max_length=100)]


class StageCreate(Input):
    uid: StageUid | None = None
    name: StageName
    slug: Slug | None = None
    color: Color = "#64748b"
    order: Int64 | None = None
    kind: StageKind = StageKind.OPEN
    probability: Probability | None = None
    description: Annotated[str, Field(max_length=2_000)] = ""
    allowed_next_stages: StageRefs | None = Field(
        None,
        description="omitted: the closed stages and the stage before it, which in turn may move "
        "to the new stage",
    )
    required_fields: StageRefs = Field(default_factory=list)
    task_templates: Annotated[list[TaskTemplateInput], Field(max_length=50)] = Field(
        default_factory=list
    )
    rot_after_days: RotDays | None = None


class StageUpdate(Input):
    name: StageName = absent()
    slug: Slug = absent()
    color: Color = absent()
    kind: StageKind = absent()
    probability: Probability = absent()
    description: Annotated[str, Field(max_length=2_000)] = absent()
    allowed_next_stages: StageRefs = absent()
    required_fields: StageRefs = absent()
    task_templates: Annotated[list[TaskTemplateInput], Field(max_length=50)] = absent()
    rot_after_days: RotDays | None = absent()
    version: Version = absent()


class StageReorder(Input):
    order: Annotated[list[str], Field(max_length=200)]


class ConfigUpdate(Input):
    """`value_field` and `forecast_date_field` may be null (the board then sums nothing, the
    forecast has no dates); the others may not."""

    workflow_name: Annotated[str, StringConstraints(min_length=1, max_length=120)] = absent()
    variables: Annotated[list[FieldDefinition], Field(max_length=200)] = absent()
    lost_reasons: Annotated[list[FieldOption], Field(max_length=50)] = absent()
    initial_stage: Annotated[str, Field(min_length=1, max_length=80)] = absent()
    value_field: str | None = absent()
    forecast_date_field: str | None = absent()
    locked: StrictBool = absent()
    version: Version = absent()


class UserCreate(Input):
    username: Username
    password: Password
    display_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] = ""
    email: Annotated[str, Field(max_length=254)] | None = None
    role: UserRole = UserRole.MEMBER

    _email = field_validator("email")(optional_email)


class UserUpdate(Input):
    """`email` may be null (cleared); the others may not."""

    display_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] = (
        absent()
    )
    email: Annotated[str, Field(max_length=254)] | None = absent()
    role: UserRole = absent()
    is_active: StrictBool = absent()
    password: Password = absent()

    _email = field_validator("email")(optional_email)


class Login(Input):
    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=256)]


LostReasonValue = Annotated[str, Field(min_length=1, max_length=100)]
LostNote = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000)]


class TransitionInput(Input):
    to_stage: Annotated[str, Field(min_length=1, max_length=80)]
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000)] | None = None
    data: dict[str, Any] | None = None
    lost_reason: LostReasonValue | None = Field(
        None, description="why the lead was lost: one of the config's lost_reasons (a lost stage)"
    )
    lost_note: LostNote | None = None
    version: Version | None = None


class UndoInput(Input):
    version: Version | None = Field(None, description="the version the move answered with")


LeadUid = Annotated[str, StringConstraints(min_length=1, max_length=80)]
MergeSide = Literal["this", "other"]


class MergeChoices(Input):
    """Which lead each field is taken from; a field not named keeps this lead's value, or the
    other's where this one is empty."""

    name: MergeSide | None = None
    email: MergeSide | None = None
    phone: MergeSide | None = None
    company: MergeSide | None = None
    source: MergeSide | None = None
    data: Annotated[dict[str, MergeSide], Field(max_length=200)] = Field(
        default_factory=dict, description="custom field key -> this | other"
    )

    def by_field(self) -> dict[str, MergeSide]:
        """`{"name": "other", "data.budget": "this"}`: the choices by field path."""
        core = self.model_dump(exclude={"data"}, exclude_none=True)
        return {**core, **{f"data.{key}": side for key, side in self.data.items()}}


class LeadMerge(Input):
    """Fold lead `other` into this one (and delete it)."""

    other: LeadUid = Field(description="uid of the lead folded in and then deleted")
    fields: MergeChoices = Field(default_factory=MergeChoices)
    version: Version | None = Field(None, description="the version of this lead you read")
    other_version: Version | None = Field(None, description="the version of the other you read")


class KanbanMove(Input):
    """Drop `lead_uid` into `to_stage` below the card `above` and above the card `below` (none:
    the top or the bottom of the column). `after` and `before`, the names of the first release
    for `above` and `below`, are still accepted until the next release."""

    lead_uid: Annotated[str, Field(min_length=1, max_length=40)]
    to_stage: Annotated[str, Field(min_length=1, max_length=80)]
    # The mypy plugin cannot see through alias choices; both fields default to None.
    above: Annotated[str, Field(max_length=40)] | None = Field(  # type: ignore[pydantic-alias]
        None, validation_alias=AliasChoices("above", "after")
    )
    below: Annotated[str, Field(max_length=40)] | None = Field(  # type: ignore[pydantic-alias]
        None, validation_alias=AliasChoices("below", "before")
    )
    data: dict[str, Any] | None = None
    lost_reason: LostReasonValue | None = None
    lost_note: LostNote | None = None
    version: Version | None = None


class Assign(Input):
    user_ids: Annotated[list[str], Field(max_length=20)]
    mode: Literal["replace", "add", "remove"] = "replace"
    version: Version | None = None


class ActivityCreate(Input):
    type: Literal[ActivityType.NOTE, ActivityType.CALL, ActivityType.EMAIL, ActivityType.MEETING]
    body: Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)] = ""
    outcome: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    duration_minutes: Annotated[StrictInt, Field(ge=0, le=24 * 60)] | None = None
    occurred_at: Moment | None = None

    @model_validator(mode="after")
    def _a_note_needs_text(self) -> ActivityCreate:
        if self.type is ActivityType.NOTE and not self.body:
            raise ValueError("a note needs a body")
        return self


class TaskCreate(Input):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=2_000)] = ""
    due_at: Moment | None = None
    assigned_to: str | None = None
    required: StrictBool = False
    priority: TaskPriority = TaskPriority.NORMAL


# The list's query string: `tag=hot&q=acme&data.budget=100`.
ViewFilters = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000)]


class ViewCreate(Input):
    """`filters` are the lead list's query parameters (checked by the list's own parsing);
    `sort` one of its sort orders, for the list only."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    target: Literal["board", "list"]
    filters: ViewFilters = ""
    sort: LeadSort | None = None
    shared: StrictBool = False


class ViewUpdate(Input):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)] = (
        absent()
    )
    filters: ViewFilters = absent()
    sort: LeadSort | None = absent()
    shared: StrictBool = absent()
    version: Version = absent()


BULK_LIMIT = 500
BulkAction = Literal["move", "assign", "tag", "untag", "delete"]
# What each action reads besides `uids` and `versions`: a value sent for another action's field
# is a client's mistake (a tag sent with a move would silently do nothing), refused naming it;
# a null is as absent (generated clients send every field).
_BULK_FIELDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # action: (required, allowed)
    "move": (
        frozenset({"to_stage"}),
        frozenset({"to_stage", "note", "lost_reason", "lost_note", "above", "below"}),
    ),
    "assign": (frozenset({"user_ids"}), frozenset({"user_ids", "mode"})),
    "tag": (frozenset({"tags"}), frozenset({"tags"})),
    "untag": (frozenset({"tags"}), frozenset({"tags"})),
    "delete": (frozenset(), frozenset()),
}
_BULK_COMMON = frozenset({"uids", "action", "versions"})


class LeadBulk(Input):
    """One action on up to BULK_LIMIT leads, each under the rules of the single operation."""

    uids: Annotated[list[LeadUid], Field(min_length=1, max_length=BULK_LIMIT)] = Field(
        description=f"the leads, at most {BULK_LIMIT}; a uid given twice is acted on once"
    )
    action: BulkAction
    to_stage: Annotated[str, Field(min_length=1, max_length=80)] | None = Field(
        None, description="move: the target stage"
    )
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000)] | None = Field(
        None, description="move: the note of each lead's stage_change activity"
    )
    lost_reason: LostReasonValue | None = Field(
        None, description="move to a lost stage: one of the config's lost_reasons"
    )
    lost_note: LostNote | None = None
    above: LeadUid | None = Field(
        None,
        description="move: the card the moved leads go below in the target column, in the order "
        "of `uids` (with `below`, or alone; neither: each arrives on top)",
    )
    below: LeadUid | None = Field(
        None, description="move: the card the moved leads go above in the target column"
    )
    user_ids: Annotated[list[str], Field(max_length=20)] | None = Field(
        None, description="assign: user uids"
    )
    mode: Literal["replace", "add", "remove"] | None = Field(
        None,
        description="assign: replace the assignees (the default), add to them or remove from them",
    )
    tags: Annotated[list[Tag], Field(min_length=1, max_length=30)] | None = Field(
        None, description="tag / untag: the tags to add to or remove from each lead"
    )
    versions: Annotated[dict[LeadUid, Version], Field(max_length=BULK_LIMIT)] = Field(
        default_factory=dict,
        description="uid -> the version the client read: that lead is refused (version_conflict) "
        "if it changed since",
    )

    _tags = field_validator("tags")(_unique_tags)

    @model_validator(mode="after")
    def _fields_fit_the_action(self) -> LeadBulk:
        # ValidationFailed, not ValueError: pydantic would file a model-level error under
        # `body`, and the client needs to hear which field is missing or out of place.
        required, allowed = _BULK_FIELDS[self.action]
        for name in sorted(required):
            if getattr(self, name) is None:
                raise ValidationFailed.on(name, f"is required to {self.action}")
        for name in sorted(self.model_fields_set - _BULK_COMMON - allowed):
            if getattr(self, name) is not None:
                raise ValidationFailed.on(name, f"is not used by {self.action}")
        return self
