from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from leads.store.connection import ping

from ..schemas import HealthOut
from .base import render


class HealthView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(operation_id="health", responses={200: HealthOut, 503: HealthOut}, auth=[])
    def get(self, request: Request) -> HttpResponse:
        if ping():
            return render(HealthOut(status="ok", database="reachable"))
        return render(HealthOut(status="degraded", database="unreachable"), 503)
