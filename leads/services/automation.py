"""Automation rules (admins): create, change, delete, each checked against the workflow, the
users and the webhooks it names, and audited. The executor is services/automation_runs.py."""

from __future__ import annotations

from typing import Any

from leads.domain.audit import AuditAction, AuditChange, Origin, audit_event
from leads.domain.automation import (
    MAX_RULES,
    Action,
    AssignAction,
    Rule,
    RuleCreate,
    RuleUpdate,
    SendWebhookAction,
    SetFieldAction,
    Trigger,
)
from leads.domain.errors import TooManyRules, ValidationFailed, VersionConflict
from leads.domain.fields import FieldValueError, validate_field_value
from leads.domain.inputs import sent
from leads.domain.models import User, utcnow
from leads.selectors.automation import rule_get
from leads.store import automation as automation_store
from leads.store import users as user_store
from leads.store import webhooks as webhook_store
from leads.store import workflow as workflow_store

from .audit import audit_record


def check_rule(trigger: Trigger | None, actions: list[Action] | None) -> None:
    """Every stage, user, field key and webhook the rule names exists (users active), and each
    set_field value fits its field. Raises ValidationFailed naming each bad path
    (`trigger.stage`, `actions.0.users.1`, `actions.2.value`)."""
    errors: dict[str, list[str]] = {}
    config, stages = workflow_store.get_config_and_stages()
    stage_uids = {stage.uid for stage in stages}
    stage = getattr(trigger, "stage", None)
    if stage is not None and stage not in stage_uids:
        errors["trigger.stage"] = [f"there is no stage {stage}"]
    actions = actions or []
    named_users = sorted({uid for a in actions if isinstance(a, AssignAction) for uid in a.users})
    active = (
        {u.uid for u in user_store.get_users(named_users) if u.is_active} if named_users else set()
    )
    hooks = (
        {hook.uid for hook in webhook_store.list_webhooks()}
        if any(isinstance(a, SendWebhookAction) for a in actions)
        else set()
    )
    definitions = {d.field_key: d for d in config.variables} if config else {}
    for index, action in enumerate(actions):
        path = f"actions.{index}"
        if isinstance(action, AssignAction):
            for position, uid in enumerate(action.users):
                if uid not in active:
                    errors[f"{path}.users.{position}"] = [f"no active user {uid}"]
        elif isinstance(action, SetFieldAction):
            definition = definitions.get(action.field)
            if definition is None:
                errors[f"{path}.field"] = [f"{action.field} is not a field of this workflow"]
                continue
            try:
                validate_field_value(definition, action.value)
            except FieldValueError as exc:
                errors[f"{path}.value"] = [str(exc)]
        elif isinstance(action, SendWebhookAction) and action.webhook not in hooks:
            errors[f"{path}.webhook"] = [f"there is no webhook {action.webhook}"]
    if errors:
        named = ", ".join(errors)
        raise ValidationFailed(
            f"The rule names what does not exist or fit: {named}.", fields=errors
        )


def _plain_actions(actions: list[Action]) -> list[dict[str, Any]]:
    return [action.model_dump(mode="json") for action in actions]


def rule_create(*, data: RuleCreate, actor: User, origin: Origin | None = None) -> Rule:
    """Raises ValidationFailed, TooManyRules."""
    if automation_store.count_rules() >= MAX_RULES:
        raise TooManyRules()
    check_rule(data.trigger, data.actions)
    rule = Rule(
        name=data.name,
        active=data.active,
        trigger=data.trigger,
        actions=data.actions,
        created_by=actor.uid,
    )
    automation_store.insert_rule(rule)
    event = audit_event(
        AuditAction.RULE_CREATED,
        rule.uid,
        f"Created the automation rule '{rule.name}'",
        {
            "name": AuditChange(new=rule.name),
            "trigger": AuditChange(new=rule.trigger.model_dump(mode="json")),
            "actions": AuditChange(new=_plain_actions(rule.actions)),
        },
    )
    audit_record(event, actor=actor, origin=origin)
    return rule


def rule_update(
    *, uid: str, changes: RuleUpdate, actor: User, origin: Origin | None = None
) -> Rule:
    """Raises RuleNotFound, VersionConflict (a stale `version`), ValidationFailed."""
    rule = rule_get(uid=uid)
    if changes.version != rule.version:
        raise VersionConflict(details={"current_version": rule.version})
    fields = sent(changes, exclude=frozenset({"version"}))
    if not fields:
        return rule
    check_rule(changes.trigger if "trigger" in fields else None, fields.get("actions"))
    stored = {
        name: value.model_dump(mode="python") if name == "trigger" else value
        for name, value in fields.items()
    }
    if "actions" in stored:
        stored["actions"] = [action.model_dump(mode="python") for action in changes.actions]
    updated = automation_store.update_rule(
        uid, expected_version=rule.version, changes={**stored, "updated_at": utcnow()}
    )
    if updated is None:
        raise VersionConflict("The rule changed meanwhile; reload it and try again.")
    audit_changes = {
        name: AuditChange(old=_audited(getattr(rule, name)), new=_audited(getattr(updated, name)))
        for name in fields
        if getattr(rule, name) != getattr(updated, name)
    }
    if audit_changes:
        summary = f"Changed the automation rule '{updated.name}': {', '.join(audit_changes)}"
        event = audit_event(AuditAction.RULE_UPDATED, uid, summary, audit_changes)
        audit_record(event, actor=actor, origin=origin)
    return updated


def _audited(value: Any) -> Any:
    if isinstance(value, list):
        return [item.model_dump(mode="json") for item in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return value


def rule_delete(
    *, uid: str, expected_version: int | None, actor: User, origin: Origin | None = None
) -> None:
    """Its runs stay until they expire. Raises RuleNotFound, VersionConflict."""
    rule = rule_get(uid=uid)
    if expected_version is not None and expected_version != rule.version:
        raise VersionConflict(details={"current_version": rule.version})
    if not automation_store.delete_rule(uid, expected_version=rule.version):
        raise VersionConflict("The rule changed meanwhile; reload it and try again.")
    event = audit_event(AuditAction.RULE_DELETED, uid, f"Deleted the automation rule '{rule.name}'")
    audit_record(event, actor=actor, origin=origin)
