"""Use cases that write leads."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from leads.domain.changes import (
    LeadChange,
    assignment_change,
    created_activity,
    entered_visit,
    field_change,
    next_due_at,
    stage_tasks,
    task_added_activity,
    value_changes,
)
from leads.domain.enums import WorkItemStatus
from leads.domain.errors import (
    ConfigNotFound,
    DuplicateKey,
    LeadNotFound,
    LeadNumbersExhausted,
    NoInitialStage,
    ValidationFailed,
    VersionConflict,
)
from leads.domain.events import EventKind, WriteStamp, actor_of
from leads.domain.fields import validate_lead_data
from leads.domain.inputs import ActivityCreate, LeadCreate, LeadUpdate, TaskCreate, sent
from leads.domain.merge import DUPLICATES_SHOWN, LeadMatch
from leads.domain.models import (
    Activity,
    LeadRecord,
    TaskInstance,
    User,
    WorkItem,
    utcnow,
)
from leads.domain.ranks import rank_for_arrival
from leads.domain.transitions import LeadDetail, Pipeline
from leads.store import duplicates as duplicate_store
from leads.store import leads as lead_store
from leads.store import users as user_store
from leads.store import workflow as workflow_store
from leads.store.connection import is_failover, self_checking

from .lead_writes import Decide, Loaded, lead_write

_CREATE_ATTEMPTS = 3
# The request journal's note of the lead a create tried to store.
_CREATED = "lead_create"
# Fields a PATCH may change besides `data`, in the order history lists them.
_CORE_FIELDS = ("name", "email", "phone", "company", "source", "tags", "status")
# Archiving hides an open lead and restoring brings it back; won and lost leads change status
# only by moving to another stage.
_STATUS_EDITS = {
    (WorkItemStatus.OPEN, WorkItemStatus.ARCHIVED),
    (WorkItemStatus.ARCHIVED, WorkItemStatus.OPEN),
}


def check_assignees(user_ids: list[str], *, actor: User, field: str = "assigned_to") -> list[str]:
    """The ids, once each, after checking each names an active user; else ValidationFailed.
    The actor is signed in, so active: assigning oneself needs no look-up."""
    unique_ids = list(dict.fromkeys(user_ids))
    others = [uid for uid in unique_ids if uid != actor.uid]
    if not others:
        return unique_ids
    active = {user.uid for user in user_store.get_users(others) if user.is_active} | {actor.uid}
    unknown = [uid for uid in unique_ids if uid not in active]
    if unknown:
        raise ValidationFailed.on(field, f"unknown or inactive user(s): {', '.join(unknown)}")
    return unique_ids


@dataclass(frozen=True)
class CreatedLead(LeadDetail):
    """A new lead, and the leads it may duplicate (the same email or phone), oldest first."""

    possible_duplicates: list[LeadMatch] = field(default_factory=list)


def lead_create(*, data: LeadCreate, actor: User) -> CreatedLead:
    """Create a lead in the initial stage; say which leads it may duplicate. Raises
    ConfigNotFound, NoInitialStage, LeadNumbersExhausted, ValidationFailed."""
    config, stages = workflow_store.get_config_and_stages()
    if config is None:
        raise ConfigNotFound()
    stage = next((stage for stage in stages if stage.uid == config.initial_stage), None)
    if stage is None:
        raise NoInitialStage()
    lead_data = validate_lead_data(config.variables, data.data)
    # Whoever adds a lead works it unless they say otherwise, from any form.
    assignees = check_assignees(
        data.assigned_to if data.assigned_to is not None else [actor.uid], actor=actor
    )
    now = utcnow()
    tasks = stage_tasks(stage, actor=actor, now=now)
    with self_checking() as journal:
        # A run of this request before an election may have reserved a number, and stored
        # the lead, without hearing back: the same lead (number, moment) is tried again.
        earlier: tuple[WorkItem, int] | None = journal.notes.get(_CREATED) if journal else None
        for _attempt in range(_CREATE_ATTEMPTS):
            if earlier is not None:
                (lead, number), earlier = earlier, None
                month = f"{lead.created_at:%Y%m}"
            else:
                month = now.strftime("%Y%m")
                number = workflow_store.next_lead_number(month)
                lead = WorkItem(
                    **data.model_dump(
                        include={"name", "email", "phone", "company", "source", "tags"}
                    ),
                    uid=f"LEAD-{month}-{number:05d}",
                    current_stage=stage.uid,
                    rank=rank_for_arrival(now),
                    stage_entered_at=now,
                    assigned_to=assignees,
                    data=lead_data,
                    tasks=tasks,
                    next_due_at=next_due_at(tasks),
                    last_activity_at=now,
                    activities=[created_activity(stage, actor, now)],
                    history=[entered_visit(stage, actor=actor, now=now)],
                    created_at=now,
                    updated_at=now,
                    created_by=actor.uid,
                )
                if journal is not None:
                    journal.notes[_CREATED] = (lead, number)
            try:
                lead_store.insert_lead(
                    lead,
                    WriteStamp(
                        kind=EventKind.LEAD_CREATED,
                        uid=lead.uid,
                        version=lead.version,
                        at=lead.created_at,
                        by=actor_of(actor),
                        to_stage=lead.current_stage,
                    ),
                )
            except DuplicateKey:
                stored = lead_store.get_lead(lead.uid)
                if stored is not None and _same_creation(stored.lead, lead):
                    break  # the earlier run stored it: this is its answer
                # The counter fell behind stored numbers (e.g. after an import): take the next.
                continue
            except Exception as exc:
                if journal is not None and is_failover(exc):
                    raise  # the number stays with this request, which may run again
                # A lead the server refused (or never acknowledged) must not cost its number;
                # if the server is gone the release fails too, and the original error is the
                # one to tell.
                with contextlib.suppress(Exception):
                    workflow_store.release_lead_number(month, number)
                raise
            break
        else:
            raise LeadNumbersExhausted()
    record = LeadRecord(lead=lead, activity_count=len(lead.activities))
    detail = LeadDetail.of(record, Pipeline.of(stages, config), reader=actor)
    # Told after the create, not refused before it: two people may share a phone number, and
    # the seller decides (merge, or keep both).
    matches = duplicate_store.find_matches(
        email_key=lead.email_key,
        phone_key=lead.phone_key,
        exclude_uid=lead.uid,
        limit=DUPLICATES_SHOWN,
    )
    return CreatedLead(
        **{item.name: getattr(detail, item.name) for item in fields(LeadDetail)},
        possible_duplicates=matches,
    )


def _same_creation(stored: WorkItem, lead: WorkItem) -> bool:
    """Whether `stored` is `lead` as an earlier run of the request inserted it (a number is
    reserved by one request only, so its moment and author tell)."""
    return stored.created_at == lead.created_at and stored.created_by == lead.created_by


def edit_decision(changes: LeadUpdate, actor: User) -> Decide:
    """THE decision of an edit, for one lead (lead_update) or many (bulk tagging)."""

    def decide(loaded: Loaded) -> LeadChange | None:
        lead = loaded.lead
        wanted = sent(changes, exclude=frozenset({"version", "data"}))
        before = {name: getattr(lead, name) for name in _CORE_FIELDS if name in wanted}
        status = wanted.get("status", lead.status)
        if status is not lead.status and (lead.status, status) not in _STATUS_EDITS:
            raise ValidationFailed.on(
                "status",
                f"a {lead.status.value} lead cannot become {status.value} here: "
                "it changes status by moving to another stage",
            )
        field_changes = value_changes(before, wanted)
        set_fields: dict[str, Any] = {change.field: change.new for change in field_changes}
        if "data" in changes.model_fields_set:
            new_data = validate_lead_data(loaded.config.variables, changes.data, current=lead.data)
            data_changes = value_changes(lead.data, new_data, prefix="data.")
            if data_changes:
                field_changes.extend(data_changes)
                set_fields["data"] = new_data
        if not field_changes:
            return None
        return field_change(field_changes, set_fields, actor, utcnow())

    return decide


def lead_update(
    *, uid: str, changes: LeadUpdate, actor: User, expected_version: int | None
) -> LeadDetail:
    """Change a lead's fields and record the diff. Raises LeadNotFound, VersionConflict,
    ValidationFailed."""
    decide = edit_decision(changes, actor)
    return lead_write(uid=uid, actor=actor, expected_version=expected_version, decide=decide).detail


def lead_delete(*, uid: str, expected_version: int | None, actor: User) -> None:
    """Delete a lead. Raises LeadNotFound, VersionConflict."""
    stamp = WriteStamp(
        kind=EventKind.LEAD_DELETED,
        uid=uid,
        version=expected_version,
        at=utcnow(),
        by=actor_of(actor),
    )
    if lead_store.delete_lead(uid=uid, expected_version=expected_version, stamp=stamp):
        return
    if expected_version is not None and lead_store.lead_exists(uid):
        raise VersionConflict()
    raise LeadNotFound(f"No lead {uid}.")


def lead_assign(
    *, uid: str, user_ids: list[str], mode: str, actor: User, expected_version: int | None
) -> LeadDetail:
    """Replace, add or remove assignees; logged old -> new. Raises LeadNotFound,
    ValidationFailed, VersionConflict."""
    decide = assign_decision(user_ids=user_ids, mode=mode, actor=actor)
    return lead_write(uid=uid, actor=actor, expected_version=expected_version, decide=decide).detail


def assign_decision(*, user_ids: list[str], mode: str, actor: User) -> Decide:
    """THE decision of an assignment, for one lead (lead_assign) or many (a bulk assign), after
    checking the users once. Raises ValidationFailed naming `user_ids`."""
    checked = (
        check_assignees(user_ids, actor=actor, field="user_ids") if mode != "remove" else user_ids
    )

    def decide(loaded: Loaded) -> LeadChange | None:
        current = loaded.lead.assigned_to
        if mode == "replace":
            assignees = checked
        elif mode == "add":
            assignees = list(dict.fromkeys([*current, *checked]))
        else:
            assignees = [user for user in current if user not in checked]
        if assignees == current:
            return None
        return assignment_change(loaded.lead, assignees, mode, actor, utcnow())

    return decide


def activity_log(*, uid: str, data: ActivityCreate, actor: User) -> Activity:
    """Log a note, call, email or meeting on a lead. Raises LeadNotFound."""
    activity = Activity(**data.model_dump(), actor=actor.uid)
    stamp = _updated(uid, actor, activity.created_at, ["activities"])
    if not lead_store.append_activity(uid=uid, activity=activity, stamp=stamp):
        raise LeadNotFound(f"No lead {uid}.")
    return activity


def task_add(*, uid: str, data: TaskCreate, actor: User) -> TaskInstance:
    """Add an ad-hoc task to the lead's current stage. Raises LeadNotFound, ValidationFailed."""
    if data.assigned_to is not None:
        check_assignees([data.assigned_to], actor=actor, field="assigned_to")
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
    record = lead_store.add_task(
        uid=uid,
        task=task,
        activity=task_added_activity(task, actor, now),
        stamp=_updated(uid, actor, now, ["tasks", "activities"]),
    )
    if record is None:
        raise LeadNotFound(f"No lead {uid}.")
    return next(stored for stored in record.lead.tasks if stored.uid == task.uid)


def _updated(uid: str, actor: User, at: datetime, fields: list[str]) -> WriteStamp:
    return WriteStamp(
        kind=EventKind.LEAD_UPDATED, uid=uid, at=at, by=actor_of(actor), fields=fields
    )
