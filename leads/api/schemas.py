"""What the API answers: one model per use, rendered with model_dump(mode="json").

None of them subclasses a stored document: a stored field becomes public only when it is written
here. `leads.api.mappers` builds them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, RootModel

from leads.domain.audit import AuditAction
from leads.domain.enums import (
    ActivityType,
    StageKind,
    TaskPriority,
    TaskStatus,
    UserRole,
    WorkItemStatus,
)
from leads.domain.events import EventKind
from leads.domain.fields import FieldDefinition, FieldOption
from leads.domain.transitions import ReasonCode

# --- moves: the server's answer to "where may this lead go?" ---------------------------------


class TaskRefOut(BaseModel):
    uid: str
    title: str


class FieldRefOut(BaseModel):
    key: str
    label: str


class MoveReasonOut(BaseModel):
    code: ReasonCode
    message: str = Field(description="a sentence to show as it is")
    tasks: list[TaskRefOut] | None = Field(None, description="blocking_tasks: the open tasks")
    fields: list[FieldRefOut] | None = Field(
        None,
        description="missing_required_fields: the fields to fill; sending them as `data` with "
        "the move lets it through",
    )


class MoveOut(BaseModel):
    to_stage: str
    allowed: bool = Field(description="true when a move there would be accepted as it is")
    reasons: list[MoveReasonOut] = Field(description="why not, most basic first; empty if allowed")


class TaskCountsOut(BaseModel):
    """The tasks of the lead's current stage, counted by the server's one definition of done
    (completed or skipped)."""

    done: int
    total: int
    required_open: int


# --- leads ---------------------------------------------------------------------------------


class TaskOut(BaseModel):
    uid: str
    template_uid: str | None
    stage: str | None = Field(description="the stage the task came from")
    title: str
    description: str
    required: bool
    skippable: bool
    status: TaskStatus
    done: bool = Field(description="completed or skipped")
    priority: TaskPriority
    due_at: datetime | None
    assigned_to: str | None
    created_at: datetime
    created_by: str | None
    completed_at: datetime | None
    completed_by: str | None


class ActivityOut(BaseModel):
    """One entry of a lead's timeline."""

    uid: str
    type: ActivityType
    actor: str | None = Field(description="a user's uid, or `rule:<uid>` when a rule did it")
    actor_name: str | None = Field(description="the rule's name when a rule did it")
    created_at: datetime
    occurred_at: datetime | None
    body: str
    outcome: str | None
    duration_minutes: int | None
    details: dict[str, Any]


class FieldChangeOut(BaseModel):
    field: str
    old: Any
    new: Any


class StageVisitOut(BaseModel):
    kind: Literal["stage_visit"]
    stage: str
    name: str | None = Field(
        description="the stage's name when the lead entered it (null in older history)"
    )
    entered_at: datetime
    entered_by: str | None
    exited_at: datetime | None
    exited_by: str | None
    duration_seconds: int | None


class FieldChangeEntryOut(BaseModel):
    kind: Literal["field_change"]
    at: datetime
    by: str | None = Field(description="a user's uid, or `rule:<uid>` when a rule made it")
    by_name: str | None = Field(description="the rule's name when a rule made it")
    changes: list[FieldChangeOut]


HistoryEntryOut = Annotated[StageVisitOut | FieldChangeEntryOut, Field(discriminator="kind")]


class LeadListItem(BaseModel):
    """A lead in a list: no tasks, activities or history."""

    uid: str
    name: str
    email: str | None
    phone: str | None
    company: str | None
    source: str | None
    status: WorkItemStatus
    current_stage: str
    rank: str
    stage_entered_at: datetime
    assigned_to: list[str]
    data: dict[str, Any]
    tags: list[str]
    version: int
    created_at: datetime
    updated_at: datetime
    created_by: str | None
    closed_at: datetime | None
    lost_reason: str | None = Field(description="a lost lead: the value of one of lost_reasons")
    lost_note: str | None
    next_due_at: datetime | None = Field(description="the earliest due date of its open tasks")
    last_activity_at: datetime | None
    overdue: bool = Field(description="an open task is past its due date")


class LeadOut(LeadListItem):
    """A lead with its tasks, history, latest activities (newest first) and the moves open to
    the reader."""

    tasks: list[TaskOut]
    task_counts: TaskCountsOut
    activities: list[ActivityOut]
    activity_count: int = Field(description="all activities; `activities` holds the latest")
    history: list[HistoryEntryOut]
    moves: list[MoveOut] = Field(description="every other stage, in pipeline order")
    stale_days: int | None = Field(
        description="days without an activity or a move, when longer than its stage allows"
    )
    can_undo: bool = Field(
        description="the reader made the lead's last stage change and nothing changed since: "
        "POST undo/ puts it back"
    )


class LeadMatchOut(BaseModel):
    """A lead that may be the same person: what a duplicate warning shows of it."""

    uid: str
    name: str
    email: str | None
    phone: str | None
    company: str | None
    current_stage: str
    status: WorkItemStatus
    created_at: datetime
    matched_on: list[Literal["email", "phone"]] = Field(
        description="which of the lead's keys it shares (emails in any case, phones by digits)"
    )


class CreatedLeadOut(LeadOut):
    possible_duplicates: list[LeadMatchOut] = Field(
        description="leads with the same email or phone, oldest first (at most 5)"
    )


class DuplicatesOut(BaseModel):
    results: list[LeadMatchOut] = Field(description="oldest first, at most `limit`")


class LeadPageOut(BaseModel):
    results: list[LeadListItem]
    next: str | None = Field(description="URL of the next page, or null on the last one")
    previous: str | None = Field(description="URL of the previous page, or null on the first")
    next_cursor: str | None
    previous_cursor: str | None


# --- the pipeline ----------------------------------------------------------------------------


class LeadHitOut(BaseModel):
    """A lead the quick search found: enough to recognise it in a short list."""

    uid: str
    name: str
    company: str | None
    email: str | None
    phone: str | None
    current_stage: str
    status: WorkItemStatus


class LeadSearchOut(BaseModel):
    results: list[LeadHitOut] = Field(
        description="best first: the whole query is the lead's email, phone, uid or number; "
        "then every word starts a word of its name; then the rest; newest first within each"
    )


class ViewOut(BaseModel):
    """A saved view. Open it by putting `filters` (and `sort`) in the list's or the board's URL."""

    uid: str
    name: str
    target: Literal["board", "list"]
    filters: str = Field(
        description="the list's filters as a query string (`tag=hot&data.budget=100`)"
    )
    sort: str | None
    shared: bool = Field(description="everyone sees it; only admins change it")
    owner: str = Field(description="uid of the user who saved it")
    version: int
    created_at: datetime
    updated_at: datetime


class TaskTemplateOut(BaseModel):
    uid: str
    title: str
    description: str
    required: bool
    skippable: bool
    due_in_hours: int | None
    priority: TaskPriority
    order: int


class StageSummaryOut(BaseModel):
    """What a board column and a stage both show of a stage."""

    uid: str
    name: str
    slug: str
    color: str
    order: int
    kind: StageKind
    probability: int
    allowed_next_stages: list[str]
    required_fields: list[str]


class StageOut(StageSummaryOut):
    """A pipeline stage with its task templates."""

    description: str
    task_templates: list[TaskTemplateOut]
    rot_after_days: int | None = Field(
        description="a lead left this many days without an activity or a move is stale"
    )
    version: int
    created_at: datetime
    updated_at: datetime


class StageListOut(RootModel[list[StageOut]]):
    """Every stage, in pipeline order."""


class StageDeleteOut(BaseModel):
    deleted: str
    moved_leads: int


class ConfigOut(BaseModel):
    """The single workflow configuration."""

    uid: str
    workflow_name: str
    variables: list[FieldDefinition]
    lost_reasons: list[FieldOption] = Field(
        description="what a seller picks from when a lead moves to a lost stage"
    )
    initial_stage: str | None
    value_field: str | None
    forecast_date_field: str | None = Field(
        description="the date field the forecast report groups open leads by (expected close)"
    )
    locked: bool
    version: int
    created_at: datetime
    updated_at: datetime


# --- people and the service ------------------------------------------------------------------


class UserOut(BaseModel):
    uid: str
    username: str
    display_name: str
    email: str | None
    role: UserRole
    is_active: bool
    created_at: datetime


class LoginOut(BaseModel):
    token: str
    expires_in_hours: int
    user: UserOut


class AuditChangeOut(BaseModel):
    old: Any = Field(description="before (lists of stages, fields, reasons: their keys)")
    new: Any = Field(description="after")


class AuditEntryOut(BaseModel):
    uid: str
    at: datetime
    action: AuditAction = Field(description="what happened; its kind is the part before the dot")
    actor_uid: str | None = Field(description="who; null for a failed sign-in and for commands")
    actor_username: str | None = Field(
        description="who, by name; for a failed or refused sign-in the username tried"
    )
    target: str | None = Field(description="the uid of the stage, config or user changed")
    summary: str = Field(description="a sentence to show as it is")
    changes: dict[str, AuditChangeOut] = Field(description="changed fields, old -> new")
    address: str | None = Field(description="the client's address (see LEADCRM_BEHIND_PROXY)")
    user_agent: str | None
    repeats: int = Field(
        description="sign-in refusals of one throttle window are one entry: how many there were"
    )


class AuditPageOut(BaseModel):
    results: list[AuditEntryOut]
    next: str | None = Field(description="the URL of the next (older) page")
    next_cursor: str | None


# --- the event stream (GET /api/events/) ------------------------------------------------------


class EventActorOut(BaseModel):
    uid: str
    name: str


class EventOut(BaseModel):
    """The `data` of one event on the stream: what changed and who did it, never field values
    (the client reloads what it shows)."""

    kind: EventKind
    uid: str = Field(description="the lead's or stage's uid; 'config' for the config")
    version: int | None = Field(description="the lead's version after the write")
    at: datetime
    by: EventActorOut | None = Field(description="who wrote; null for the system")
    from_stage: str | None = Field(description="lead.moved: the stage uid it left")
    to_stage: str | None = Field(
        description="lead.moved: the stage uid it entered; lead.created: its stage"
    )
    fields: list[str] = Field(
        description="the changed fields (core names, data.<key> for custom fields)"
    )


class EventReadyOut(BaseModel):
    """The `data` of the `ready` event a stream opens with."""

    seq: int = Field(description="the position the stream starts after (also its `id`)")


class HealthOut(BaseModel):
    status: str
    database: str


class ErrorDetails(BaseModel):
    """What a 409 (and some 400s) add to the message, by `code`."""

    reason: str | None = Field(
        None, description="a refused move: the code of its first reason (see `reasons`)"
    )
    to_stage: str | None = Field(None, description="a refused move: its target")
    reasons: list[MoveReasonOut] | None = Field(
        None, description="a refused move: every reason, as in a lead's `moves`"
    )
    current_version: int | None = Field(None, description="version_conflict: the version now")
    lead_count: int | None = Field(None, description="stage_in_use: the leads in the stage")
    retry_after_seconds: int | None = Field(
        None, description="too_many_attempts: seconds until sign-in is allowed again"
    )


class ErrorDetail(BaseModel):
    code: str = Field(description="machine-readable, e.g. blocking_tasks, version_conflict")
    message: str = Field(description="a sentence to show as it is")
    fields: dict[str, list[str]] = Field(
        default_factory=dict, description="the input paths at fault (e.g. data.budget)"
    )
    details: ErrorDetails | None = None


class ErrorOut(BaseModel):
    error: ErrorDetail


class BulkItemOut(BaseModel):
    uid: str
    ok: bool
    version: int | None = Field(
        None, description="ok: the lead's version now (null once deleted); refused: as read"
    )
    changed: bool = Field(False, description="false: the lead already was as asked")
    error: ErrorDetail | None = Field(
        None, description="refused: what the single operation would have answered"
    )


class BulkOut(BaseModel):
    results: list[BulkItemOut] = Field(description="one per uid, in the order sent")
    succeeded: int
    failed: int


# --- working a lead --------------------------------------------------------------------------


class CardOut(BaseModel):
    """A Kanban card: small on purpose, never activities or history."""

    uid: str
    name: str
    email: str | None
    company: str | None
    assigned_to: list[str]
    status: WorkItemStatus
    rank: str
    version: int
    value: float | None = Field(description="the lead's value field (e.g. budget)")
    tasks: TaskCountsOut = Field(description="tasks of the current stage")
    updated_at: datetime
    entered_stage_at: datetime
    next_due_at: datetime | None
    overdue: bool
    stale_days: int | None
    moves: list[MoveOut] = Field(description="every other stage, in pipeline order")


class KanbanColumn(StageSummaryOut):
    count: int
    value_total: float
    weighted_total: float
    oldest_entered_at: datetime | None
    leads: list[CardOut]
    next_cursor: str | None


class KanbanOut(BaseModel):
    columns: list[KanbanColumn]
    value_field: str | None


class TaskListOut(RootModel[list[TaskOut]]):
    """A lead's tasks."""


class TaskActionOut(BaseModel):
    task: TaskOut
    changed: bool = Field(description="false when the task was already in that state")
    message: str
    lead: LeadOut


class ActivityPageOut(BaseModel):
    results: list[ActivityOut]
    total: int
    next: str | None
    next_cursor: str | None


# --- imports -------------------------------------------------------------------------------

ImportStatus = Literal["uploaded", "queued", "running", "done", "failed"]


class ImportUploadOut(BaseModel):
    uid: str
    file_name: str
    columns: list[str] = Field(description="column names as the mapping names them")
    sample_rows: list[list[str]] = Field(description="the first rows, one cell per column")
    suggested_mapping: dict[str, str | None] = Field(
        description="column -> target (`name`, `email`, ..., `data.<field_key>`) or null"
    )
    total: int = Field(description="non-blank data rows in the file")


class RowErrorOut(BaseModel):
    row: int = Field(description="the row as a spreadsheet numbers it (the header is row 1)")
    column: str
    message: str


class ImportPreviewOut(BaseModel):
    rows_checked: int
    complete: bool = Field(description="false when the preview stopped before the end of the file")
    total: int
    would_create: int
    would_update: int
    would_skip: int = Field(description="matched rows skipped, or whose update changes nothing")
    would_fail: int
    errors: list[RowErrorOut] = Field(description="the first errors, in row order")


class ImportOut(BaseModel):
    uid: str
    status: ImportStatus
    file_name: str
    columns: list[str]
    sample_rows: list[list[str]] = Field(description="the first rows, one cell per column")
    suggested_mapping: dict[str, str | None] = Field(
        description="the mapping suggested at the upload (empty for imports uploaded before it "
        "was kept)"
    )
    total: int
    processed: int
    created: int
    updated: int
    skipped: int
    failed: int
    mapping: dict[str, str | None] | None
    match_on: str | None
    on_match: str | None
    stage: str | None
    assigned_to: list[str] | None
    created_by: str | None
    created_at: datetime
    queued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None = Field(description="why the import failed, when it did")
    errors_url: str = Field(description="the failed rows as CSV, with an `error` column")


# --- reports ---------------------------------------------------------------------------------


class FunnelStepOut(BaseModel):
    """One open or won stage: the leads that entered it in the period (each once)."""

    stage: str
    name: str
    kind: StageKind
    entered: int
    moved_on: int | None = Field(
        description="of those, leads that later entered a later open or won stage (an open "
        "stage only)"
    )
    conversion_pct: float | None = Field(description="moved_on / entered, in percent")
    from_first_pct: float | None = Field(description="entered / entered of the first step")
    drop_off: int | None = Field(description="entered - moved_on")
    drop_off_pct: float | None
    won: int = Field(description="of those, leads won now")
    won_pct: float | None


class FunnelOut(BaseModel):
    rows: list[FunnelStepOut]


class StageTimeOut(BaseModel):
    stage: str
    name: str = Field(description="the stage's name; a deleted one's as history recorded it")
    deleted: bool
    visits: int = Field(description="visits that ended in the period")
    median_days: float | None
    mean_days: float | None
    p90_days: float | None
    open_visits: int = Field(description="open leads in the stage now")
    open_median_days: float | None = Field(description="their median days in the stage so far")
    open_max_days: float | None


class StageTimesOut(BaseModel):
    rows: list[StageTimeOut]


class WinRateRowOut(BaseModel):
    key: str | None = Field(description="the month (YYYY-MM), user uid or source; null: none")
    label: str
    won: int
    lost: int
    closed: int
    win_rate_pct: float | None = Field(description="won / (won + lost), in percent")
    won_value: float
    lost_value: float
    value_win_rate_pct: float | None


class WinRateOut(BaseModel):
    group_by: Literal["month", "assignee", "source"]
    rows: list[WinRateRowOut]


class ForecastRowOut(BaseModel):
    month: str | None = Field(description="expected close month (YYYY-MM); null: no date")
    open_count: int
    open_value: float
    weighted_value: float = Field(description="value x the stage's probability")
    won_count: int = Field(description="leads won in the month")
    won_value: float


class ForecastOut(BaseModel):
    date_field: str | None = Field(description="the config's forecast_date_field")
    rows: list[ForecastRowOut]


class LostReasonRowOut(BaseModel):
    reason: str | None
    label: str
    stage: str | None = Field(description="the stage the leads were lost from")
    stage_name: str
    count: int
    value: float


class LostReasonsOut(BaseModel):
    rows: list[LostReasonRowOut]


class ActivityRowOut(BaseModel):
    week: date = Field(description="the Monday the week starts on (UTC)")
    key: str | None = Field(description="the user uid or activity type")
    label: str
    activities: int = Field(description="notes, calls, emails and meetings logged")
    tasks_completed: int


class ActivityReportOut(BaseModel):
    group_by: Literal["user", "type"]
    rows: list[ActivityRowOut]


# --- webhooks ------------------------------------------------------------------------------


class WebhookStateOut(BaseModel):
    """How its deliveries go: why the service disabled it, its last success and failure."""

    disabled_reason: str | None = Field(
        description="set when the service switched it off (failing for 24 hours)"
    )
    failing_since: datetime | None = Field(description="every attempt since then failed")
    last_success_at: datetime | None
    last_failure_at: datetime | None
    last_error: str | None


class WebhookOut(BaseModel):
    """A webhook; its secret is shown once, when it is created."""

    uid: str
    url: str
    events: list[str] = Field(description="event kinds, or ['*'] for all")
    active: bool
    description: str
    state: WebhookStateOut
    version: int
    created_at: datetime
    updated_at: datetime


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(description="signs every delivery; shown in this answer only")


class WebhookListOut(RootModel[list[WebhookOut]]):
    """Every webhook, oldest first."""


class AttemptOut(BaseModel):
    at: datetime
    ok: bool = Field(description="the receiver answered 2xx")
    status_code: int | None = Field(description="the receiver's answer; null when none came")
    duration_ms: int
    error: str | None


class DeliveryOut(BaseModel):
    id: str = Field(description="the X-LeadCRM-Delivery header: the same on every attempt")
    event: str
    seq: int | None = Field(description="the event's place in the event stream (null: a ping)")
    subject: str | None = Field(description="the lead's (stage's, config's) uid")
    status: Literal["pending", "sending", "delivered", "failed"]
    occurred_at: datetime
    created_at: datetime
    next_attempt_at: datetime | None = Field(description="while pending: when it is tried next")
    finished_at: datetime | None
    attempt_count: int
    attempts: list[AttemptOut] = Field(description="newest first (the latest 50)")


class DeliveryPageOut(BaseModel):
    results: list[DeliveryOut] = Field(description="newest first")
    next_cursor: str | None = Field(description="pass as `cursor` for the next (older) page")


# --- automation rules ------------------------------------------------------------------------


class LeadCreatedTriggerOut(BaseModel):
    kind: Literal["lead_created"]


class StageEnteredTriggerOut(BaseModel):
    kind: Literal["stage_entered"]
    stage: str


class TaskCompletedTriggerOut(BaseModel):
    kind: Literal["task_completed"]
    stage: str | None = Field(description="null: a task of any stage")
    title: str | None = Field(description="null: any task")


RuleTriggerOut = Annotated[
    LeadCreatedTriggerOut | StageEnteredTriggerOut | TaskCompletedTriggerOut,
    Field(discriminator="kind"),
]


class AssignActionOut(BaseModel):
    kind: Literal["assign"]
    users: list[str] = Field(description="one: assign them; more: round-robin in this order")


class AddTaskActionOut(BaseModel):
    kind: Literal["add_task"]
    title: str
    due_in_days: int | None
    required: bool


class SetFieldActionOut(BaseModel):
    kind: Literal["set_field"]
    field: str
    value: Any


class AddTagActionOut(BaseModel):
    kind: Literal["add_tag"]
    tag: str


class SendWebhookActionOut(BaseModel):
    kind: Literal["send_webhook"]
    webhook: str


RuleActionOut = Annotated[
    AssignActionOut | AddTaskActionOut | SetFieldActionOut | AddTagActionOut | SendWebhookActionOut,
    Field(discriminator="kind"),
]


class RuleAuthorOut(BaseModel):
    uid: str
    name: str


class RuleErrorOut(BaseModel):
    at: datetime
    lead: str | None
    message: str


class RuleStatsOut(BaseModel):
    runs: int
    failures: int
    last_run_at: datetime | None
    last_error: RuleErrorOut | None


class RuleOut(BaseModel):
    """An automation rule, with the sentence it reads as and how its runs went."""

    uid: str
    name: str
    active: bool
    trigger: RuleTriggerOut
    actions: list[RuleActionOut]
    version: int
    created_at: datetime
    updated_at: datetime
    created_by: RuleAuthorOut | None
    sentence: str = Field(
        description="the rule in words, from the current stage, user, field and webhook names"
    )
    stats: RuleStatsOut


class RuleListOut(BaseModel):
    results: list[RuleOut] = Field(description="newest first")


class RunActionOut(BaseModel):
    kind: str
    status: Literal["ok", "failed", "skipped", "pending"]
    message: str | None


class RunOut(BaseModel):
    """One rule run: the event it answered and what each action did."""

    id: str
    at: datetime
    rule: str
    lead: str
    event_seq: int
    status: Literal["ok", "failed", "skipped", "running"]
    actions: list[RunActionOut]
    error: str | None


class RunListOut(BaseModel):
    results: list[RunOut] = Field(description="newest first")
