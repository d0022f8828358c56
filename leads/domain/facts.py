"""A lead's facts: the few fields the board's totals and the pipeline reports count, kept apart
from the (large) lead so a summary never reads the lead itself.

The change-stream reader (services/events.py) keeps one fact per lead from its leads' current
state and adds the difference each change makes to the per-stage totals, so the totals are
always the sum of the facts. Everything a fact holds is computed here, from the stored lead and
the config, in one pure function: the reader, the rebuild and the tests all call it."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from .enums import WorkItemStatus
from .fields import MAX_AMOUNT
from .models import WorkItemConfig
from .report_facts import report_activity, report_funnel, report_visits

# The definition of a fact: a change here makes every reader rebuild the facts it keeps.
# 2: what the reports count (report_facts.py): visits' funnel steps and days, activity counts.
# 3: the report rollups (report_rollups.py) are kept with them.
FACTS_VERSION = 3

# The lead fields a fact is made of: what a reader asks the server for (the history is sent
# as its stage visits only).
SOURCE_FIELDS = (
    "uid",
    "current_stage",
    "status",
    "data",
    "assigned_to",
    "source",
    "tags",
    "created_at",
    "closed_at",
    "lost_reason",
    "history",
    "activities",
    "version",
)

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def amount(value: Any) -> float | None:
    """A stored value as an amount, as the board sums it: text, a boolean, a non-finite number
    or one beyond ±MAX_AMOUNT is no amount (None, counted 0)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if not -MAX_AMOUNT <= value <= MAX_AMOUNT:
        return None
    return float(value)


def exact_amount(value: float | None) -> Decimal:
    """An amount as the totals add it: a decimal of at most 15 significant digits, the
    conversion MongoDB's $toDecimal makes of a double, so totals kept by adding differences
    equal a $sum over the facts to the last digit (binary floats would drift)."""
    if value is None:
        return Decimal(0)
    return Decimal(format(value, ".15g"))


def close_day(value: Any) -> str | None:
    """An expected close date as "YYYY-MM-DD" (from a date, a datetime, or text starting with
    one); None when what is stored is no date."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, str) and _DAY.match(value):
        return value[:10]
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _texts(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _moment(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def _visits(history: Any) -> list[dict[str, Any]]:
    if not isinstance(history, list):
        return []
    return [
        {
            "stage": entry.get("stage"),
            "name": _text(entry.get("name")),
            "entered_at": _moment(entry.get("entered_at")),
            "exited_at": _moment(entry.get("exited_at")),
        }
        for entry in history
        if isinstance(entry, Mapping)
        and entry.get("kind") == "stage_visit"
        and isinstance(entry.get("stage"), str)
    ]


def lead_fact(
    lead: Mapping[str, Any], config: WorkItemConfig | None, funnel: Sequence[str] = ()
) -> dict[str, Any]:
    """The fact of a stored lead (a document with at least SOURCE_FIELDS): `_id` its uid.
    `funnel` is the funnel's steps (report_facts.funnel_steps_of the stages) the visits' steps
    are counted by.

    Never fails on what an older version or an import stored: a value that is no amount is
    None, a close date that is no date None, a history entry that is no stage visit left out."""
    data = lead.get("data")
    data = data if isinstance(data, Mapping) else {}
    value_field = config.value_field if config is not None else None
    close_field = config.forecast_date_field if config is not None else None
    status = _text(lead.get("status")) or WorkItemStatus.OPEN.value
    visits = report_visits(_visits(lead.get("history")), funnel)
    lost_from = None
    if status == WorkItemStatus.LOST.value and len(visits) >= 2:
        # the visit before the lost one: the stage the lead was lost from
        lost_from = visits[-2]["stage"]
    version = lead.get("version")
    return {
        "_id": lead["uid"],
        "stage": _text(lead.get("current_stage")),
        "status": status,
        "value": amount(data.get(value_field)) if value_field else None,
        "assigned_to": _texts(lead.get("assigned_to")),
        "source": _text(lead.get("source")),
        "tags": _texts(lead.get("tags")),
        "created_at": _moment(lead.get("created_at")),
        "closed_at": _moment(lead.get("closed_at")),
        "lost_reason": _text(lead.get("lost_reason")),
        "lost_from": lost_from,
        "expected_close": close_day(data.get(close_field)) if close_field else None,
        "visits": visits,
        "funnel": report_funnel(visits),
        "activity": report_activity(lead),
        "version": version if isinstance(version, int) else None,
    }


def totals_key(stage: str | None, status: str) -> str:
    """The `_id` of the totals of a stage and status."""
    return f"{stage or ''}:{status}"


@dataclass(frozen=True)
class TotalsChange:
    stage: str | None
    status: str
    count: int
    value: Decimal


def totals_difference(
    old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
) -> list[TotalsChange]:
    """What replacing the fact `old` by `new` (None: no fact, the lead is new or gone) changes
    in the totals; nothing when they count the same, so a change applied twice adds nothing."""
    changes: dict[tuple[str | None, str], tuple[int, Decimal]] = {}
    for fact, sign in ((old, -1), (new, 1)):
        if fact is None:
            continue
        key = (fact.get("stage"), str(fact.get("status")))
        count, value = changes.get(key, (0, Decimal(0)))
        changes[key] = (count + sign, value + sign * exact_amount(fact.get("value")))
    return [
        TotalsChange(stage=stage, status=status, count=count, value=value)
        for (stage, status), (count, value) in changes.items()
        if count != 0 or value != 0
    ]
