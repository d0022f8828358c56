"""The audit log, for admins."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from pydantic import BaseModel, ConfigDict, Field
from rest_framework.request import Request
from rest_framework.views import APIView

from leads.domain.inputs import QueryMoment
from leads.selectors import audit as audit_selectors

from ..mappers import audit_entry_out
from ..permissions import AdminOnly
from ..schemas import AuditPageOut
from .base import ERRORS, query_parameters, render
from .leads import page_url


class AuditParams(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=False)

    action: Annotated[str, Field(max_length=40)] | None = Field(
        None, description="an action code (stage.updated) or a kind: stage., config., user., auth."
    )
    actor: Annotated[str, Field(max_length=64)] | None = Field(
        None, description="a username (for failed sign-ins: the username tried)"
    )
    since: QueryMoment | None = Field(None, alias="from", description="ISO 8601, inclusive")
    until: QueryMoment | None = Field(None, alias="to", description="ISO 8601, exclusive")
    cursor: str | None = Field(None, description="from the previous page's next link")
    limit: int = Field(50, ge=1, le=200)


class AuditCollectionView(APIView):
    permission_classes = [AdminOnly]

    @extend_schema(
        operation_id="audit_list",
        parameters=query_parameters(AuditParams),
        responses={200: AuditPageOut, **ERRORS},
    )
    def get(self, request: Request) -> HttpResponse:
        params = AuditParams.model_validate(request.query_params.dict())
        page = audit_selectors.audit_list(
            action=params.action,
            actor=params.actor,
            since=params.since,
            until=params.until,
            cursor=params.cursor,
            limit=params.limit,
        )
        return render(
            AuditPageOut(
                results=[audit_entry_out(entry) for entry in page.items],
                next=page_url(request, page.next_cursor),
                next_cursor=page.next_cursor,
            )
        )
