"""What the API answers: one model per use, rendered with model_dump(mode="json")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, RootModel

from leads.domain.enums import StageKind, UserRole, WorkItemStatus
from leads.domain.models import (
    Activity,
    LeadSummary,
    TaskInstance,
    User,
    WorkItem,
    WorkItemConfig,
    WorkStage,
)


class LeadOut(WorkItem):
    """A lead with its tasks, history and latest activities (newest first)."""


class LeadListItem(LeadSummary):
    """A lead in a list: no tasks, activities or history."""


class LeadPageOut(BaseModel):
    results: list[LeadListItem]
    next: str | None = Field(description="URL of the next page, or null on the last one")
    previous: str | None = Field(description="URL of the previous page, or null on the first")
    next_cursor: str | None
    previous_cursor: str | None


class StageOut(WorkStage):
    """A pipeline stage with its task templates."""


class StageListOut(RootModel[list[StageOut]]):
    """Every stage, in pipeline order."""


class StageDeleteOut(BaseModel):
    deleted: str
    moved_leads: int


class ConfigOut(WorkItemConfig):
    """The single workflow configuration."""


class UserOut(BaseModel):
    uid: str
    username: str
    display_name: str
    email: str | None
    role: UserRole
    is_active: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls.model_validate(user.model_dump())


class LoginOut(BaseModel):
    token: str
    expires_in_hours: int
    user: UserOut


class HealthOut(BaseModel):
    status: str
    database: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: dict[str, list[str]] = Field(default_factory=dict)
    details: dict[str, Any] | None = None


class ErrorOut(BaseModel):
    error: ErrorDetail


class TaskProgress(BaseModel):
    completed: int
    total: int


class KanbanCard(BaseModel):
    """A card: small on purpose, never activities or history."""

    uid: str
    name: str
    email: str | None = None
    company: str | None = None
    assigned_to: list[str] = Field(default_factory=list)
    status: WorkItemStatus
    rank: str
    version: int
    value: float | None = Field(None, description="the lead's value field (e.g. budget)")
    tasks: TaskProgress = Field(description="tasks of the current stage")
    updated_at: datetime
    entered_stage_at: datetime


class KanbanColumn(BaseModel):
    uid: str
    name: str
    slug: str
    color: str
    order: int
    kind: StageKind
    probability: int
    allowed_next_stages: list[str]
    required_fields: list[str]
    count: int
    value_total: float
    weighted_total: float
    oldest_entered_at: datetime | None
    leads: list[KanbanCard]
    next_cursor: str | None


class KanbanOut(BaseModel):
    columns: list[KanbanColumn]
    value_field: str | None


class TaskListOut(RootModel[list[TaskInstance]]):
    """A lead's tasks."""


class TaskActionOut(BaseModel):
    task: TaskInstance
    changed: bool = Field(description="false when the task was already in that state")
    message: str
    lead: LeadOut


class ActivityOut(Activity):
    """One entry of a lead's timeline."""


class ActivityPageOut(BaseModel):
    results: list[ActivityOut]
    total: int
    next: str | None
    next_cursor: str | None
