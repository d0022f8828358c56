"""Use cases that change the pipeline: the config and its stages."""

from __future__ import annotations

from leads.domain.audit import (
    AuditAction,
    AuditChange,
    Origin,
    audit_event,
    changed_names,
    field_changes,
)
from leads.domain.changes import (
    STATUS_OF_KIND,
    StageEntry,
    closed_at_for,
    entered_visit,
    stage_deleted_activity,
    stage_tasks,
)
from leads.domain.enums import FieldType, StageKind
from leads.domain.errors import (
    ConfigLocked,
    ConfigNotFound,
    InitialStageInUse,
    StageInUse,
    StageNotFound,
    ValidationFailed,
    VersionConflict,
)
from leads.domain.events import EventKind, WriteStamp, actor_of
from leads.domain.fields import FieldDefinition
from leads.domain.inputs import (
    ConfigUpdate,
    StageCreate,
    StageReorder,
    StageUpdate,
    TaskTemplateInput,
    sent,
)
from leads.domain.models import (
    TaskTemplate,
    User,
    WorkItemConfig,
    WorkStage,
    slugify,
    utcnow,
)
from leads.domain.ranks import rank_for_arrival
from leads.store import connection
from leads.store import indexes as index_store
from leads.store import leads as lead_store
from leads.store import workflow as workflow_store
from leads.store.connection import Session

from .audit import audit_record

VALUE_FIELD_TYPES = frozenset({FieldType.CURRENCY, FieldType.DECIMAL, FieldType.INTEGER})
DATE_FIELD_TYPES = frozenset({FieldType.DATE, FieldType.DATETIME})
DEFAULT_PROBABILITY = {StageKind.WON: 100, StageKind.LOST: 0, StageKind.OPEN: 0}


def config_ensure() -> WorkItemConfig:
    """The config, created empty when the database has none yet."""
    workflow_store.insert_config_if_missing(WorkItemConfig())
    config = workflow_store.get_config()
    if config is None:
        raise ConfigNotFound()
    return config


def _check_variables(old: list[FieldDefinition], new: list[FieldDefinition], locked: bool) -> None:
    keys = [definition.field_key for definition in new]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValidationFailed.on("variables", f"duplicate field_key: {', '.join(duplicates)}")
    if not locked:
        return
    new_by_key = {definition.field_key: definition for definition in new}
    removed = [d.field_key for d in old if d.field_key not in new_by_key]
    if removed:
        raise ConfigLocked(
            f"The workflow is locked: fields can be added but not removed ({', '.join(removed)}).",
            fields={"variables": [f"cannot remove {key}" for key in removed]},
        )
    retyped = [d.field_key for d in old if new_by_key[d.field_key].field_type != d.field_type]
    if retyped:
        raise ConfigLocked(
            f"The workflow is locked: a field's type cannot change ({', '.join(retyped)}).",
            fields={"variables": [f"cannot change the type of {key}" for key in retyped]},
        )


def config_update(
    *,
    changes: ConfigUpdate,
    expected_version: int | None,
    actor: User | None = None,
    origin: Origin | None = None,
) -> WorkItemConfig:
    """Change the workflow config, audited as `config.updated` (by `actor` from `origin`; none
    for a command). Raises ConfigNotFound, ConfigLocked, ValidationFailed, VersionConflict."""
    config, stages = workflow_store.get_config_and_stages()
    if config is None:
        raise ConfigNotFound()
    if expected_version is not None and expected_version != config.version:
        raise VersionConflict(details={"current_version": config.version})
    fields_set = changes.model_fields_set
    updated = config.model_copy(deep=True)
    if "workflow_name" in fields_set:
        updated.workflow_name = changes.workflow_name
    if "variables" in fields_set:
        _check_variables(config.variables, changes.variables, config.locked)
        updated.variables = changes.variables
    if "lost_reasons" in fields_set:
        values = [reason.value for reason in changes.lost_reasons]
        twice = sorted({value for value in values if values.count(value) > 1})
        if twice:
            raise ValidationFailed.on("lost_reasons", f"lists a value twice: {', '.join(twice)}")
        updated.lost_reasons = changes.lost_reasons
    if "locked" in fields_set:
        if config.locked and not changes.locked:
            raise ConfigLocked("A locked workflow stays locked.", fields={"locked": ["is final"]})
        updated.locked = changes.locked
    if "initial_stage" in fields_set:
        stage = next((stage for stage in stages if stage.uid == changes.initial_stage), None)
        if stage is None or stage.kind is not StageKind.OPEN:
            raise ValidationFailed.on("initial_stage", "must name an open stage")
        updated.initial_stage = stage.uid
    if "value_field" in fields_set:
        updated.value_field = changes.value_field
    if updated.value_field is not None:
        value_field = updated.field(updated.value_field)
        if value_field is None or value_field.field_type not in VALUE_FIELD_TYPES:
            raise ValidationFailed.on(
                "value_field", "must name a currency, decimal or integer field"
            )
    if "forecast_date_field" in fields_set:
        updated.forecast_date_field = changes.forecast_date_field
    if updated.forecast_date_field is not None:
        date_field = updated.field(updated.forecast_date_field)
        if date_field is None or date_field.field_type not in DATE_FIELD_TYPES:
            raise ValidationFailed.on("forecast_date_field", "must name a date or datetime field")
    keys = {definition.field_key for definition in updated.variables}
    # Stages that require a removed field stop requiring it, in the same transaction.
    stale = [stage for stage in stages if set(stage.required_fields) - keys]
    updated.version = config.version + 1
    updated.updated_at = utcnow()
    changed = field_changes(config, updated, sorted(fields_set - {"version"}))
    summary = (
        "Locked the workflow"
        if "locked" in changed and updated.locked
        else f"Changed the workflow config: {changed_names(changed)}"
    )
    event = audit_event(AuditAction.CONFIG_UPDATED, config.uid, summary, changed)

    def write(session: Session | None) -> None:
        if not workflow_store.replace_config(
            updated, expected_version=config.version, session=session
        ):
            raise VersionConflict()
        for stage in stale:
            trimmed = stage.model_copy(
                update={
                    "required_fields": [key for key in stage.required_fields if key in keys],
                    "version": stage.version + 1,
                    "updated_at": updated.updated_at,
                }
            )
            if not workflow_store.replace_stage(
                trimmed, expected_version=stage.version, session=session
            ):
                raise VersionConflict(f"Stage {stage.uid} changed meanwhile; try again.")
        if session is not None:
            audit_record(event, actor=actor, origin=origin, session=session)

    if stale:
        connection.in_transaction(write)
    else:
        write(None)
        audit_record(event, actor=actor, origin=origin)
    if updated.value_field != config.value_field:
        # The board sums the new field from an index of its own.
        index_store.follow_value_field(updated.value_field)
    return updated


def _templates(inputs: list[TaskTemplateInput]) -> list[TaskTemplate]:
    templates = []
    for position, item in enumerate(inputs):
        values = item.model_dump(exclude_none=True)
        values.setdefault("order", position)
        templates.append(TaskTemplate.model_validate(values))
    uids = [template.uid for template in templates]
    if len(set(uids)) != len(uids):
        raise ValidationFailed.on("task_templates", "task template uids must be unique")
    return templates


def _check_references(
    stage: WorkStage, stages: list[WorkStage], config: WorkItemConfig | None
) -> None:
    errors: dict[str, list[str]] = {}
    known = {other.uid for other in stages if other.uid != stage.uid}
    if stage.uid in stage.allowed_next_stages:
        errors["allowed_next_stages"] = ["a stage cannot lead to itself"]
    unknown = [uid for uid in stage.allowed_next_stages if uid not in known]
    if unknown:
        errors.setdefault("allowed_next_stages", []).append(
            f"unknown stage(s): {', '.join(unknown)}"
        )
    if len(set(stage.allowed_next_stages)) != len(stage.allowed_next_stages):
        errors.setdefault("allowed_next_stages", []).append("lists a stage twice")
    field_keys = {d.field_key for d in config.variables} if config else set()
    unknown_fields = [key for key in stage.required_fields if key not in field_keys]
    if unknown_fields:
        errors["required_fields"] = [f"unknown field(s): {', '.join(unknown_fields)}"]
    if len(set(stage.required_fields)) != len(stage.required_fields):
        errors.setdefault("required_fields", []).append("lists a field twice")
    if errors:
        raise ValidationFailed("The stage refers to things that do not exist.", fields=errors)


def _insertion(kind: StageKind, stages: list[WorkStage]) -> tuple[int, WorkStage | None]:
    """Where a stage placed by the service goes: an open one before the closed stages (after
    the last open stage, which then leads to it), a closed one last."""
    closed_at = next(
        (index for index, stage in enumerate(stages) if stage.kind is not StageKind.OPEN),
        len(stages),
    )
    if kind is not StageKind.OPEN or closed_at == len(stages):
        return len(stages), None
    previous = stages[closed_at - 1] if closed_at > 0 else None
    return closed_at, previous


def stage_create(
    *, data: StageCreate, actor: User | None = None, origin: Origin | None = None
) -> WorkStage:
    """Add a stage, audited as `stage.created`. Without an `order`, an open stage goes before
    the closed stages and is wired in: the stage before it may move to it, and it may move back
    there or close the lead. Raises ValidationFailed, DuplicateKey, VersionConflict."""
    config, stages = workflow_store.get_config_and_stages()
    slug = data.slug or slugify(data.name)
    position, previous = _insertion(data.kind, stages)
    placed = data.order is None
    allowed = data.allowed_next_stages
    if allowed is None:
        allowed = []
        if placed and data.kind is StageKind.OPEN:
            allowed = [s.uid for s in stages if s.kind is not StageKind.OPEN]
            allowed += [previous.uid] if previous is not None else []
    stage = WorkStage(
        uid=data.uid or f"stage-{slug}",
        name=data.name,
        slug=slug,
        color=data.color,
        order=data.order if data.order is not None else position,
        kind=data.kind,
        probability=(
            data.probability if data.probability is not None else DEFAULT_PROBABILITY[data.kind]
        ),
        description=data.description,
        allowed_next_stages=allowed,
        required_fields=data.required_fields,
        task_templates=_templates(data.task_templates),
        rot_after_days=data.rot_after_days,
    )
    _check_references(stage, stages, config)
    event = audit_event(
        AuditAction.STAGE_CREATED,
        stage.uid,
        f"Created the {stage.kind.value} stage '{stage.name}'",
        {"name": AuditChange(new=stage.name), "kind": AuditChange(new=stage.kind.value)},
    )
    if not placed:
        workflow_store.insert_stage(stage)
        audit_record(event, actor=actor, origin=origin)
        return stage

    def insert(session: Session) -> None:
        workflow_store.insert_stage(stage, session=session)
        order = [s.uid for s in stages]
        order.insert(position, stage.uid)
        workflow_store.set_stage_order(order, session=session)
        if previous is not None and stage.uid not in previous.allowed_next_stages:
            wired = previous.model_copy(
                update={
                    "allowed_next_stages": [*previous.allowed_next_stages, stage.uid],
                    # set_stage_order counted one version already
                    "version": previous.version + 2,
                    "order": order.index(previous.uid),
                }
            )
            if not workflow_store.replace_stage(
                wired, expected_version=previous.version + 1, session=session
            ):
                raise VersionConflict(f"Stage {previous.uid} changed meanwhile; try again.")
        audit_record(event, actor=actor, origin=origin, session=session)

    connection.in_transaction(insert)
    # Reordering counted a version of the new stage too: answer with what is stored.
    return workflow_store.get_stage(stage.uid) or stage


def stage_update(
    *,
    uid: str,
    changes: StageUpdate,
    expected_version: int | None,
    actor: User | None = None,
    origin: Origin | None = None,
) -> WorkStage:
    """Edit a stage and its task templates, audited as `stage.updated`. Raises StageNotFound,
    VersionConflict, ValidationFailed, DuplicateKey."""
    config, stages = workflow_store.get_config_and_stages()
    stage = next((stage for stage in stages if stage.uid == uid), None)
    if stage is None:
        raise StageNotFound(f"No stage {uid}.")
    if expected_version is not None and expected_version != stage.version:
        raise VersionConflict(details={"current_version": stage.version})
    values = sent(changes, exclude=frozenset({"version"}))
    if "task_templates" in values:
        values["task_templates"] = _templates(changes.task_templates)
    if (
        config is not None
        and config.initial_stage == uid
        and values.get("kind", StageKind.OPEN) is not StageKind.OPEN
    ):
        raise ValidationFailed.on("kind", "the initial stage must stay an open stage")
    updated = stage.model_copy(
        update={**values, "version": stage.version + 1, "updated_at": utcnow()}
    )
    updated = WorkStage.model_validate(updated.model_dump())
    _check_references(updated, stages, config)
    if not workflow_store.replace_stage(updated, expected_version=stage.version):
        raise VersionConflict()
    changed = field_changes(stage, updated, sorted(values))
    summary = f"Changed the stage '{updated.name}': {changed_names(changed)}"
    audit_record(
        audit_event(AuditAction.STAGE_UPDATED, uid, summary, changed), actor=actor, origin=origin
    )
    return updated


def stage_delete(
    *, uid: str, move_to: str | None, actor: User, origin: Origin | None = None
) -> int:
    """Delete a stage, moving its leads to `move_to` in the same transaction (and its audit
    entry, `stage.deleted`); returns how many moved. Raises StageNotFound, StageInUse,
    InitialStageInUse, ValidationFailed."""
    if move_to == uid:
        raise ValidationFailed.on("move_to", "must be another stage than the one deleted")

    def delete(session: Session) -> int:
        stage = workflow_store.get_stage(uid, session=session)
        if stage is None:
            raise StageNotFound(f"No stage {uid}.")
        config = workflow_store.get_config(session=session)
        if config is not None and config.initial_stage == uid:
            raise InitialStageInUse()
        target = None
        if move_to is not None:
            target = workflow_store.get_stage(move_to, session=session)
            if target is None:
                raise ValidationFailed.on("move_to", f"unknown stage {move_to}")
        count = lead_store.count_leads_in_stage(uid, session=session)
        moved = 0
        if count and target is None:
            raise StageInUse(
                f"{count} lead(s) are in this stage: give ?move_to=<stage uid> to move them.",
                details={"lead_count": count},
            )
        if count and target is not None:
            now = utcnow()
            status = STATUS_OF_KIND[target.kind]
            moved = lead_store.move_stage_leads(
                from_stage=uid,
                entry=StageEntry(
                    stage=target,
                    visit=entered_visit(target, actor=actor, now=now),
                    tasks=stage_tasks(target, actor=actor, now=now),
                    rank=rank_for_arrival(now),
                ),
                activity=stage_deleted_activity(stage, target, actor, now),
                status=status,
                closed_at=closed_at_for(status, now),
                stamp=WriteStamp(
                    kind=EventKind.LEAD_MOVED,
                    uid="",
                    at=now,
                    by=actor_of(actor),
                    from_stage=uid,
                    to_stage=target.uid,
                    fields=["current_stage", "status"],
                    previous={"current_stage": uid},
                ),
                session=session,
            )
        workflow_store.delete_stage(uid, session=session)
        workflow_store.remove_from_allowed_next(uid, session=session)
        summary = f"Deleted the stage '{stage.name}'"
        changed: dict[str, AuditChange] = {}
        if moved and target is not None:
            summary += f" and moved {moved} lead(s) to '{target.name}'"
            changed["leads"] = AuditChange(old=uid, new=target.uid)
        event = audit_event(AuditAction.STAGE_DELETED, uid, summary, changed)
        audit_record(event, actor=actor, origin=origin, session=session)
        return moved

    return connection.in_transaction(delete)


def stage_reorder(
    *, data: StageReorder, actor: User | None = None, origin: Origin | None = None
) -> list[WorkStage]:
    """Put the stages in the given order, all at once, audited as `stage.reordered` in the same
    transaction. Raises ValidationFailed."""

    def reorder(session: Session) -> list[WorkStage]:
        before = [stage.uid for stage in workflow_store.list_stages(session=session)]
        current = set(before)
        if len(data.order) != len(set(data.order)):
            raise ValidationFailed.on("order", "lists a stage twice")
        if set(data.order) != current:
            missing = sorted(current - set(data.order))
            unknown = sorted(set(data.order) - current)
            problems = []
            if missing:
                problems.append(f"missing: {', '.join(missing)}")
            if unknown:
                problems.append(f"unknown: {', '.join(unknown)}")
            raise ValidationFailed.on(
                "order", "must list every stage exactly once (" + "; ".join(problems) + ")"
            )
        workflow_store.set_stage_order(data.order, session=session)
        event = audit_event(
            AuditAction.STAGES_REORDERED,
            None,
            "Reordered the stages",
            {"order": AuditChange(old=before, new=list(data.order))},
        )
        audit_record(event, actor=actor, origin=origin, session=session)
        return workflow_store.list_stages(session=session)

    return connection.in_transaction(reorder)
