"""One action on many leads."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from leads.domain.inputs import LeadBulk
from leads.services import bulk as bulk_services

from ..mappers import bulk_out
from ..schemas import BulkOut
from .base import ERRORS, actor, body, render


class LeadBulkView(APIView):
    """200 with one result per lead, refused ones included; 4xx only for the request as a
    whole (bad input, a viewer, unknown users to assign)."""

    @extend_schema(operation_id="leads_bulk", request=LeadBulk, responses={200: BulkOut, **ERRORS})
    def post(self, request: Request) -> HttpResponse:
        data = LeadBulk.model_validate(body(request))
        return render(bulk_out(bulk_services.leads_bulk(data=data, actor=actor(request))))
