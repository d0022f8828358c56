"""Working a lead: transitions, assignment, tasks, the timeline, and the Kanban board."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.gzip import gzip_page
from drf_spectacular.utils import extend_schema
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from rest_framework.request import Request
from rest_framework.views import APIView

from leads.domain.enums import ActivityType, TaskStatus, WorkItemStatus
from leads.domain.inputs import (
    ActivityCreate,
    Assign,
    KanbanMove,
    TaskCreate,
    TransitionInput,
    UndoInput,
)
from leads.domain.models import TaskInstance
from leads.domain.queries import LeadFilter
from leads.selectors import kanban as kanban_selectors
from leads.selectors import leads as lead_selectors
from leads.services import leads as lead_services
from leads.services import tasks as task_services
from leads.services import transitions as transition_services

from ..mappers import activity_out, column_out, lead_out, task_out
from ..schemas import (
    ActivityOut,
    ActivityPageOut,
    KanbanOut,
    LeadOut,
    TaskActionOut,
    TaskListOut,
    TaskOut,
)
from .base import ERRORS, actor, body, etag, expected_version, query_parameters, render
from .leads import lead_response, page_url


class TransitionView(APIView):
    @extend_schema(
        operation_id="leads_transition",
        request=TransitionInput,
        responses={200: LeadOut, **ERRORS},
    )
    def post(self, request: Request, uid: str) -> HttpResponse:
        data = TransitionInput.model_validate(body(request))
        detail = transition_services.lead_transition(
            uid=uid,
            to_stage=data.to_stage,
            actor=actor(request),
            expected_version=expected_version(request, data.version),
            note=data.note,
            data=data.data,
            lost_reason=data.lost_reason,
            lost_note=data.lost_note,
        )
        return lead_response(detail)


class UndoView(APIView):
    @extend_schema(operation_id="leads_undo", request=UndoInput, responses={200: LeadOut, **ERRORS})
    def post(self, request: Request, uid: str) -> HttpResponse:
        data = UndoInput.model_validate(body(request))
        detail = transition_services.lead_undo(
            uid=uid, actor=actor(request), expected_version=expected_version(request, data.version)
        )
        return lead_response(detail)


class AssignView(APIView):
    @extend_schema(operation_id="leads_assign", request=Assign, responses={200: LeadOut, **ERRORS})
    def post(self, request: Request, uid: str) -> HttpResponse:
        data = Assign.model_validate(body(request))
        detail = lead_services.lead_assign(
            uid=uid,
            user_ids=data.user_ids,
            mode=data.mode,
            actor=actor(request),
            expected_version=expected_version(request, data.version),
        )
        return lead_response(detail)


class TaskFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage: str | None = Field(None, description="stage uid the tasks came from")
    status: TaskStatus | None = None


class TaskCollectionView(APIView):
    @extend_schema(
        operation_id="leads_tasks_list",
        parameters=query_parameters(TaskFilter),
        responses={200: TaskListOut, **ERRORS},
    )
    def get(self, request: Request, uid: str) -> HttpResponse:
        params = TaskFilter.model_validate(request.query_params.dict())
        tasks = lead_selectors.task_list(uid=uid, stage=params.stage, status=params.status)
        return render(TaskListOut([task_out(task) for task in tasks]))

    @extend_schema(
        operation_id="leads_tasks_create",
        request=TaskCreate,
        responses={201: TaskOut, **ERRORS},
    )
    def post(self, request: Request, uid: str) -> HttpResponse:
        data = TaskCreate.model_validate(body(request))
        task = lead_services.task_add(uid=uid, data=data, actor=actor(request))
        return render(task_out(task), 201)


_TASK_ACTIONS = {
    "complete": (task_services.task_complete, "completed"),
    "reopen": (task_services.task_reopen, "reopened"),
    "skip": (task_services.task_skip, "skipped"),
}


def _state_word(task: TaskInstance) -> str:
    return task.status.value if task.is_done else "open"


class TaskActionView(APIView):
    """complete / reopen / skip: doing it twice is harmless and says so (`changed: false`)."""

    action = "complete"

    @extend_schema(request=None, responses={200: TaskActionOut, **ERRORS})
    def post(self, request: Request, uid: str, task_uid: str) -> HttpResponse:
        perform, done = _TASK_ACTIONS[self.action]
        written = perform(uid=uid, task_uid=task_uid, actor=actor(request))
        lead = written.detail.lead
        task = next(task for task in lead.tasks if task.uid == task_uid)
        message = (
            f"'{task.title}' {done}."
            if written.changed
            else f"'{task.title}' was already {_state_word(task)}."
        )
        return render(
            TaskActionOut(
                task=task_out(task),
                changed=written.changed,
                message=message,
                lead=lead_out(written.detail),
            ),
            headers=etag(lead.version),
        )


class ActivityFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: list[ActivityType] = Field(default_factory=list, description="repeat to allow several")
    cursor: str | None = None
    limit: int = Field(20, ge=1, le=100)


class ActivityCollectionView(APIView):
    @extend_schema(
        operation_id="leads_activities_list",
        parameters=query_parameters(ActivityFilter),
        responses={200: ActivityPageOut, **ERRORS},
    )
    def get(self, request: Request, uid: str) -> HttpResponse:
        raw: dict[str, object] = {
            **request.query_params.dict(),
            "type": request.query_params.getlist("type"),
        }
        params = ActivityFilter.model_validate(raw)
        page = lead_selectors.activity_list(
            uid=uid, types=[t.value for t in params.type], cursor=params.cursor, limit=params.limit
        )
        return render(
            ActivityPageOut(
                results=[activity_out(activity) for activity in page.items],
                total=page.total,
                next=page_url(request, page.next_cursor),
                next_cursor=page.next_cursor,
            )
        )

    @extend_schema(
        operation_id="leads_activities_create",
        request=ActivityCreate,
        responses={201: ActivityOut, **ERRORS},
    )
    def post(self, request: Request, uid: str) -> HttpResponse:
        data = ActivityCreate.model_validate(body(request))
        activity = lead_services.activity_log(uid=uid, data=data, actor=actor(request))
        return render(activity_out(activity), 201)


class KanbanParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    per_column: int = Field(50, ge=1, le=200)
    stage: str | None = Field(None, description="only this column (to load more of it)")
    cursor: str | None = Field(None, description="a column's next_cursor; needs `stage`")
    assigned_to: str | None = Field(None, description="user uid, or `me`")
    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    status: WorkItemStatus | None = None
    tag: str | None = None
    overdue: bool = Field(False, description="only leads with an open task past its due date")
    stale: bool = Field(
        False, description="only open leads idle for longer than their stage's rot_after_days"
    )


# A board repeats its stage names and move messages card after card: gzip takes a 1,400-card
# board from about 2 MB to a few per cent of that. Only here: no secret is ever in a board.
@method_decorator(gzip_page, name="get")
class KanbanView(APIView):
    @extend_schema(
        operation_id="leads_kanban",
        parameters=query_parameters(KanbanParams),
        responses={200: KanbanOut, **ERRORS},
    )
    def get(self, request: Request) -> HttpResponse:
        params = KanbanParams.model_validate(request.query_params.dict())
        assigned_to = actor(request).uid if params.assigned_to == "me" else params.assigned_to
        board = kanban_selectors.kanban_board(
            lead_filter=LeadFilter(
                assigned_to=assigned_to,
                search=params.q or None,
                status=params.status,
                tag=params.tag,
                overdue=params.overdue,
                stale=params.stale,
                hide_archived=True,
            ),
            per_column=params.per_column,
            actor=actor(request),
            stage=params.stage,
            cursor=params.cursor,
        )
        columns = [column_out(column) for column in board.columns]
        return render(KanbanOut(columns=columns, value_field=board.value_field))


class KanbanMoveView(APIView):
    @extend_schema(
        operation_id="leads_kanban_move", request=KanbanMove, responses={200: LeadOut, **ERRORS}
    )
    def post(self, request: Request) -> HttpResponse:
        data = KanbanMove.model_validate(body(request))
        detail = transition_services.kanban_move(
            lead_uid=data.lead_uid,
            to_stage=data.to_stage,
            actor=actor(request),
            above=data.above,
            below=data.below,
            expected_version=expected_version(request, data.version),
            data=data.data,
            lost_reason=data.lost_reason,
            lost_note=data.lost_note,
        )
        return lead_response(detail)
