"""Leads that may be the same person, and merging them."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from pydantic import BaseModel, ConfigDict, Field
from rest_framework.request import Request
from rest_framework.views import APIView

from leads.domain.inputs import LeadMerge, LeadUid
from leads.domain.merge import DUPLICATES_SHOWN
from leads.selectors import duplicates as duplicate_selectors
from leads.services import merges as merge_services

from ..mappers import match_out
from ..schemas import DuplicatesOut, LeadOut, MergePreviewOut
from .base import ERRORS, actor, body, expected_version, query_parameters, render
from .leads import lead_response


class DuplicatesParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(DUPLICATES_SHOWN, ge=1, le=50)


class LeadDuplicatesView(APIView):
    @extend_schema(
        operation_id="leads_duplicates",
        parameters=query_parameters(DuplicatesParams),
        responses={200: DuplicatesOut, **ERRORS},
    )
    def get(self, request: Request, uid: str) -> HttpResponse:
        params = DuplicatesParams.model_validate(request.query_params.dict())
        lead, matches = duplicate_selectors.lead_duplicates(uid=uid, limit=params.limit)
        keys = {"email_key": lead.email_key, "phone_key": lead.phone_key}
        return render(DuplicatesOut(results=[match_out(match, **keys) for match in matches]))


class MergePreviewParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    other: LeadUid = Field(description="uid of the lead that would be folded in")


class LeadMergeView(APIView):
    @extend_schema(
        operation_id="leads_merge_preview",
        parameters=query_parameters(MergePreviewParams),
        responses={200: MergePreviewOut, **ERRORS},
    )
    def get(self, request: Request, uid: str) -> HttpResponse:
        params = MergePreviewParams.model_validate(request.query_params.dict())
        conflicts = duplicate_selectors.merge_preview(uid=uid, other_uid=params.other)
        return render(MergePreviewOut(other=params.other, conflicts=conflicts))

    @extend_schema(
        operation_id="leads_merge", request=LeadMerge, responses={200: LeadOut, **ERRORS}
    )
    def post(self, request: Request, uid: str) -> HttpResponse:
        data = LeadMerge.model_validate(body(request))
        detail = merge_services.lead_merge(
            uid=uid,
            other_uid=data.other,
            choices=data.fields.by_field(),
            actor=actor(request),
            expected_version=expected_version(request, data.version),
            other_version=data.other_version,
        )
        return lead_response(detail)
