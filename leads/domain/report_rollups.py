"""What the reports count, summed per UTC day: the rows of `report_rollups`, which the
change-stream reader keeps as the sum of every lead's contribution (as it keeps the board's stage
totals), so a report over all leads reads a few thousand small rows instead of one fact per lead.

A lead's contribution is computed from its fact (domain/facts.py) alone, and the reader adds the
difference between a lead's old and new contribution: a change applied twice adds nothing. A
report's period is whole UTC days, so daily rows count it exactly:

- **funnel**: a lead counts once per stage however often it entered it in the period. Each visit
  carries the day of the lead's previous visit to the same stage (`prev`) and of the previous
  one that moved on (`prev_moved`). A visit is the lead's first in the period [F, T) when it was
  entered in it and `prev` is before F (or there is none), so counting such visits counts leads;
  the same with `prev_moved` counts the leads that moved on.
- **stage times**: medians and p90s need every length, so a (stage, day) row keeps the lengths of
  the visits that ended that day, sorted; the open visits of open leads keep their entry moments
  by the day they began (their age is measured when the report is asked).
- **win rate, forecast, lost reasons, activity**: counts and value sums per day and key.

Only reports without a lead filter read them (win rate also by assignee and source, which its
rows carry); a filter by tag, or by assignee or source elsewhere, reads the facts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from .facts import exact_amount

FUNNEL = "funnel"
VISIT_DAYS = "visit_days"
WAITS = "waits"
OUTCOMES = "outcomes"
OPEN_VALUE = "open_value"
LOST = "lost"
ACTIVITY = "activity"

# The rows that keep lengths (sorted) rather than only a count and a value.
LENGTH_KINDS = (VISIT_DAYS, WAITS)


@dataclass
class Contribution:
    """What one lead (or the sum of several) adds to one row: `key` the row's identifying
    fields, `lengths` the visits' days (visit_days) or entry moments (waits), `latest` the
    latest named visit as {at, name} (a stage's recorded name)."""

    key: dict[str, Any]
    count: int = 0
    value: Decimal = Decimal(0)
    lengths: list[Any] = field(default_factory=list)
    latest: dict[str, Any] | None = None

    def add(self, other: Contribution) -> None:
        self.count += other.count
        self.value += other.value
        self.lengths += other.lengths
        self.latest = later_name(self.latest, other.latest)


@dataclass(frozen=True)
class RollupChange:
    """What replacing one lead's contribution to a row by another changes in it: `added` and
    `removed` lengths are multisets (two visits may last exactly as long)."""

    row_id: str
    key: dict[str, Any]
    count: int
    value: Decimal
    added: list[Any]
    removed: list[Any]
    latest: dict[str, Any] | None


def later_name(one: dict[str, Any] | None, other: dict[str, Any] | None) -> dict[str, Any] | None:
    """The later of two {at, name} (as MongoDB's $max compares them: `at`, then `name`)."""
    if one is None or other is None:
        return one or other
    return max(one, other, key=lambda item: (item["at"], item["name"]))


def day_of(moment: datetime | None) -> datetime | None:
    """The UTC day a moment falls on, as its midnight (facts hold naive UTC moments)."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


def row_id(key: Mapping[str, Any]) -> str:
    """A row's `_id`: its key in a fixed order, days as dates. Python's repr of a tuple of
    texts, booleans and None is unambiguous, and several times faster than JSON: a rebuild
    makes one for each of a lead's ~20 contributions."""

    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        if isinstance(value, list):
            return tuple(value)
        return value

    return repr(tuple((name, plain(key[name])) for name in sorted(key)))


def _named(visit: Mapping[str, Any]) -> dict[str, Any] | None:
    name, entered = visit.get("name"), visit.get("entered_at")
    if isinstance(name, str) and isinstance(entered, datetime):
        return {"at": entered, "name": name}
    return None


def _funnel(fact: Mapping[str, Any]) -> Iterable[Contribution]:
    won = fact.get("status") == "won"
    last_entry: dict[str, datetime | None] = {}
    last_moved: dict[str, datetime | None] = {}
    for visit in fact.get("visits") or []:
        entered = visit.get("entered_at")
        if visit.get("step", -1) < 0 or not isinstance(entered, datetime):
            continue
        stage, day, moved = visit["stage"], day_of(entered), bool(visit.get("moved"))
        yield Contribution(
            key={
                "k": FUNNEL,
                "stage": stage,
                "day": day,
                "prev": last_entry.get(stage),
                "moved": moved,
                "prev_moved": last_moved.get(stage),
                "won": won,
            },
            count=1,
        )
        last_entry[stage] = day
        if moved:
            last_moved[stage] = day


def _stage_times(fact: Mapping[str, Any]) -> Iterable[Contribution]:
    waiting = fact.get("status") == "open"
    for visit in fact.get("visits") or []:
        entered, days = visit.get("entered_at"), visit.get("days")
        if not isinstance(entered, datetime):
            continue
        if isinstance(days, int | float):
            key = {"k": VISIT_DAYS, "stage": visit["stage"], "day": day_of(visit["exited_at"])}
            yield Contribution(key=key, count=1, lengths=[days], latest=_named(visit))
        elif waiting:
            # where an open lead waits now; a closed lead's open visit is no wait. By the day
            # it began, so no row grows with the number of open leads (each move rewrites one).
            key = {"k": WAITS, "stage": visit["stage"], "day": day_of(entered)}
            yield Contribution(key=key, count=1, lengths=[entered], latest=_named(visit))


def _closed(fact: Mapping[str, Any]) -> Iterable[Contribution]:
    status, value = fact.get("status"), exact_amount(fact.get("value"))
    day = day_of(fact.get("closed_at"))
    if status in ("won", "lost"):
        yield Contribution(
            key={
                "k": OUTCOMES,
                "day": day,
                "won": status == "won",
                "assigned_to": sorted(fact.get("assigned_to") or []),
                "source": fact.get("source"),
            },
            count=1,
            value=value,
        )
    if status == "lost":
        visits = fact.get("visits") or []
        # the visit before the lost one: the stage the lead was lost from
        before = visits[-2] if len(visits) >= 2 else {}
        yield Contribution(
            key={
                "k": LOST,
                "day": day,
                "reason": fact.get("lost_reason"),
                "from": before.get("stage"),
            },
            count=1,
            value=value,
            latest=_named(before),
        )
    if status == "open":
        yield Contribution(
            key={"k": OPEN_VALUE, "close": fact.get("expected_close"), "stage": fact.get("stage")},
            count=1,
            value=value,
        )


def _activity(fact: Mapping[str, Any]) -> Iterable[Contribution]:
    for count in fact.get("activity") or []:
        key = {"k": ACTIVITY, "day": day_of(count["day"]), "actor": count.get("actor")}
        yield Contribution(key={**key, "type": count["type"]}, count=int(count["count"]))


def lead_rollups(fact: Mapping[str, Any] | None) -> dict[str, Contribution]:
    """A lead's contribution to each row, by row `_id` (nothing for no fact: a lead gone)."""
    rows: dict[str, Contribution] = {}
    if fact is None:
        return rows
    for part in (_funnel, _stage_times, _closed, _activity):
        for contribution in part(fact):
            key = row_id(contribution.key)
            if key in rows:
                rows[key].add(contribution)
            else:
                rows[key] = contribution
    return rows


def rollups_difference(
    old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
) -> list[RollupChange]:
    """What replacing the fact `old` by `new` (None: no fact) changes in the rows; nothing for
    a row both count alike, so a change applied twice adds nothing."""
    before, after = lead_rollups(old), lead_rollups(new)
    changes = []
    for key in before.keys() | after.keys():
        was, now = before.get(key), after.get(key)
        was_lengths = Counter(was.lengths if was else [])
        now_lengths = Counter(now.lengths if now else [])
        change = RollupChange(
            row_id=key,
            key=(now or was).key,  # type: ignore[union-attr]
            count=(now.count if now else 0) - (was.count if was else 0),
            value=(now.value if now else Decimal(0)) - (was.value if was else Decimal(0)),
            added=sorted((now_lengths - was_lengths).elements()),
            removed=sorted((was_lengths - now_lengths).elements()),
            latest=now.latest if now else None,
        )
        gained_name = change.latest is not None and change.latest != (was.latest if was else None)
        if change.count or change.value or change.added or change.removed or gained_name:
            changes.append(change)
    return changes


def merged_changes(changes: Iterable[RollupChange]) -> list[RollupChange]:
    """One change per row (several leads of a batch changing the same day's row)."""
    merged: dict[str, Contribution] = {}
    removed: dict[str, list[Any]] = {}
    for change in changes:
        merged.setdefault(change.row_id, Contribution(key=change.key)).add(
            Contribution(
                key=change.key,
                count=change.count,
                value=change.value,
                lengths=list(change.added),
                latest=change.latest,
            )
        )
        removed.setdefault(change.row_id, []).extend(change.removed)
    result = []
    for key, total in merged.items():
        added, taken = Counter(total.lengths), Counter(removed[key])
        result.append(
            RollupChange(
                row_id=key,
                key=total.key,
                count=total.count,
                value=total.value,
                added=sorted((added - taken).elements()),
                removed=sorted((taken - added).elements()),
                latest=total.latest,
            )
        )
    return result
