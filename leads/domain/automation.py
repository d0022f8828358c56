"""Automation rules (issue 13, /work/briefs/RULES.md): when a lead is created, enters a stage or
has a task completed, run a few actions on it as the rule.

Pure: the rule and run documents, what a client may send, which events a rule answers (and the
loop cut), and the sentence a rule reads as. The executor is services/automation_runs.py.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt, StringConstraints, field_validator

from .events import Event, EventActor, EventKind
from .inputs import Input, Tag, Version, absent
from .models import Document, User, new_uid, utcnow

MAX_RULES = 200
RUN_RETENTION = timedelta(days=30)
# An actor uid `rule:<uid>` says a rule made the write (history, activities, event stamps).
RULE_ACTOR_PREFIX = "rule:"
# Rules triggered by a person's change run in round 1; rules triggered by a round-1 rule's
# change run in round 2; a round-2 rule's change triggers nothing.
LAST_ROUND = 2
_RUN_IDS = uuid.UUID("0b6f2a8e-7c51-4d7e-9a3b-5e2f61c4d9a7")

RuleName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Ref = Annotated[str, StringConstraints(min_length=1, max_length=200)]
TaskTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


# --- triggers ------------------------------------------------------------------------------


class LeadCreatedTrigger(Input):
    kind: Literal["lead_created"]


class StageEnteredTrigger(Input):
    """A lead moved into `stage`, or created in it (creation enters the first stage)."""

    kind: Literal["stage_entered"]
    stage: Ref


class TaskCompletedTrigger(Input):
    kind: Literal["task_completed"]
    stage: Ref | None = Field(None, description="the stage the task belongs to; null: any")
    title: TaskTitle | None = Field(None, description="the task's title (any case); null: any")


Trigger = Annotated[
    LeadCreatedTrigger | StageEnteredTrigger | TaskCompletedTrigger, Field(discriminator="kind")
]


# --- actions -------------------------------------------------------------------------------


class AssignAction(Input):
    """One user: assign them (replacing the assignees); more: each lead the next user in turn."""

    kind: Literal["assign"]
    users: Annotated[list[Ref], Field(min_length=1, max_length=20)]

    @field_validator("users")
    @classmethod
    def _unique(cls, users: list[str]) -> list[str]:
        if len(set(users)) != len(users):
            raise ValueError("names a user twice")
        return users


class AddTaskAction(Input):
    kind: Literal["add_task"]
    title: TaskTitle
    due_in_days: Annotated[StrictInt, Field(ge=0, le=365)] | None = None
    required: StrictBool = False


class SetFieldAction(Input):
    kind: Literal["set_field"]
    field: Ref
    value: Any = Field(description="validated like a PATCH of data.<field>")


class AddTagAction(Input):
    kind: Literal["add_tag"]
    tag: Tag


class SendWebhookAction(Input):
    """Send the event to the webhook, whatever event kinds it subscribes to."""

    kind: Literal["send_webhook"]
    webhook: Ref


Action = Annotated[
    AssignAction | AddTaskAction | SetFieldAction | AddTagAction | SendWebhookAction,
    Field(discriminator="kind"),
]
Actions = Annotated[list[Action], Field(min_length=1, max_length=10)]


class RuleCreate(Input):
    name: RuleName
    active: StrictBool = True
    trigger: Trigger
    actions: Actions


class RuleUpdate(Input):
    name: RuleName = absent()
    active: StrictBool = absent()
    trigger: Trigger = absent()
    actions: Actions = absent()
    version: Version = Field(description="the version read: a stale one is a 409")


# --- stored --------------------------------------------------------------------------------


class RuleError(BaseModel):
    at: datetime
    lead: str | None = None
    message: str


class RuleStats(BaseModel):
    runs: int = 0
    failures: int = 0
    last_run_at: datetime | None = None
    last_error: RuleError | None = None


class Rule(Document):
    uid: str = Field(default_factory=lambda: new_uid("rule"))
    name: str
    active: bool = True
    trigger: Trigger
    actions: list[Action]
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    created_by: str | None = None
    stats: RuleStats = Field(default_factory=RuleStats)
    # How many leads its round-robin assignments have handed out (advanced atomically).
    turns: int = 0


class RunStatus(StrEnum):
    RUNNING = "running"  # started; a replay after a crash finishes it
    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"  # nothing to act on (the lead was deleted meanwhile)


class ActionStatus(StrEnum):
    PENDING = "pending"
    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"


class RunAction(BaseModel):
    kind: str
    status: ActionStatus = ActionStatus.PENDING
    message: str | None = None
    # A round-robin assignment's pick, recorded before it is applied: a replay picks the same.
    chosen: str | None = None


class Run(Document):
    id: str
    at: datetime
    rule: str
    lead: str
    event_seq: int
    round: int
    status: RunStatus = RunStatus.RUNNING
    actions: list[RunAction]
    error: str | None = None
    finished_at: datetime | None = None


def run_id(rule_uid: str, seq: int) -> str:
    """The run of `rule` for the event `seq`: the same on a replay."""
    return f"{rule_uid}:{seq}"


def task_uid_of(run: str, index: int) -> str:
    """The uid of the task an add_task action adds: a replay finds it instead of adding it twice."""
    return f"task-{uuid.uuid5(_RUN_IDS, f'{run}:{index}').hex[:12]}"


# --- who did it ----------------------------------------------------------------------------


class RuleActor(User):
    """A rule acting on a lead: history and activities name `rule:<uid>`, events carry the
    round (see rule_round)."""

    rule_round: int = 1


def rule_actor(rule: Rule, *, rule_round: int) -> RuleActor:
    return RuleActor(
        uid=f"{RULE_ACTOR_PREFIX}{rule.uid}",
        username=f"{RULE_ACTOR_PREFIX}{rule.uid}",
        display_name=rule.name,
        rule_round=rule_round,
    )


def rule_uid_of(actor_uid: str | None) -> str | None:
    """The rule an actor uid names, or None for a person (or nobody)."""
    if actor_uid and actor_uid.startswith(RULE_ACTOR_PREFIX):
        return actor_uid.removeprefix(RULE_ACTOR_PREFIX)
    return None


def run_round(by: EventActor | None) -> int | None:
    """The round a rule run triggered by a change of `by` would be in; None when it must not run
    (the change was made by a rule that ran in the last round)."""
    if by is None or rule_uid_of(by.uid) is None:
        return 1
    caused_in = by.round or 1
    return None if caused_in >= LAST_ROUND else caused_in + 1


# --- matching ------------------------------------------------------------------------------


def _same_title(wanted: str, title: str) -> bool:
    return wanted.strip().casefold() == title.strip().casefold()


def answers(rule: Rule, event: Event) -> bool:
    """Whether an active `rule` runs for `event`; never for a change it made itself."""
    if not rule.active or rule_uid_of(event.by.uid if event.by else None) == rule.uid:
        return False
    trigger = rule.trigger
    if isinstance(trigger, LeadCreatedTrigger):
        return event.kind is EventKind.LEAD_CREATED
    if isinstance(trigger, StageEnteredTrigger):
        return (
            event.kind in (EventKind.LEAD_CREATED, EventKind.LEAD_MOVED)
            and event.to_stage == trigger.stage
        )
    if event.kind is not EventKind.LEAD_UPDATED and event.kind is not EventKind.LEAD_MOVED:
        return False
    return any(
        (trigger.stage is None or task.stage == trigger.stage)
        and (trigger.title is None or _same_title(trigger.title, task.title))
        for task in event.completed_tasks
    )


# --- the sentence --------------------------------------------------------------------------


class Names(BaseModel):
    """What a sentence names things by: stage, user and webhook uids, field keys."""

    stages: dict[str, str] = Field(default_factory=dict)
    users: dict[str, str] = Field(default_factory=dict)
    fields: dict[str, str] = Field(default_factory=dict)
    webhooks: dict[str, str] = Field(default_factory=dict)


def _listed(items: list[str], word: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def _quoted(text: str) -> str:
    return f"\u201c{text}\u201d"


def _value_text(value: Any) -> str:
    if value is None:
        return "nothing (cleared)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return _listed([_value_text(item) for item in value]) or "nothing (cleared)"
    return _quoted(str(value))


def _when(trigger: Trigger, names: Names) -> str:
    def stage(uid: str) -> str:
        return names.stages.get(uid, "(deleted stage)")

    if isinstance(trigger, LeadCreatedTrigger):
        return "When a lead is created"
    if isinstance(trigger, StageEnteredTrigger):
        return f"When a lead enters {stage(trigger.stage)}"
    task = f"the task {_quoted(trigger.title)}" if trigger.title else "a task"
    if trigger.stage is not None:
        task += f" of {stage(trigger.stage)}"
    elif trigger.title is None:
        task = "any task"
    return f"When {task} is completed"


def _does(action: Action, names: Names) -> str:
    if isinstance(action, AssignAction):
        people = [names.users.get(uid, "(deleted user)") for uid in action.users]
        if len(people) == 1:
            return f"assign {people[0]}"
        return f"assign {_listed(people, 'or')} in turn"
    if isinstance(action, AddTaskAction):
        text = f"add the {'required ' if action.required else ''}task {_quoted(action.title)}"
        if action.due_in_days == 0:
            text += " due the same day"
        elif action.due_in_days is not None:
            days = action.due_in_days
            text += f" due in {days} day{'s' if days != 1 else ''}"
        return text
    if isinstance(action, SetFieldAction):
        label = names.fields.get(action.field, "(deleted field)")
        return f"set {label} to {_value_text(action.value)}"
    if isinstance(action, AddTagAction):
        return f"add the tag {_quoted(action.tag)}"
    return f"send it to the webhook {names.webhooks.get(action.webhook, '(deleted webhook)')}"


def sentence(rule: Rule, names: Names) -> str:
    """e.g. 'When a lead enters Qualified, assign Sam and add the task “Send proposal”.'"""
    actions = _listed([_does(action, names) for action in rule.actions])
    return f"{_when(rule.trigger, names)}, {actions}."


def references(rule_trigger: Trigger | None, actions: list[Action] | None) -> dict[str, set[str]]:
    """The stage, user, field and webhook ids a rule names (what its sentence looks up)."""
    found: dict[str, set[str]] = {
        "stages": set(),
        "users": set(),
        "fields": set(),
        "webhooks": set(),
    }
    stage = getattr(rule_trigger, "stage", None)
    if stage:
        found["stages"].add(stage)
    for action in actions or []:
        if isinstance(action, AssignAction):
            found["users"].update(action.users)
        elif isinstance(action, SetFieldAction):
            found["fields"].add(action.field)
        elif isinstance(action, SendWebhookAction):
            found["webhooks"].add(action.webhook)
    return found
