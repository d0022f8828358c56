"""What a lead contributes to the pipeline reports, computed once when its fact is written
(domain/facts.py) so a report reads a few figures per lead instead of walking its history.

Pure: a stored lead document (a mapping, as the reader and the rebuild read it) in, plain
values out. The funnel's figures depend on the funnel's steps (the open and won stages in
pipeline order): facts record the steps they were computed with, and reports read the facts
only while those are the workflow's steps (store/reports.py), else the leads.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from .enums import StageKind
from .models import WorkStage
from .reports import LOGGED_ACTIVITY_TYPES

# The type under which a completed task counts in the activity report.
TASK_COMPLETED = "task"


def funnel_steps_of(stages: Sequence[WorkStage]) -> list[str]:
    """The funnel's steps: the uids of the open and won stages in pipeline order (`stages` is
    in pipeline order); lost stages are where leads drop off, not steps."""
    return [stage.uid for stage in stages if stage.kind is not StageKind.LOST]


def report_visits(visits: Sequence[dict[str, Any]], funnel: Sequence[str]) -> list[dict[str, Any]]:
    """The stage visits of a fact (time order; stage, name, entered_at, exited_at), each with
    its funnel `step` (the stage's place among the funnel's steps; -1 for lost and deleted
    stages), `moved` (a later visit reached a further step: skipping stages counts, moving back
    does not) and, once it ended, `days` (its length, from milliseconds as the server divides)."""
    positions = {uid: index for index, uid in enumerate(funnel)}
    steps = [positions.get(str(visit.get("stage")), -1) for visit in visits]
    further = [max(steps[index + 1 :], default=-1) for index in range(len(steps))]
    return [
        {
            **visit,
            "step": step,
            "moved": later > step >= 0,
            "days": _days(visit.get("entered_at"), visit.get("exited_at")),
        }
        for visit, step, later in zip(visits, steps, further, strict=True)
    ]


def report_funnel(visits: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The funnel steps the lead ever entered (each once, in the order first entered) and
    whether any of its visits there moved on: the whole history's funnel without a visit walk."""
    moved: dict[str, bool] = {}
    for visit in visits:
        if visit["step"] >= 0 and visit["entered_at"] is not None:
            moved[visit["stage"]] = moved.get(visit["stage"], False) or visit["moved"]
    return [{"stage": stage, "moved": went_on} for stage, went_on in moved.items()]


def _days(entered: Any, exited: Any) -> float | None:
    if not isinstance(entered, datetime) or not isinstance(exited, datetime):
        return None
    return ((exited - entered) // timedelta(milliseconds=1)) / 86_400_000


def _day(moment: datetime) -> datetime:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


def report_activity(lead_doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The lead's embedded activities the activity report counts (logged by a seller, or a task
    completed), counted per UTC day, actor and type (`task` for a completion); sorted, so the
    same activities always give the same list."""
    activities = lead_doc.get("activities")
    counts: Counter[tuple[datetime, str | None, str]] = Counter()
    for activity in activities if isinstance(activities, list) else []:
        if not isinstance(activity, dict) or not isinstance(activity.get("created_at"), datetime):
            continue
        kind = activity.get("type")
        details = activity.get("details")
        completed = (
            kind == TASK_COMPLETED
            and isinstance(details, dict)
            and details.get("event") == "completed"
        )
        if not isinstance(kind, str) or (kind not in LOGGED_ACTIVITY_TYPES and not completed):
            continue
        actor = activity.get("actor")
        counts[(_day(activity["created_at"]), actor if isinstance(actor, str) else None, kind)] += 1
    return [
        {
            "day": day,
            "week": day - timedelta(days=day.weekday()),
            "actor": actor,
            "type": kind,
            "count": count,
        }  # fmt: skip
        for (day, actor, kind), count in sorted(
            counts.items(), key=lambda item: (item[0][0], item[0][1] or "", item[0][2])
        )
    ]
