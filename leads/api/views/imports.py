"""Imports of leads from CSV/XLSX (DESIGN.md section 8): upload, preview, run, status, errors."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from leads.domain.errors import FileTooLarge, ValidationFailed
from leads.domain.imports import MAX_FILE_BYTES, ImportOptions
from leads.domain.jobs import Job
from leads.domain.models import User
from leads.services import imports as import_services

from ..mappers import import_out, import_preview_out, import_upload_out
from ..schemas import ImportOut, ImportPreviewOut, ImportUploadOut
from .base import ERRORS, actor, body, render

# Room for the multipart envelope around a file of the largest size.
_ENVELOPE_BYTES = 64 * 1024


class CanImport(BasePermission):
    message = "Only members and admins can import leads."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return isinstance(user, User) and user.can_write_leads


def _import_response(request: Request, job: Job, status: int = 200) -> HttpResponse:
    errors_url = request.build_absolute_uri(f"/api/imports/{job.uid}/errors.csv")
    return render(import_out(job, errors_url), status)


class ImportCollectionView(APIView):
    permission_classes = [CanImport]
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="imports_create",
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
        responses={201: ImportUploadOut, **ERRORS},
    )
    def post(self, request: Request) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared.isdigit() and int(declared) > MAX_FILE_BYTES + _ENVELOPE_BYTES:
            raise FileTooLarge(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed.on("file", "send the spreadsheet as the multipart field `file`")
        result = import_services.import_upload(
            stream=upload.file,
            name=upload.name or "upload",
            size=upload.size or 0,
            actor=actor(request),
        )
        return render(import_upload_out(result), 201)


class ImportDetailView(APIView):
    permission_classes = [CanImport]

    @extend_schema(operation_id="imports_retrieve", responses={200: ImportOut, **ERRORS})
    def get(self, request: Request, uid: str) -> HttpResponse:
        return _import_response(request, import_services.import_get(uid=uid))


class ImportPreviewView(APIView):
    permission_classes = [CanImport]

    @extend_schema(
        operation_id="imports_preview",
        request=ImportOptions,
        responses={200: ImportPreviewOut, **ERRORS},
    )
    def post(self, request: Request, uid: str) -> HttpResponse:
        options = ImportOptions.model_validate(body(request))
        preview = import_services.import_preview(uid=uid, options=options, actor=actor(request))
        total = import_services.import_get(uid=uid).progress.get("total", 0)
        return render(import_preview_out(preview, total))


class ImportRunView(APIView):
    permission_classes = [CanImport]

    @extend_schema(
        operation_id="imports_run", request=ImportOptions, responses={202: ImportOut, **ERRORS}
    )
    def post(self, request: Request, uid: str) -> HttpResponse:
        options = ImportOptions.model_validate(body(request))
        job = import_services.import_run(uid=uid, options=options, actor=actor(request))
        return _import_response(request, job, 202)


class ImportErrorsView(APIView):
    permission_classes = [CanImport]

    @extend_schema(
        operation_id="imports_errors_csv",
        responses={200: OpenApiResponse(description="text/csv"), **ERRORS},
    )
    def get(self, request: Request, uid: str) -> StreamingHttpResponse:
        lines = import_services.import_failed_rows_csv(uid=uid)
        # The BOM tells spreadsheet programs the file is UTF-8; the import reads it too.
        response = StreamingHttpResponse(_with_bom(lines), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{uid}-errors.csv"'
        return response


def _with_bom(lines: Any) -> Any:
    yield "\ufeff"
    yield from lines
