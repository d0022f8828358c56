"""Reading automation rules (admins), the names their sentences use, and their runs."""

from __future__ import annotations

from leads.domain.automation import Names, Rule, Run, references
from leads.domain.errors import RuleNotFound
from leads.store import automation as automation_store
from leads.store import users as user_store
from leads.store import webhooks as webhook_store
from leads.store import workflow as workflow_store


def rule_list() -> list[Rule]:
    """Every rule, newest first."""
    return automation_store.list_rules()


def rule_get(*, uid: str) -> Rule:
    """Raises RuleNotFound."""
    rule = automation_store.get_rule(uid)
    if rule is None:
        raise RuleNotFound(f"No automation rule {uid}.")
    return rule


def rule_names(rules: list[Rule]) -> Names:
    """The current names of what `rules` refer to (stages, users and their authors, fields,
    webhooks): a round trip for the workflow, and one each for users and webhooks when named."""
    wanted: dict[str, set[str]] = {"users": set(), "webhooks": set()}
    for rule in rules:
        found = references(rule.trigger, rule.actions)
        wanted["users"] |= found["users"]
        wanted["webhooks"] |= found["webhooks"]
        if rule.created_by:
            wanted["users"].add(rule.created_by)
    config, stages = workflow_store.get_config_and_stages()
    users = user_store.get_users(sorted(wanted["users"])) if wanted["users"] else []
    hooks = webhook_store.list_webhooks() if wanted["webhooks"] else []
    return Names(
        stages={stage.uid: stage.name for stage in stages},
        users={user.uid: user.display_name or user.username for user in users},
        fields={d.field_key: d.label for d in config.variables} if config else {},
        webhooks={hook.uid: hook.description or hook.url for hook in hooks},
    )


def run_list(*, uid: str, limit: int) -> list[Run]:
    """A rule's runs, newest first. Raises RuleNotFound."""
    rule_get(uid=uid)
    return automation_store.list_runs(uid, limit=limit)
