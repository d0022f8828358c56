"""Pipeline reports (DESIGN.md section 9): what each report counts, as the store's aggregations
return it, and the pure functions that turn those counts into the rows a manager reads (names,
pipeline order, percentages, months without data).

Every period is [start, end) in UTC. Stages are named by their current name while they exist;
a deleted stage by the name its visits recorded, else by its uid.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

from .enums import StageKind
from .models import Document, WorkItemConfig, WorkStage

WinRateGroup = Literal["month", "assignee", "source"]
ActivityGroup = Literal["user", "type"]

# What a seller logs (the rest of a timeline is written by the service).
LOGGED_ACTIVITY_TYPES = ("note", "call", "email", "meeting")


@dataclass(frozen=True)
class ReportFilter:
    """Which leads a report reads, and the period it counts in ([start, end), UTC)."""

    start: datetime | None = None
    end: datetime | None = None
    assigned_to: str | None = None
    source: str | None = None
    tag: str | None = None


@dataclass(frozen=True)
class Workflow:
    """The config and the stages (pipeline order) as the report's aggregation read them."""

    config: WorkItemConfig | None
    stages: list[WorkStage]
    # Whether the report read the summaries kept by the change-stream reader (else the leads).
    from_summaries: bool = False

    def stage(self, uid: str | None) -> WorkStage | None:
        return next((stage for stage in self.stages if stage.uid == uid), None)

    def stage_name(self, uid: str | None, recorded: str | None = None) -> str:
        """THE name a report shows for a stage: its name now, else the one history recorded
        (a deleted stage), else its uid."""
        if uid is None:
            return "(unknown)"
        stage = self.stage(uid)
        if stage is not None:
            return stage.name
        return recorded or uid


# --- what the aggregations count -----------------------------------------------------------


class FunnelCount(Document):
    stage: str
    entered: int
    moved_on: int
    won: int


class VisitTimes(Document):
    """Visits of one stage: the completed ones (done) or the ones still open now."""

    stage: str
    done: bool
    recorded_name: str | None = None
    count: int
    mean_days: float
    median_days: float
    p90_days: float
    max_days: float


class OutcomeCount(Document):
    key: str | None = None
    label: str | None = None
    won: int
    lost: int
    won_value: float
    lost_value: float


class ForecastCount(Document):
    month: str | None = None
    open_count: int
    open_value: float
    weighted_value: float
    won_count: int
    won_value: float


class LostCount(Document):
    reason: str | None = None
    stage: str | None = None
    recorded_name: str | None = None
    count: int
    value: float


class ActivityCount(Document):
    week: datetime
    key: str | None = None
    label: str | None = None
    activities: int
    tasks_completed: int


# --- the rows of each report -----------------------------------------------------------------


def percent(part: float, whole: float) -> float | None:
    """part / whole in percent, one decimal; None when there is nothing to divide by."""
    return round(100 * part / whole, 1) if whole else None


class FunnelStep(BaseModel):
    stage: str
    name: str
    kind: StageKind
    entered: int
    moved_on: int | None
    conversion_pct: float | None
    from_first_pct: float | None
    drop_off: int | None
    drop_off_pct: float | None
    won: int
    won_pct: float | None


def funnel_steps(workflow: Workflow, counts: Iterable[FunnelCount]) -> list[FunnelStep]:
    """One step per open and won stage, in pipeline order. A step counts the leads that entered
    the stage in the period (once each, however often they did), those of them that later moved
    on to any later open or won stage (skipping stages counts, moving back does not), and
    those of them won now. Lost stages are where leads drop off, not steps."""
    by_stage = {count.stage: count for count in counts}
    steps = [stage for stage in workflow.stages if stage.kind is not StageKind.LOST]
    first = by_stage.get(steps[0].uid) if steps else None
    first_entered = first.entered if first else 0
    rows = []
    for stage in steps:
        count = by_stage.get(stage.uid) or FunnelCount(
            stage=stage.uid, entered=0, moved_on=0, won=0
        )
        is_open = stage.kind is StageKind.OPEN
        rows.append(
            FunnelStep(
                stage=stage.uid,
                name=stage.name,
                kind=stage.kind,
                entered=count.entered,
                moved_on=count.moved_on if is_open else None,
                conversion_pct=percent(count.moved_on, count.entered) if is_open else None,
                from_first_pct=percent(count.entered, first_entered),
                drop_off=count.entered - count.moved_on if is_open else None,
                drop_off_pct=percent(count.entered - count.moved_on, count.entered)
                if is_open
                else None,
                won=count.won,
                won_pct=percent(count.won, count.entered),
            )
        )
    return rows


class StageTimeRow(BaseModel):
    stage: str
    name: str
    deleted: bool
    visits: int
    median_days: float | None
    mean_days: float | None
    p90_days: float | None
    open_visits: int
    open_median_days: float | None
    open_max_days: float | None


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def stage_time_rows(workflow: Workflow, times: Iterable[VisitTimes]) -> list[StageTimeRow]:
    """Per stage: visits that ended in the period (median, mean, p90 days) and the visits open
    now in open leads with their current ages. Every open stage has a row; the won and lost
    stages and deleted ones only when they have visits; deleted stages come last."""
    done: dict[str, VisitTimes] = {}
    still_open: dict[str, VisitTimes] = {}
    names: dict[str, str | None] = {}
    for item in times:
        (done if item.done else still_open)[item.stage] = item
        names[item.stage] = names.get(item.stage) or item.recorded_name
    order = [
        stage.uid
        for stage in workflow.stages
        if stage.kind is StageKind.OPEN or stage.uid in done or stage.uid in still_open
    ]
    order += sorted(uid for uid in names if workflow.stage(uid) is None)
    rows = []
    for uid in order:
        ended, now = done.get(uid), still_open.get(uid)
        rows.append(
            StageTimeRow(
                stage=uid,
                name=workflow.stage_name(uid, names.get(uid)),
                deleted=workflow.stage(uid) is None,
                visits=ended.count if ended else 0,
                median_days=_days(ended.median_days) if ended else None,
                mean_days=_days(ended.mean_days) if ended else None,
                p90_days=_days(ended.p90_days) if ended else None,
                open_visits=now.count if now else 0,
                open_median_days=_days(now.median_days) if now else None,
                open_max_days=_days(now.max_days) if now else None,
            )
        )
    return rows


def months_between(first: str, last: str) -> list[str]:
    """Every month "YYYY-MM" from `first` to `last`, both included."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def period_months(report_filter: ReportFilter, found: Iterable[str]) -> list[str]:
    """The months a monthly report shows: the period's (its last day's month included), else
    from the first to the last month with data; a month without data is a row of zeros."""
    months = sorted(found)
    first = report_filter.start.strftime("%Y-%m") if report_filter.start else None
    # `end` is exclusive: the month of the moment before it.
    last = None
    if report_filter.end is not None:
        last = date.fromordinal(report_filter.end.date().toordinal() - 1).strftime("%Y-%m")
        if report_filter.end.time() != datetime.min.time():
            last = report_filter.end.strftime("%Y-%m")
    first = first or (months[0] if months else None)
    last = last or (months[-1] if months else None)
    if first is None or last is None or first > last:
        return months
    return sorted(set(months_between(first, last)) | set(months))


class WinRateRow(BaseModel):
    key: str | None
    label: str
    won: int
    lost: int
    closed: int
    win_rate_pct: float | None
    won_value: float
    lost_value: float
    value_win_rate_pct: float | None


def win_rate_rows(
    group_by: WinRateGroup, report_filter: ReportFilter, counts: Sequence[OutcomeCount]
) -> list[WinRateRow]:
    """won / (won + lost) of the leads closed in the period, by the month they closed, their
    assignee (a lead with two counts for each; "Unassigned" for none) or their source."""
    by_key = {count.key: count for count in counts}
    if group_by == "month":
        keys: list[str | None] = list(
            period_months(report_filter, [key for key in by_key if key is not None])
        )
    else:
        keys = sorted(by_key, key=lambda key: (key is None, _label(by_key[key], group_by).lower()))
    rows = []
    for key in keys:
        count = by_key.get(key) or OutcomeCount(
            key=key, won=0, lost=0, won_value=0.0, lost_value=0.0
        )
        rows.append(
            WinRateRow(
                key=key,
                label=_label(count, group_by),
                won=count.won,
                lost=count.lost,
                closed=count.won + count.lost,
                win_rate_pct=percent(count.won, count.won + count.lost),
                won_value=count.won_value,
                lost_value=count.lost_value,
                value_win_rate_pct=percent(count.won_value, count.won_value + count.lost_value),
            )
        )
    return rows


def _label(count: OutcomeCount, group_by: WinRateGroup) -> str:
    if count.key is None:
        return {"month": "(no month)", "assignee": "Unassigned", "source": "(no source)"}[group_by]
    return count.label or count.key


class ForecastRow(BaseModel):
    month: str | None
    open_count: int
    open_value: float
    weighted_value: float
    won_count: int
    won_value: float


def forecast_rows(
    report_filter: ReportFilter, counts: Sequence[ForecastCount]
) -> list[ForecastRow]:
    """Open value and probability-weighted value by expected close month, next to the value won
    in each month; open leads without a close date in a last row whose month is null."""
    by_month = {count.month: count for count in counts}
    months: list[str | None] = list(
        period_months(report_filter, [month for month in by_month if month is not None])
    )
    if None in by_month:
        months.append(None)
    empty = ForecastCount(
        open_count=0, open_value=0.0, weighted_value=0.0, won_count=0, won_value=0.0
    )
    return [
        ForecastRow(month=month, **(by_month.get(month) or empty).model_dump(exclude={"month"}))
        for month in months
    ]


class LostReasonRow(BaseModel):
    reason: str | None
    label: str
    stage: str | None
    stage_name: str
    count: int
    value: float


def lost_reason_rows(workflow: Workflow, counts: Sequence[LostCount]) -> list[LostReasonRow]:
    """Leads lost in the period, counted and valued per reason and the stage they were lost
    from: reasons with the most leads first, their stages in pipeline order."""
    labels = (
        {option.value: option.label for option in workflow.config.lost_reasons}
        if (workflow.config)
        else {}
    )
    totals: dict[str | None, int] = {}
    for count in counts:
        totals[count.reason] = totals.get(count.reason, 0) + count.count
    positions = {stage.uid: index for index, stage in enumerate(workflow.stages)}

    def order(count: LostCount) -> tuple[int, str, int, str]:
        return (
            -totals[count.reason],
            count.reason or "",
            positions.get(count.stage or "", len(positions)),
            count.stage or "",
        )

    return [
        LostReasonRow(
            reason=count.reason,
            label=labels.get(count.reason, count.reason) if count.reason else "(no reason)",
            stage=count.stage,
            stage_name=workflow.stage_name(count.stage, count.recorded_name),
            count=count.count,
            value=count.value,
        )
        for count in sorted(counts, key=order)
    ]


class ActivityRow(BaseModel):
    week: date
    key: str | None
    label: str
    activities: int
    tasks_completed: int


def activity_rows(group_by: ActivityGroup, counts: Sequence[ActivityCount]) -> list[ActivityRow]:
    """Activities sellers logged (notes, calls, emails, meetings) and tasks completed, per week
    (starting Monday, UTC) and user or activity type; tasks count under the type `task`."""
    rows = [
        ActivityRow(
            week=count.week.date(),
            key=count.key,
            label=count.label or count.key or ("(nobody)" if group_by == "user" else "(none)"),
            activities=count.activities,
            tasks_completed=count.tasks_completed,
        )
        for count in counts
    ]
    return sorted(rows, key=lambda row: (row.week, row.label.lower(), row.key or ""))
