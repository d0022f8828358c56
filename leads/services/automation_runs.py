"""The automation executor, run in the worker beside the webhook dispatcher.

It follows the `events` collection by seq from its stored position (one worker at a time: a
lease) and runs each active rule that answers an event (domain/automation.py `answers`), saving
its position after each batch. A run is keyed by (rule, event seq): a replay after a crash
finds the run it started and goes on from the first action not recorded as done. An action is
recorded after it is applied; one applied just before a crash is recognised on the lead (its
activity carries the run and action, an added task has a uid derived from them, a webhook
delivery an id derived from them), so a replay never applies it twice.

Actions go through the same decisions and the one write loop as a person's change
(services/lead_writes.py), as the rule (`rule:<uid>`). An action that fails (a field deleted, a
user deactivated, a webhook gone, a conflict that persists, a value no longer valid) fails the
run, is recorded on the rule's stats, and is not retried; the rule's next actions are skipped.
A database that cannot be reached is not a failure: the batch is handled again.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from dataclasses import replace
from datetime import datetime, timedelta

from pydantic import ValidationError
from pymongo.errors import PyMongoError

from leads.domain.automation import (
    Action,
    ActionStatus,
    AddTagAction,
    AddTaskAction,
    AssignAction,
    Rule,
    RuleActor,
    RuleError,
    Run,
    RunAction,
    RunStatus,
    SendWebhookAction,
    SetFieldAction,
    answers,
    rule_actor,
    run_id,
    run_round,
    task_uid_of,
)
from leads.domain.changes import LeadChange, task_added_activity
from leads.domain.errors import DomainError, LeadNotFound
from leads.domain.events import Event, EventKind
from leads.domain.inputs import LeadUpdate
from leads.domain.models import FieldChangeEntry, TaskInstance, utcnow
from leads.domain.webhooks import delivery_of
from leads.selectors.webhooks import retry_window
from leads.store import automation as automation_store
from leads.store import events as event_store
from leads.store import webhooks as webhook_store
from leads.store.connection import is_database_unavailable

from .lead_writes import Decide, Loaded, lead_write
from .leads import assign_decision, edit_decision
from .webhook_delivery import guarded

logger = logging.getLogger(__name__)

BATCH = 200
POLL_SECONDS = 0.25
_LEAD_EVENTS = (EventKind.LEAD_CREATED, EventKind.LEAD_MOVED, EventKind.LEAD_UPDATED)
_RULE_DELIVERIES = uuid.UUID("3d5b8f0e-1a6c-4b9e-8f27-6c0d9e4a1b53")


def lease_seconds() -> float:
    return float(os.environ.get("LEADCRM_AUTOMATION_LEASE_SECONDS", "30"))


class ActionFailed(Exception):
    """An action that cannot be applied (its target is gone)."""


# --- one run ---------------------------------------------------------------------------------


def _marked(decide: Decide, actor: RuleActor, run: str, index: int, seen: list[bool]) -> Decide:
    """`decide`, unless the lead shows this action applied already (a replay after a crash):
    the activity each rule write logs carries its run and action."""

    def wrapped(loaded: Loaded) -> LeadChange | None:
        if any(
            activity.details.get("rule_run") == run and activity.details.get("rule_action") == index
            for activity in loaded.lead.activities
        ):
            seen.append(True)
            return None
        change = decide(loaded)
        if change is None:
            return None
        marks = {"rule_run": run, "rule_action": index}
        name = actor.display_name
        return replace(
            change,
            activities=[
                activity.model_copy(
                    update={"details": {**activity.details, **marks}, "actor_name": name}
                )
                for activity in change.activities
            ],
            history=[
                entry.model_copy(update={"by_name": name})
                if isinstance(entry, FieldChangeEntry)
                else entry
                for entry in change.history
            ],
        )

    return wrapped


def _write(lead: str, actor: RuleActor, decide: Decide, run: str, index: int) -> str | None:
    """Apply one action to the lead; a note when nothing changed (why)."""
    seen: list[bool] = []
    written = lead_write(
        uid=lead,
        actor=actor,
        expected_version=None,
        decide=_marked(decide, actor, run, index, seen),
    )
    if seen:
        return "applied before the worker restarted"
    return None if written.changed else "nothing to change"


def _assign(rule: Rule, action: AssignAction, index: int, state: RunAction, run: Run) -> str:
    """The user this run assigns: one given, or the next in turn (recorded on the run before it
    is applied, so a replay picks the same)."""
    if len(action.users) == 1:
        return action.users[0]
    if state.chosen is not None:
        return state.chosen
    turn = automation_store.take_turn(rule.uid) or 0
    chosen = action.users[turn % len(action.users)]
    automation_store.save_run_action(run.id, index, state.model_copy(update={"chosen": chosen}))
    return chosen


def _add_task(action: AddTaskAction, actor: RuleActor, task_uid: str) -> Decide:
    def decide(loaded: Loaded) -> LeadChange | None:
        if any(task.uid == task_uid for task in loaded.lead.tasks):
            return None
        now = utcnow()
        task = TaskInstance(
            uid=task_uid,
            stage=loaded.lead.current_stage,
            title=action.title,
            required=action.required,
            skippable=not action.required,
            due_at=None if action.due_in_days is None else now + timedelta(days=action.due_in_days),
            created_at=now,
            created_by=actor.uid,
        )
        return LeadChange(
            at=now,
            set_fields={"updated_at": now},
            tasks=[task],
            activities=[task_added_activity(task, actor, now)],
        )

    return decide


def _add_tag(action: AddTagAction, actor: RuleActor) -> Decide:
    def decide(loaded: Loaded) -> LeadChange | None:
        if action.tag in loaded.lead.tags:
            return None
        changes = LeadUpdate.model_validate({"tags": [*loaded.lead.tags, action.tag]})
        return edit_decision(changes, actor)(loaded)

    return decide


def _send(rule: Rule, action: SendWebhookAction, event: Event) -> str | None:
    webhook = webhook_store.get_webhook(action.webhook)
    if webhook is None:
        raise ActionFailed("the webhook was deleted")
    if not webhook.active:
        raise ActionFailed("the webhook is switched off")
    delivery = delivery_of(webhook, event, now=utcnow(), window=retry_window())
    delivery_id = str(uuid.uuid5(_RULE_DELIVERIES, f"{rule.uid}:{event.seq}:{webhook.uid}"))
    if not webhook_store.insert_deliveries([delivery.model_copy(update={"id": delivery_id})]):
        return "queued before the worker restarted"
    return None


def _apply(
    rule: Rule, action: Action, index: int, state: RunAction, run: Run, event: Event
) -> str | None:
    """Apply one action; a note, or ActionFailed / a domain error / ValidationError."""
    actor = rule_actor(rule, rule_round=run.round)
    if isinstance(action, AssignAction):
        chosen = _assign(rule, action, index, state, run)
        state.chosen = chosen
        decide = assign_decision(user_ids=[chosen], mode="replace", actor=actor)
        note = _write(run.lead, actor, decide, run.id, index)
        return f"assigned {chosen}" + (f" ({note})" if note else "")
    if isinstance(action, AddTaskAction):
        decide = _add_task(action, actor, task_uid_of(run.id, index))
        return _write(run.lead, actor, decide, run.id, index)
    if isinstance(action, SetFieldAction):
        changes = LeadUpdate.model_validate({"data": {action.field: action.value}})
        return _write(run.lead, actor, edit_decision(changes, actor), run.id, index)
    if isinstance(action, AddTagAction):
        return _write(run.lead, actor, _add_tag(action, actor), run.id, index)
    return _send(rule, action, event)


def _failure(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return f"not valid: {problems}"[:500]
    if isinstance(exc, DomainError) and exc.fields:
        named = "; ".join(f"{name}: {', '.join(msgs)}" for name, msgs in exc.fields.items())
        return named[:500]
    return str(exc)[:500] or type(exc).__name__


def run_rule(rule: Rule, event: Event, *, in_round: int) -> Run:
    """Run `rule` for `event` once: a run stored before (a replay) is finished, not repeated.
    Raises PyMongoError when the database cannot be reached (the event is handled again)."""
    run = automation_store.start_run(
        Run(
            id=run_id(rule.uid, event.seq),
            at=utcnow(),
            rule=rule.uid,
            lead=event.uid,
            event_seq=event.seq,
            round=in_round,
            actions=[RunAction(kind=action.kind) for action in rule.actions],
        )
    )
    if run.status is not RunStatus.RUNNING:
        return run
    error: str | None = None
    status = RunStatus.OK
    for index, action in enumerate(rule.actions[: len(run.actions)]):
        state = run.actions[index]
        if state.status is ActionStatus.FAILED:
            error, status = state.message, RunStatus.FAILED
        elif state.status is ActionStatus.SKIPPED and status is RunStatus.OK:
            error, status = state.message, RunStatus.SKIPPED  # the lead was deleted
        if state.status is not ActionStatus.PENDING:
            continue
        if status is not RunStatus.OK:
            done = state.model_copy(
                update={"status": ActionStatus.SKIPPED, "message": "an earlier action failed"}
                if status is RunStatus.FAILED
                else {"status": ActionStatus.SKIPPED, "message": error}
            )
        else:
            try:
                note = _apply(rule, action, index, state, run, event)
                done = state.model_copy(update={"status": ActionStatus.OK, "message": note})
            except LeadNotFound:
                error, status = "the lead was deleted", RunStatus.SKIPPED
                done = state.model_copy(update={"status": ActionStatus.SKIPPED, "message": error})
            except Exception as exc:
                if isinstance(exc, PyMongoError) and is_database_unavailable(exc):
                    raise
                if not isinstance(exc, ActionFailed | DomainError | ValidationError):
                    logger.exception("automation rule %s, action %s", rule.uid, index)
                error = f"action {index + 1} ({action.kind}): {_failure(exc)}"
                status = RunStatus.FAILED
                done = state.model_copy(update={"status": ActionStatus.FAILED, "message": error})
        automation_store.save_run_action(run.id, index, done)
        run.actions[index] = done
    now = utcnow()
    automation_store.finish_run(run.id, status=status, error=error, at=now)
    failure = (
        RuleError(at=now, lead=run.lead, message=error or "failed")
        if status is RunStatus.FAILED
        else None
    )
    automation_store.record_run(rule.uid, at=now, error=failure)
    return run.model_copy(update={"status": status, "error": error, "finished_at": now})


def handle_events(events: list[Event], rules: list[Rule]) -> int:
    """Run the rules that answer each event, in event order; how many runs."""
    count = 0
    for event in events:
        if event.kind not in _LEAD_EVENTS:
            continue
        in_round = run_round(event.by)
        if in_round is None:
            continue  # a change made in the last round triggers nothing: the loop is cut
        for rule in rules:
            # A rule hears what happens after it exists (like a webhook).
            if event.at >= rule.created_at and answers(rule, event):
                run_rule(rule, event, in_round=in_round)
                count += 1
    return count


# --- the executor ----------------------------------------------------------------------------


class _Executor:
    def __init__(self, owner: str, stop: threading.Event) -> None:
        self.owner, self.stop = owner, stop
        self.lease = lease_seconds()

    def _until(self) -> datetime:
        return utcnow() + timedelta(seconds=self.lease)

    def claim(self) -> bool:
        return automation_store.claim_executor(
            owner=self.owner, now=utcnow(), lease_until=self._until()
        )

    def follow(self) -> None:
        """Handle events while this worker holds the lease."""
        position = automation_store.executor_position()
        if position is None:
            # The first executor starts at the newest event: rules act on what happens next.
            position = event_store.last_seq()
            if not automation_store.save_executor_position(
                owner=self.owner, seq=position, lease_until=self._until()
            ):
                return
        renewed = time.monotonic()
        while not self.stop.is_set():
            events = event_store.events_after(position, BATCH)
            if events:
                rules = [rule for rule in automation_store.list_rules() if rule.active]
                if rules:
                    handle_events(events, rules)
                position = events[-1].seq
            elif time.monotonic() - renewed < self.lease / 3:
                self.stop.wait(POLL_SECONDS)
                continue
            if not automation_store.save_executor_position(
                owner=self.owner, seq=position, lease_until=self._until()
            ):
                return
            renewed = time.monotonic()


def run_automation(*, stop: threading.Event, owner: str) -> None:
    """Be the automation executor whenever no other worker is, until `stop` is set."""
    executor = _Executor(owner, stop)

    def step() -> None:
        if executor.claim():
            executor.follow()

    try:
        guarded("automation", stop, executor.lease / 3, step)
    finally:
        try:
            automation_store.release_executor(owner=owner)
        except PyMongoError:
            logger.warning("automation: could not hand its lease back")
