"""Use cases that write leads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from leads.domain.enums import ActivityType
from leads.domain.errors import (
    ConfigNotFound,
    Conflict,
    DuplicateKey,
    LeadNotFound,
    ValidationFailed,
    VersionConflict,
)
from leads.domain.fields import validate_lead_data
from leads.domain.inputs import ActivityCreate, LeadCreate, LeadUpdate, TaskCreate
from leads.domain.models import (
    Activity,
    FieldChange,
    FieldChangeEntry,
    StageVisit,
    TaskInstance,
    User,
    WorkItem,
    WorkStage,
    utcnow,
)
from leads.domain.ranks import rank_for_arrival
from leads.store import leads as lead_store
from leads.store import users as user_store
from leads.store import workflow as workflow_store

_CREATE_ATTEMPTS = 3
_UPDATE_ATTEMPTS = 3
# Fields a PATCH may change besides `data`, in the order history lists them.
_CORE_FIELDS = ("name", "email", "phone", "company", "source", "tags")


def stage_tasks(stage: WorkStage, *, actor: User | None, now: Any) -> list[TaskInstance]:
    """The task instances a lead gets when it enters `stage`."""
    return [
        TaskInstance(
            template_uid=template.uid,
            stage=stage.uid,
            title=template.title,
            description=template.description,
            required=template.required,
            skippable=template.skippable,
            priority=template.priority,
            due_at=None
            if template.due_in_hours is None
            else now + timedelta(hours=template.due_in_hours),
            created_at=now,
            created_by=actor.uid if actor else None,
        )
        for template in sorted(stage.task_templates, key=lambda template: template.order)
    ]


def check_assignees(user_ids: list[str], *, field: str = "assigned_to") -> list[str]:
    """The ids, once each, after checking each names an active user; else ValidationFailed."""
    unique_ids = list(dict.fromkeys(user_ids))
    if not unique_ids:
        return []
    active = {user.uid for user in user_store.get_users(unique_ids) if user.is_active}
    unknown = [uid for uid in unique_ids if uid not in active]
    if unknown:
        raise ValidationFailed.on(field, f"unknown or inactive user(s): {', '.join(unknown)}")
    return unique_ids


def lead_create(*, data: LeadCreate, actor: User) -> WorkItem:
    """Create a lead in the initial stage. Raises ConfigNotFound, Conflict, ValidationFailed."""
    config, stages = workflow_store.get_config_and_stages()
    if config is None:
        raise ConfigNotFound()
    stage = next((stage for stage in stages if stage.uid == config.initial_stage), None)
    if stage is None:
        raise Conflict(
            "The workflow has no initial stage: an admin sets `initial_stage` in /api/config/."
        )
    lead_data = validate_lead_data(config.variables, data.data)
    assignees = check_assignees(data.assigned_to)
    now = utcnow()
    for _attempt in range(_CREATE_ATTEMPTS):
        number = workflow_store.next_lead_number(now.strftime("%Y%m"))
        lead = WorkItem(
            uid=f"LEAD-{now:%Y%m}-{number:05d}",
            name=data.name,
            email=data.email,
            phone=data.phone,
            company=data.company,
            source=data.source,
            current_stage=stage.uid,
            rank=rank_for_arrival(now),
            stage_entered_at=now,
            assigned_to=assignees,
            data=lead_data,
            tags=data.tags,
            tasks=stage_tasks(stage, actor=actor, now=now),
            activities=[
                Activity(
                    type=ActivityType.SYSTEM,
                    actor=actor.uid,
                    created_at=now,
                    body=f"Lead created in {stage.name}",
                    details={"event": "created", "stage": stage.uid},
                )
            ],
            history=[StageVisit(stage=stage.uid, entered_at=now, entered_by=actor.uid)],
            created_at=now,
            updated_at=now,
            created_by=actor.uid,
        )
        try:
            lead_store.insert_lead(lead)
        except DuplicateKey:
            # The counter fell behind stored numbers (e.g. after an import): take the next one.
            continue
        lead.activity_count = len(lead.activities)
        return lead
    raise Conflict("Could not allocate a lead number; try again.")


def _diff(old: Any, new: Any) -> bool:
    return bool(old != new)


def lead_update(
    *, uid: str, changes: LeadUpdate, actor: User, expected_version: int | None
) -> WorkItem:
    """Change a lead's fields and record the diff. Raises LeadNotFound, VersionConflict,
    ValidationFailed."""
    for _attempt in range(_UPDATE_ATTEMPTS):
        lead, config = lead_store.get_lead_and_config(uid)
        if lead is None:
            raise LeadNotFound(f"No lead {uid}.")
        if config is None:
            raise ConfigNotFound()
        if expected_version is not None and lead.version != expected_version:
            raise VersionConflict(details={"current_version": lead.version})
        set_fields: dict[str, Any] = {}
        field_changes: list[FieldChange] = []
        for name in _CORE_FIELDS:
            if name not in changes.model_fields_set:
                continue
            old, new = getattr(lead, name), getattr(changes, name)
            if _diff(old, new):
                set_fields[name] = new
                field_changes.append(FieldChange(field=name, old=old, new=new))
        if changes.data is not None:
            new_data = validate_lead_data(config.variables, changes.data, current=lead.data)
            for key in sorted(set(lead.data) | set(new_data)):
                old, new = lead.data.get(key), new_data.get(key)
                if _diff(old, new):
                    field_changes.append(FieldChange(field=f"data.{key}", old=old, new=new))
            if new_data != lead.data:
                set_fields["data"] = new_data
        if not field_changes:
            current = lead_store.get_lead(uid)
            if current is None:
                raise LeadNotFound(f"No lead {uid}.")
            return current
        now = utcnow()
        set_fields["updated_at"] = now
        changed = ", ".join(change.field for change in field_changes)
        updated = lead_store.update_lead(
            uid=uid,
            expected_version=lead.version,
            set_fields=set_fields,
            push_history=[FieldChangeEntry(at=now, by=actor.uid, changes=field_changes)],
            push_activities=[
                Activity(
                    type=ActivityType.FIELD_CHANGE,
                    actor=actor.uid,
                    created_at=now,
                    body=f"Changed {changed}",
                    details={"fields": [change.field for change in field_changes]},
                )
            ],
        )
        if updated is not None:
            return updated
        if expected_version is not None:
            raise VersionConflict()
        # Nobody asked for a version: someone else's write slipped in, so apply ours on top.
    raise VersionConflict("The lead keeps changing; reload it and try again.")


def lead_delete(*, uid: str, expected_version: int | None) -> None:
    """Delete a lead. Raises LeadNotFound, VersionConflict."""
    if lead_store.delete_lead(uid=uid, expected_version=expected_version):
        return
    if expected_version is not None and lead_store.lead_exists(uid):
        raise VersionConflict()
    raise LeadNotFound(f"No lead {uid}.")


def lead_assign(
    *, uid: str, user_ids: list[str], mode: str, actor: User, expected_version: int | None
) -> WorkItem:
    """Replace, add or remove assignees; logged old -> new. Raises LeadNotFound,
    ValidationFailed, VersionConflict."""
    checked = check_assignees(user_ids, field="user_ids") if mode != "remove" else user_ids
    for _attempt in range(_UPDATE_ATTEMPTS):
        lead, _config = lead_store.get_lead_and_config(uid)
        if lead is None:
            raise LeadNotFound(f"No lead {uid}.")
        if expected_version is not None and lead.version != expected_version:
            raise VersionConflict(details={"current_version": lead.version})
        if mode == "replace":
            assignees = checked
        elif mode == "add":
            assignees = list(dict.fromkeys([*lead.assigned_to, *checked]))
        else:
            assignees = [user for user in lead.assigned_to if user not in checked]
        if assignees == lead.assigned_to:
            current = lead_store.get_lead(uid)
            if current is None:
                raise LeadNotFound(f"No lead {uid}.")
            return current
        now = utcnow()
        change = FieldChange(field="assigned_to", old=lead.assigned_to, new=assignees)
        updated = lead_store.update_lead(
            uid=uid,
            expected_version=lead.version,
            set_fields={"assigned_to": assignees, "updated_at": now},
            push_history=[FieldChangeEntry(at=now, by=actor.uid, changes=[change])],
            push_activities=[
                Activity(
                    type=ActivityType.ASSIGNMENT,
                    actor=actor.uid,
                    created_at=now,
                    body="Changed assignees",
                    details={"old": lead.assigned_to, "new": assignees, "mode": mode},
                )
            ],
        )
        if updated is not None:
            return updated
        if expected_version is not None:
            raise VersionConflict()
    raise VersionConflict("The lead keeps changing; reload it and try again.")


def activity_log(*, uid: str, data: ActivityCreate, actor: User) -> Activity:
    """Log a note, call, email or meeting on a lead. Raises LeadNotFound."""
    activity = Activity(
        type=data.type,
        actor=actor.uid,
        occurred_at=data.occurred_at,
        body=data.body,
        outcome=data.outcome,
        duration_minutes=data.duration_minutes,
    )
    if not lead_store.append_activity(uid=uid, activity=activity):
        raise LeadNotFound(f"No lead {uid}.")
    return activity


def task_add(*, uid: str, data: TaskCreate, actor: User) -> TaskInstance:
    """Add an ad-hoc task to the lead's current stage. Raises LeadNotFound, ValidationFailed."""
    if data.assigned_to is not None:
        check_assignees([data.assigned_to], field="assigned_to")
    now = utcnow()
    task = TaskInstance(
        title=data.title,
        description=data.description,
        required=data.required,
        skippable=not data.required,
        priority=data.priority,
        due_at=data.due_at,
        assigned_to=data.assigned_to,
        created_at=now,
        created_by=actor.uid,
    )
    activity = Activity(
        type=ActivityType.TASK,
        actor=actor.uid,
        created_at=now,
        body=f"Added task: {task.title}",
        details={"task_uid": task.uid, "event": "added"},
    )
    lead = lead_store.add_task(uid=uid, task=task, activity=activity)
    if lead is None:
        raise LeadNotFound(f"No lead {uid}.")
    return next(stored for stored in lead.tasks if stored.uid == task.uid)
