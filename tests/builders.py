"""Small builders for test data, made through the same services the product uses."""

from __future__ import annotations

import itertools
from typing import Any

from rest_framework.test import APIClient

from leads.domain.enums import StageKind, UserRole
from leads.domain.events import EventKind, WriteStamp
from leads.domain.fields import FieldDefinition
from leads.domain.inputs import (
    ConfigUpdate,
    LeadCreate,
    StageCreate,
    StageReorder,
    TaskTemplateInput,
    UserCreate,
)
from leads.domain.models import User, WorkItem, WorkItemConfig, WorkStage, utcnow
from leads.selectors.leads import lead_get
from leads.services import leads as lead_services
from leads.services import users as user_services
from leads.services import workflow as workflow_services
from leads.services.tasks import task_complete
from leads.store import connection

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


def make_user(role: UserRole | str = UserRole.MEMBER, username: str | None = None) -> User:
    name = username or f"{UserRole(role).value}{next(_numbers)}"
    return user_services.user_create(
        data=UserCreate(
            username=name, password=PASSWORD, role=UserRole(role), display_name=name.title()
        )
    )


def client_for(user: User | None = None) -> APIClient:
    """An API client signed in as `user` with a bearer token (anonymous when None)."""
    client = APIClient()
    if user is not None:
        token = user_services.auth_login(username=user.username, password=PASSWORD).token
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def field(key: str, field_type: str = "text", **extra: Any) -> FieldDefinition:
    return FieldDefinition.model_validate(
        {
            "field_key": key,
            "label": key.replace("_", " ").title(),
            "field_type": field_type,
            **extra,
        }
    )


def make_config(*fields: FieldDefinition, value_field: str | None = None) -> WorkItemConfig:
    workflow_services.config_ensure()
    return workflow_services.config_update(
        changes=ConfigUpdate(variables=list(fields), value_field=value_field),
        expected_version=None,
    )


def make_stage(name: str, **extra: Any) -> WorkStage:
    templates = [TaskTemplateInput.model_validate(t) for t in extra.pop("task_templates", [])]
    return workflow_services.stage_create(
        data=StageCreate.model_validate({"name": name, **extra, "task_templates": templates})
    )


def make_pipeline(*fields: FieldDefinition) -> dict[str, WorkStage]:
    """Config with `fields` (default: budget + industry) and New -> Contacted -> Won / Lost."""
    if not fields:
        fields = (
            field("budget", "currency", min=0),
            field(
                "industry",
                "select",
                options=[
                    {"value": "saas", "label": "SaaS"},
                    {"value": "retail", "label": "Retail"},
                ],
            ),
        )
    make_config(
        *fields, value_field=fields[0].field_key if fields[0].field_type == "currency" else None
    )
    # Created backwards (a stage names the ones it leads to), so each takes an explicit order:
    # the service's placement would wire each new open stage after the one before it.
    won = make_stage("Won", kind=StageKind.WON, color="#16a34a", order=2)
    lost = make_stage("Lost", kind=StageKind.LOST, color="#dc2626", order=3)
    contacted = make_stage(
        "Contacted",
        order=1,
        allowed_next_stages=[won.uid, lost.uid],
        task_templates=[{"title": "Send intro email", "required": True, "due_in_hours": 24}],
    )
    new = make_stage(
        "New",
        order=0,
        allowed_next_stages=[contacted.uid, lost.uid],
        task_templates=[
            {"title": "Call the lead", "required": True, "due_in_hours": 4},
            {"title": "Research the company"},
        ],
    )
    workflow_services.stage_reorder(
        data=StageReorder(order=[new.uid, contacted.uid, won.uid, lost.uid])
    )
    workflow_services.config_update(
        changes=ConfigUpdate(initial_stage=new.uid), expected_version=None
    )
    return {"new": new, "contacted": contacted, "won": won, "lost": lost}


def make_lead(actor: User, **values: Any) -> WorkItem:
    values.setdefault("name", f"Lead {next(_numbers)}")
    return lead_services.lead_create(data=LeadCreate.model_validate(values), actor=actor).lead


def complete_required_tasks(lead_uid: str, actor: User) -> WorkItem:
    """Complete every open required task of the lead's current stage, so nothing blocks it from
    moving on; returns the lead as it then is."""
    lead = lead_get(uid=lead_uid, actor=actor).lead
    for task in lead.stage_tasks():
        if task.blocks_leaving:
            lead = task_complete(uid=lead_uid, task_uid=task.uid, actor=actor).detail.lead
    return lead


def admin_client() -> APIClient:
    return client_for(make_user(UserRole.ADMIN))


def assert_error(response: Any, status: int, code: str, *fields: str) -> dict[str, Any]:
    """The response is `status` in the one error shape, naming `fields`; returns the error."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["fields"], dict), error
    for name in fields:
        assert name in error["fields"], error
    return error


def stored_documents() -> list[dict[str, Any]]:
    return list(connection.leads().find({}, {"_id": 0}).sort([("type", 1), ("uid", 1)]))


def a_stamp(uid: str = "LEAD-000000-00000", kind: EventKind = EventKind.LEAD_UPDATED) -> WriteStamp:
    """A write's stamp for tests that call the store directly (what it announces is not theirs
    to check)."""
    return WriteStamp(kind=kind, uid=uid, at=utcnow())
