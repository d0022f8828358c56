"""The stored documents. The store converts them to and from MongoDB; the API never sees `_id`."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)

from .contacts import email_key, phone_key
from .enums import (
    ActivityType,
    StageKind,
    TaskPriority,
    TaskStatus,
    UserRole,
    WorkItemStatus,
)
from .fields import FieldDefinition, FieldOption, Int64
from .search import SEARCH_TERMS_VERSION, search_terms

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
COLOR_PATTERN = r"^#[0-9a-fA-F]{6}$"
STAGE_UID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$"
CONFIG_UID = "default"

Slug = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=64)]
Color = Annotated[str, Field(pattern=COLOR_PATTERN)]
StageUid = Annotated[str, Field(pattern=STAGE_UID_PATTERN)]
Probability = Annotated[StrictInt, Field(ge=0, le=100)]
RotDays = Annotated[StrictInt, Field(ge=1, le=3650)]


_recorded_at: ContextVar[datetime | None] = ContextVar("recorded_at", default=None)


def utcnow() -> datetime:
    """Now, truncated to the millisecond MongoDB keeps, so a read returns what was written; or
    the moment `recorded_at` set, for writes that record the past."""
    now = _recorded_at.get() or datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


@contextmanager
def recorded_at(moment: datetime) -> Iterator[None]:
    """Within the block, the services write as if it were `moment` (timestamps, due dates,
    visit durations): how sample data with a past, or an import of history, goes through the
    same write paths as a seller's clicks."""
    token = _recorded_at.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _recorded_at.reset(token)


def new_uid(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:64].strip("-") or "stage"


class Document(BaseModel):
    # Stored documents may carry fields a newer version added; reading them must not fail.
    model_config = ConfigDict(extra="ignore", validate_assignment=False)


class TaskTemplate(Document):
    uid: str = Field(default_factory=lambda: new_uid("tt"))
    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=2_000)] = ""
    required: StrictBool = False
    skippable: StrictBool = False
    due_in_hours: Annotated[StrictInt, Field(ge=0, le=24 * 365)] | None = None
    priority: TaskPriority = TaskPriority.NORMAL
    order: Int64 = 0


class WorkStage(Document):
    uid: StageUid
    name: Annotated[str, Field(min_length=1, max_length=80)]
    slug: Slug
    color: Color = "#64748b"
    order: Int64 = 0
    kind: StageKind = StageKind.OPEN
    probability: Probability = 0
    description: Annotated[str, Field(max_length=2_000)] = ""
    allowed_next_stages: list[str] = Field(default_factory=list)
    required_fields: list[str] = Field(default_factory=list)
    task_templates: list[TaskTemplate] = Field(default_factory=list)
    # A lead left this long without an activity or a move is stale; None: never.
    rot_after_days: RotDays | None = None
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @field_validator("color")
    @classmethod
    def _lowercase_color(cls, color: str) -> str:
        return color.lower()


class TaskInstance(Document):
    uid: str = Field(default_factory=lambda: new_uid("task"))
    template_uid: str | None = None
    stage: str | None = None
    title: str
    description: str = ""
    required: bool = False
    skippable: bool = False
    status: TaskStatus = TaskStatus.PENDING
    priority: TaskPriority = TaskPriority.NORMAL
    due_at: datetime | None = None
    assigned_to: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str | None = None
    completed_at: datetime | None = None
    completed_by: str | None = None

    @property
    def is_done(self) -> bool:
        return self.status.is_done

    @property
    def is_open(self) -> bool:
        return not self.status.is_done

    @property
    def blocks_leaving(self) -> bool:
        """A required task still open in the lead's stage keeps the lead there."""
        return self.required and self.is_open


class Activity(Document):
    uid: str = Field(default_factory=lambda: new_uid("act"))
    type: ActivityType
    actor: str | None = None
    # A rule's name when a rule did it (`actor` is then `rule:<uid>`), as it was named then.
    actor_name: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    occurred_at: datetime | None = None
    body: str = ""
    outcome: str | None = None
    duration_minutes: int | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class FieldChange(Document):
    field: str
    old: Any = None
    new: Any = None


class StageVisit(Document):
    kind: Literal["stage_visit"] = "stage_visit"
    stage: str
    # The stage's name when the lead entered it: history and reports stay readable after the
    # stage is renamed or deleted. None in history written before names were kept.
    name: str | None = None
    entered_at: datetime
    entered_by: str | None = None
    exited_at: datetime | None = None
    exited_by: str | None = None
    duration_seconds: int | None = None


class FieldChangeEntry(Document):
    kind: Literal["field_change"] = "field_change"
    at: datetime
    by: str | None = None
    # A rule's name when a rule made the change (`by` is then `rule:<uid>`).
    by_name: str | None = None
    changes: list[FieldChange]


HistoryEntry = Annotated[StageVisit | FieldChangeEntry, Field(discriminator="kind")]


class LeadSummary(Document):
    """A lead without its embedded tasks, activities and history: what lists and cards read."""

    uid: str
    name: str
    email: str | None = None
    phone: str | None = None
    company: str | None = None
    source: str | None = None
    status: WorkItemStatus = WorkItemStatus.OPEN
    current_stage: str
    rank: str
    stage_entered_at: datetime = Field(default_factory=utcnow)
    assigned_to: list[str] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    created_by: str | None = None
    closed_at: datetime | None = None
    lost_reason: str | None = None
    lost_note: str | None = None
    # What duplicates, import matching and the email/phone filters compare (domain/contacts.py);
    # derived from `email` and `phone` whenever a lead is built, and by every write that sets them.
    email_key: str | None = None
    phone_key: str | None = None
    # Kept by every write that changes them, so the overdue and stale filters are index lookups.
    next_due_at: datetime | None = None
    last_activity_at: datetime | None = None

    @model_validator(mode="after")
    def _derive_contact_keys(self) -> LeadSummary:
        self.email_key = email_key(self.email)
        self.phone_key = phone_key(self.phone)
        return self


class LeadHit(Document):
    """A lead as the quick search reads it: enough to recognise it and rank it."""

    uid: str
    name: str
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    current_stage: str
    status: WorkItemStatus = WorkItemStatus.OPEN
    created_at: datetime = Field(default_factory=utcnow)
    email_key: str | None = None
    phone_key: str | None = None


class LastMove(Document):
    """What undoing a lead's last stage change needs to put back."""

    by: str
    at: datetime
    version: int = Field(description="the lead's version right after the move")
    from_stage: str
    to_stage: str
    rank: str
    stage_entered_at: datetime
    status: WorkItemStatus
    closed_at: datetime | None = None
    lost_reason: str | None = None
    lost_note: str | None = None
    added_tasks: list[str] = Field(default_factory=list)


class WorkItem(LeadSummary):
    """A lead, with its tasks, activities and history embedded."""

    tasks: list[TaskInstance] = Field(default_factory=list)
    activities: list[Activity] = Field(default_factory=list)
    history: list[HistoryEntry] = Field(default_factory=list)
    last_move: LastMove | None = None
    # What `q` looks up (domain/search.py): derived from the uid, name, company, email and phone
    # whenever a lead is built, and by every write that sets them. Stored and indexed, but never
    # read back (summaries and details leave it on the server).
    search_terms: list[str] = Field(default_factory=list)
    # The definition they were derived by: the start-up back-fill re-derives older ones.
    search_terms_v: int = SEARCH_TERMS_VERSION

    @model_validator(mode="after")
    def _derive_search_terms(self) -> WorkItem:
        self.search_terms = search_terms(
            uid=self.uid, name=self.name, company=self.company, email=self.email, phone=self.phone
        )
        self.search_terms_v = SEARCH_TERMS_VERSION
        return self

    def stage_tasks(self) -> list[TaskInstance]:
        """The tasks of the stage the lead is in now."""
        return [task for task in self.tasks if task.stage == self.current_stage]


@dataclass(frozen=True)
class LeadRecord:
    """A lead as a read returns it: only its latest activities embedded (newest first), and how
    many it has in all, which the store counts on the server and never stores."""

    lead: WorkItem
    activity_count: int


class BlockingTask(Document):
    uid: str
    title: str


class BoardCard(Document):
    """A lead as a Kanban card reads it: its summary, the progress of its stage's tasks, the
    open required tasks that hold it there, and the custom fields stages require."""

    uid: str
    name: str
    email: str | None = None
    company: str | None = None
    assigned_to: list[str] = Field(default_factory=list)
    status: WorkItemStatus = WorkItemStatus.OPEN
    current_stage: str
    rank: str
    version: int = 1
    stage_entered_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    value: Any = None
    next_due_at: datetime | None = None
    last_activity_at: datetime | None = None
    tasks_done: int = 0
    tasks_total: int = 0
    blocking_tasks: list[BlockingTask] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)


class WorkItemConfig(Document):
    uid: Literal["default"] = "default"
    workflow_name: str = "Sales pipeline"
    variables: list[FieldDefinition] = Field(default_factory=list)
    initial_stage: str | None = None
    value_field: str | None = None
    # The date (or datetime) field that says when an open lead is expected to close: what the
    # forecast report groups by. None: the forecast has no dates.
    forecast_date_field: str | None = None
    lost_reasons: list[FieldOption] = Field(default_factory=list)
    locked: bool = False
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    def field(self, key: str) -> FieldDefinition | None:
        return next((d for d in self.variables if d.field_key == key), None)


ViewTarget = Literal["board", "list"]


class SavedView(Document):
    """A named set of the list's filters (and a sort) for the board or the list: a user's own,
    or shared with everyone by an admin. A per-user setting, not workflow data."""

    uid: str = Field(default_factory=lambda: new_uid("view"))
    name: str
    target: ViewTarget
    # The list's filters as its URL's query string (`tag=hot&data.budget=100`), checked by the
    # list's own parsing when saved. A string: `data.<key>` names may not be document keys.
    filters: str = ""
    sort: str | None = None
    shared: bool = False
    owner: str
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class User(Document):
    uid: str = Field(default_factory=lambda: new_uid("usr"))
    username: str
    display_name: str = ""
    email: str | None = None
    role: UserRole = UserRole.MEMBER
    is_active: bool = True
    password_changed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    # DRF's permission checks read these from request.user.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def can_write_leads(self) -> bool:
        return self.role in (UserRole.ADMIN, UserRole.MEMBER)

    @property
    def is_admin(self) -> bool:
        return self.role is UserRole.ADMIN
