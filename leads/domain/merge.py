"""Folding one lead into another: which values the kept lead ends with, and its combined tasks,
activities and history. Pure: the merge service reads both leads and writes what this decides."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from .changes import LeadChange, logged, value_changes
from .enums import ActivityType, WorkItemStatus
from .errors import ValidationFailed
from .fields import is_blank
from .models import (
    Activity,
    Document,
    FieldChange,
    FieldChangeEntry,
    HistoryEntry,
    StageVisit,
    TaskInstance,
    User,
    WorkItem,
)

Side = Literal["this", "other"]
# How many possible duplicates a create answers with, and the duplicates endpoint lists.
DUPLICATES_SHOWN = 5


class LeadMatch(Document):
    """A lead that may be the same person as another: what a duplicate warning shows of it."""

    uid: str
    name: str
    email: str | None = None
    phone: str | None = None
    company: str | None = None
    current_stage: str
    status: WorkItemStatus = WorkItemStatus.OPEN
    created_at: datetime
    email_key: str | None = None
    phone_key: str | None = None

    def matched_on(self, *, email_key: str | None, phone_key: str | None) -> list[str]:
        """Which of the given keys this lead shares: `email`, `phone`, or both."""
        matched = []
        if email_key is not None and self.email_key == email_key:
            matched.append("email")
        if phone_key is not None and self.phone_key == phone_key:
            matched.append("phone")
        return matched


MATCH_FIELDS = tuple(LeadMatch.model_fields)
# The fields a merge may take from either lead; `data.<key>` names a custom field.
MERGE_CORE_FIELDS = ("name", "email", "phone", "company", "source")


def check_choices(choices: Mapping[str, Side], kept: WorkItem, other: WorkItem) -> None:
    """Every chosen field is one either lead could give. Raises ValidationFailed naming each."""
    errors: dict[str, list[str]] = {}
    keys = set(kept.data) | set(other.data)
    for name in choices:
        if name in MERGE_CORE_FIELDS:
            continue
        if name.startswith("data.") and name.removeprefix("data.") in keys:
            continue
        errors[f"fields.{name}"] = [
            "is not a field either lead has a value for: choose among "
            f"{', '.join(MERGE_CORE_FIELDS)} or data.<key>"
        ]
    if errors:
        raise ValidationFailed("Some merge choices are not valid.", fields=errors)


def _same_value(name: str, kept: WorkItem, other: WorkItem) -> bool:
    """Whether both leads hold the same value of `name`: an email or a phone compared by its
    key, as duplicates are found (`Ann@X.com` is `ann@x.com`), anything else as stored."""
    if name == "email":
        return kept.email_key == other.email_key
    if name == "phone":
        return kept.phone_key == other.phone_key
    if name.startswith("data."):
        key = name.removeprefix("data.")
        return bool(kept.data.get(key) == other.data.get(key))
    return bool(getattr(kept, name) == getattr(other, name))


def _value_of(name: str, lead: WorkItem) -> Any:
    if name.startswith("data."):
        return lead.data.get(name.removeprefix("data."))
    return getattr(lead, name)


def merge_conflicts(kept: WorkItem, other: WorkItem) -> list[str]:
    """The fields whose value the user chooses: both leads hold one and they differ (core
    fields first, then custom fields by key). Anything else merges without asking."""
    keys = sorted(set(kept.data) | set(other.data))
    names = [*MERGE_CORE_FIELDS, *(f"data.{key}" for key in keys)]
    return [
        name
        for name in names
        if not is_blank(_value_of(name, kept))
        and not is_blank(_value_of(name, other))
        and not _same_value(name, kept, other)
    ]


def _pick(name: str, mine: Any, theirs: Any, choices: Mapping[str, Side]) -> Any:
    """The kept value: the one chosen, else this lead's unless it is empty."""
    choice = choices.get(name)
    if choice == "other":
        return theirs
    if choice == "this":
        return mine
    return theirs if is_blank(mine) and not is_blank(theirs) else mine


def _union(first: list[str], second: list[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


def _history_moment(entry: HistoryEntry) -> datetime:
    return entry.entered_at if isinstance(entry, StageVisit) else entry.at


def _closed_visits(history: list[HistoryEntry], now: datetime, actor: User) -> list[HistoryEntry]:
    """The other lead's history with its open stage visit ended now: it leaves its stage as it
    is merged, and the kept lead keeps one open visit, its own."""
    closed: list[HistoryEntry] = []
    for entry in history:
        if isinstance(entry, StageVisit) and entry.exited_at is None:
            entry = entry.model_copy(
                update={
                    "exited_at": now,
                    "exited_by": actor.uid,
                    "duration_seconds": max(0, int((now - entry.entered_at).total_seconds())),
                }
            )
        closed.append(entry)
    return closed


def _combined_tasks(kept: WorkItem, other: WorkItem) -> list[TaskInstance]:
    """Both leads' tasks in time order, a stage's task from one template once: the one done,
    else the kept lead's (both leads got "Call the lead" on entering New; the merged lead
    must not ask for it twice)."""
    by_template: dict[tuple[str | None, str], TaskInstance] = {}
    ad_hoc: list[TaskInstance] = []
    for task in [*kept.tasks, *other.tasks]:
        if task.template_uid is None:
            ad_hoc.append(task)
            continue
        key = (task.stage, task.template_uid)
        held = by_template.get(key)
        if held is None or (task.status.is_done and not held.status.is_done):
            by_template[key] = task
    return sorted([*by_template.values(), *ad_hoc], key=lambda task: task.created_at)


def combined_timeline(
    kept: WorkItem, other: WorkItem, now: datetime, actor: User
) -> tuple[list[TaskInstance], list[Activity], list[HistoryEntry]]:
    """THE combining of two leads' embedded lists, each in time order (stable: ties keep the
    kept lead's first)."""
    tasks = _combined_tasks(kept, other)
    activities = sorted(
        [*kept.activities, *other.activities], key=lambda activity: activity.created_at
    )
    history = sorted(
        [*kept.history, *_closed_visits(other.history, now, actor)], key=_history_moment
    )
    return tasks, activities, history


def merge_change(
    kept: WorkItem,
    other: WorkItem,
    *,
    choices: Mapping[str, Side],
    actor: User,
    now: datetime,
) -> LeadChange:
    """`other` folded into `kept`: fields kept non-empty (this lead's when both are set, unless
    chosen), custom fields likewise, tags and assignees united, tasks, activities and history
    combined in time order, the field changes in history and a merge activity naming `other`.
    The kept lead stays in its stage with its status. Raises ValidationFailed."""
    check_choices(choices, kept, other)
    before: dict[str, Any] = {name: getattr(kept, name) for name in MERGE_CORE_FIELDS}
    after = {
        name: _pick(name, before[name], getattr(other, name), choices) for name in MERGE_CORE_FIELDS
    }
    before["tags"], after["tags"] = kept.tags, _union(kept.tags, other.tags)
    before["assigned_to"] = kept.assigned_to
    after["assigned_to"] = _union(kept.assigned_to, other.assigned_to)
    data = {
        key: _pick(f"data.{key}", kept.data.get(key), other.data.get(key), choices)
        for key in [*kept.data, *(key for key in other.data if key not in kept.data)]
    }
    data = {key: value for key, value in data.items() if value is not None}
    changes = value_changes(before, after) + value_changes(kept.data, data, prefix="data.")
    tasks, activities, history = combined_timeline(kept, other, now, actor)
    merged = logged(
        ActivityType.SYSTEM,
        f"Merged {other.uid} ({other.name}) into this lead",
        actor,
        now,
        event="merged",
        other_uid=other.uid,
        other_name=other.name,
        fields=[change.field for change in changes],
    )
    history.append(
        FieldChangeEntry(
            at=now,
            by=actor.uid,
            changes=[*changes, FieldChange(field="merged_from", old=None, new=other.uid)],
        )
    )
    return LeadChange(
        at=now,
        set_fields={
            **{change.field: after[change.field] for change in changes if change.field in after},
            "data": data,
            "tasks": tasks,
            # The whole lists are written: the merge activity joins the combined timeline here
            # rather than being appended by the store.
            "activities": [*activities, merged],
            "history": history,
            "last_activity_at": now,
            "updated_at": now,
        },
    )
