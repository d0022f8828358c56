"""Use cases that read pipeline reports: one store aggregation each, shaped by the domain."""

from __future__ import annotations

from leads.domain.models import utcnow
from leads.domain.reports import (
    ActivityGroup,
    ActivityRow,
    ForecastRow,
    FunnelStep,
    LostReasonRow,
    ReportFilter,
    StageTimeRow,
    WinRateGroup,
    WinRateRow,
    activity_rows,
    forecast_rows,
    funnel_steps,
    lost_reason_rows,
    stage_time_rows,
    win_rate_rows,
)
from leads.store import reports as report_store


def report_funnel(*, report_filter: ReportFilter) -> list[FunnelStep]:
    workflow, counts = report_store.funnel_counts(report_filter)
    return funnel_steps(workflow, counts)


def report_stage_times(*, report_filter: ReportFilter) -> list[StageTimeRow]:
    workflow, times = report_store.stage_times(report_filter, utcnow())
    return stage_time_rows(workflow, times)


def report_win_rate(*, report_filter: ReportFilter, group_by: WinRateGroup) -> list[WinRateRow]:
    _, counts = report_store.win_rate(report_filter, group_by)
    return win_rate_rows(group_by, report_filter, counts)


def report_forecast(*, report_filter: ReportFilter) -> tuple[list[ForecastRow], str | None]:
    """The rows and the date field they group open leads by (None: none is chosen)."""
    workflow, counts = report_store.forecast(report_filter)
    date_field = workflow.config.forecast_date_field if workflow.config else None
    return forecast_rows(report_filter, counts), date_field


def report_lost_reasons(*, report_filter: ReportFilter) -> list[LostReasonRow]:
    workflow, counts = report_store.lost_reasons(report_filter)
    return lost_reason_rows(workflow, counts)


def report_activity(*, report_filter: ReportFilter, group_by: ActivityGroup) -> list[ActivityRow]:
    _, counts = report_store.activity(report_filter, group_by)
    return activity_rows(group_by, counts)
