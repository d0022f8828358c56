"""Leads out of the service: the streamed CSV / XLSX export of the list's filters."""

from __future__ import annotations

from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from pydantic import Field
from rest_framework.request import Request
from rest_framework.views import APIView

from leads.domain.models import utcnow
from leads.domain.spreadsheets import CONTENT_TYPES, ExportFormat, csv_chunks, xlsx_chunks
from leads.selectors import exports as export_selectors

from .base import ERRORS, OwnBody, query_parameters, streamed
from .leads import DATA_FILTER, LeadSortParams, lead_filter_params


class LeadExportParams(LeadSortParams):
    format: ExportFormat = Field("csv", description="csv (UTF-8 with a BOM) or xlsx")


class LeadExportView(APIView):
    content_negotiation_class = OwnBody

    @extend_schema(
        operation_id="leads_export",
        parameters=[*query_parameters(LeadExportParams), DATA_FILTER],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="every matching lead, one row each (format=csv)"
            ),
            (200, CONTENT_TYPES["xlsx"]): OpenApiResponse(
                OpenApiTypes.BINARY, description="the same as a spreadsheet (format=xlsx)"
            ),
            **{(status, "application/json"): model for status, model in ERRORS.items()},
        },
    )
    def get(self, request: Request) -> HttpResponse | StreamingHttpResponse:
        params, lead_filter = lead_filter_params(request, LeadExportParams)
        export = export_selectors.lead_export(lead_filter=lead_filter, sort=params.sort)
        if params.format == "xlsx":
            chunks = xlsx_chunks(export.header, export.rows, title="Leads")
        else:
            chunks = csv_chunks(export.header, export.rows)
        filename = f"leads-{utcnow():%Y-%m-%d}.{params.format}"
        return StreamingHttpResponse(
            streamed(request, chunks),
            content_type=CONTENT_TYPES[params.format],
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
            },
        )
