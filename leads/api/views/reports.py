"""Pipeline reports (DESIGN.md section 9): read-only for every role; `?format=csv` downloads the
same rows as the JSON's `rows`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from leads.domain.errors import ValidationFailed
from leads.domain.export import Cell, escape_formula
from leads.domain.inputs import QueryDay
from leads.domain.reports import ReportFilter
from leads.domain.spreadsheets import CONTENT_TYPES, csv_chunks
from leads.selectors import reports as report_selectors

from ..schemas import (
    ActivityReportOut,
    ActivityRowOut,
    ForecastOut,
    ForecastRowOut,
    FunnelOut,
    FunnelStepOut,
    LostReasonRowOut,
    LostReasonsOut,
    StageTimeOut,
    StageTimesOut,
    WinRateOut,
    WinRateRowOut,
)
from .base import ERRORS, actor, day_start, render

F = TypeVar("F", bound=Callable[..., Any])

FilterText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ReportParams(BaseModel):
    """The filters every report takes."""

    model_config = ConfigDict(extra="forbid", populate_by_name=False)

    start: QueryDay | None = Field(None, alias="from", description="first day (YYYY-MM-DD), UTC")
    end: QueryDay | None = Field(None, alias="to", description="last day, included (YYYY-MM-DD)")
    assigned_to: FilterText | None = Field(None, description="user uid, or `me`")
    source: FilterText | None = None
    tag: FilterText | None = None
    format: Literal["json", "csv"] = Field("json", description="csv: the rows as a download")

    @model_validator(mode="after")
    def _period_in_order(self) -> ReportParams:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValidationFailed.on("to", "must not be before `from`")
        return self

    def report_filter(self, me: str) -> ReportFilter:
        return ReportFilter(
            start=day_start(self.start),
            end=day_start(self.end, days_after=1),
            assigned_to=me if self.assigned_to == "me" else self.assigned_to,
            source=self.source,
            tag=self.tag,
        )


class WinRateParams(ReportParams):
    group_by: Literal["month", "assignee", "source"] = "month"


class ActivityParams(ReportParams):
    group_by: Literal["user", "type"] = "user"


def _csv(rows: list[BaseModel], row_model: type[BaseModel], name: str) -> HttpResponse:
    """The rows as the lead export writes them: a stage or lost reason an admin named "=..."
    is shown, never run, by the spreadsheet that opens it."""

    def cell(value: Any) -> Cell:
        return escape_formula(value) if isinstance(value, str) else value

    lines = csv_chunks(
        list(row_model.model_fields),
        ([cell(value) for value in row.model_dump(mode="json").values()] for row in rows),
    )
    return HttpResponse(
        b"".join(lines),
        content_type=CONTENT_TYPES["csv"],
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


class ReportView(APIView):
    """A report: parse the filters, call ONE selector, answer JSON or CSV."""

    params_model: ClassVar[type[ReportParams]] = ReportParams
    name: ClassVar[str]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # `format` is this API's own parameter (csv rows), not DRF's renderer switch; errors
        # are JSON whatever was asked.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    def params(self, request: Request) -> tuple[ReportParams, ReportFilter]:
        params = self.params_model.model_validate(request.query_params.dict())
        return params, params.report_filter(actor(request).uid)

    def answer(
        self,
        params: ReportParams,
        rows: list[BaseModel],
        row_model: type[BaseModel],
        body: BaseModel,
    ) -> HttpResponse:
        if params.format == "csv":
            return _csv(rows, row_model, self.name)
        return render(body)


def _schema(
    operation_id: str, params: type[ReportParams], out: type[BaseModel]
) -> Callable[[F], F]:
    return extend_schema(
        operation_id=operation_id,
        parameters=query_parameters_aliased(params),
        responses={200: out, **ERRORS},
    )


def query_parameters_aliased(model: type[BaseModel]) -> list[OpenApiParameter]:
    """`query_parameters`, under the names clients send (`from`, `to`)."""
    return [
        OpenApiParameter(
            field.alias or name,
            str,
            OpenApiParameter.QUERY,
            description=field.description or "",
        )
        for name, field in model.model_fields.items()
    ]


def _rows(row_model: type[BaseModel], rows: list[Any]) -> list[Any]:
    return [row_model.model_validate(row.model_dump()) for row in rows]


class FunnelView(ReportView):
    name = "funnel"

    @_schema("reports_funnel", ReportParams, FunnelOut)
    def get(self, request: Request) -> HttpResponse:
        params, report_filter = self.params(request)
        rows = _rows(FunnelStepOut, report_selectors.report_funnel(report_filter=report_filter))
        return self.answer(params, rows, FunnelStepOut, FunnelOut(rows=rows))


class StageTimesView(ReportView):
    name = "stage-times"

    @_schema("reports_stage_times", ReportParams, StageTimesOut)
    def get(self, request: Request) -> HttpResponse:
        params, report_filter = self.params(request)
        rows = _rows(StageTimeOut, report_selectors.report_stage_times(report_filter=report_filter))
        return self.answer(params, rows, StageTimeOut, StageTimesOut(rows=rows))


class WinRateView(ReportView):
    name = "win-rate"
    params_model = WinRateParams

    @_schema("reports_win_rate", WinRateParams, WinRateOut)
    def get(self, request: Request) -> HttpResponse:
        params, report_filter = self.params(request)
        assert isinstance(params, WinRateParams)
        rows = _rows(
            WinRateRowOut,
            report_selectors.report_win_rate(report_filter=report_filter, group_by=params.group_by),
        )
        return self.answer(
            params, rows, WinRateRowOut, WinRateOut(group_by=params.group_by, rows=rows)
        )


class ForecastView(ReportView):
    name = "forecast"

    @_schema("reports_forecast", ReportParams, ForecastOut)
    def get(self, request: Request) -> HttpResponse:
        params, report_filter = self.params(request)
        found, date_field = report_selectors.report_forecast(report_filter=report_filter)
        rows = _rows(ForecastRowOut, found)
        return self.answer(
            params, rows, ForecastRowOut, ForecastOut(date_field=date_field, rows=rows)
        )


class LostReasonsView(ReportView):
    name = "lost-reasons"

    @_schema("reports_lost_reasons", ReportParams, LostReasonsOut)
    def get(self, request: Request) -> HttpResponse:
        params, report_filter = self.params(request)
        rows = _rows(
            LostReasonRowOut, report_selectors.report_lost_reasons(report_filter=report_filter)
        )
        return self.answer(params, rows, LostReasonRowOut, LostReasonsOut(rows=rows))


class ActivityReportView(ReportView):
    name = "activity"
    params_model = ActivityParams

    @_schema("reports_activity", ActivityParams, ActivityReportOut)
    def get(self, request: Request) -> HttpResponse:
        params, report_filter = self.params(request)
        assert isinstance(params, ActivityParams)
        rows = _rows(
            ActivityRowOut,
            report_selectors.report_activity(report_filter=report_filter, group_by=params.group_by),
        )
        return self.answer(
            params, rows, ActivityRowOut, ActivityReportOut(group_by=params.group_by, rows=rows)
        )
