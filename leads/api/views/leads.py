from __future__ import annotations

from typing import Annotated, TypeVar

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from leads.domain.enums import WorkItemStatus
from leads.domain.errors import ValidationFailed
from leads.domain.inputs import (
    LeadCreate,
    LeadUpdate,
    QueryDay,
    QueryMoment,
    optional_email,
    optional_phone,
)
from leads.domain.queries import LeadFilter, LeadSort
from leads.domain.transitions import LeadDetail
from leads.selectors import leads as lead_selectors
from leads.services import leads as lead_services

from ..mappers import created_lead_out, lead_hit_out, lead_list_item, lead_out
from ..schemas import CreatedLeadOut, LeadOut, LeadPageOut, LeadSearchOut
from .base import (
    ERRORS,
    actor,
    body,
    day_start,
    etag,
    expected_version,
    query_parameters,
    render,
    sent_version,
)


class LeadFilterParams(BaseModel):
    """The lead list's filters: what a list URL, its export and a saved view carry (besides
    `data.<key>`)."""

    model_config = ConfigDict(extra="forbid")

    stage: str | None = Field(None, description="stage uid")
    status: WorkItemStatus | None = None
    assigned_to: str | None = Field(None, description="user uid, or `me`")
    tag: str | None = None
    source: Annotated[str, Field(max_length=100)] | None = None
    entered_stage: str | None = Field(
        None, description="stage uid: leads that entered it (in the entered_from/to period)"
    )
    entered_from: QueryDay | None = Field(None, description="with entered_stage: first day, UTC")
    entered_to: QueryDay | None = Field(None, description="with entered_stage: last day, included")
    created_after: QueryMoment | None = Field(None, description="ISO 8601, inclusive")
    created_before: QueryMoment | None = Field(None, description="ISO 8601, exclusive")
    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = Field(
        None, description="search in name, email, phone and company"
    )
    overdue: bool = Field(False, description="only leads with an open task past its due date")
    stale: bool = Field(
        False, description="only open leads idle for longer than their stage's rot_after_days"
    )
    email: Annotated[str, Field(max_length=254)] | None = Field(
        None, description="this email address, in any case"
    )
    phone: Annotated[str, Field(max_length=40)] | None = Field(
        None,
        description="this phone number, however it is written (compared by its digits)",
    )
    _email = field_validator("email")(optional_email)
    _phone = field_validator("phone")(optional_phone)


class LeadSortParams(LeadFilterParams):
    """The list's filters and its order: what the list and its export take."""

    sort: LeadSort = Field("-created_at", description="created_at, updated_at or name; - for desc")


PAGING = frozenset({"sort", "limit", "cursor"})


class LeadListParams(LeadSortParams):
    limit: int = Field(25, ge=1, le=200)
    cursor: str | None = Field(None, description="from a previous page's next/previous link")


P = TypeVar("P", bound=LeadFilterParams)


def lead_filter_params(request: Request, model: type[P]) -> tuple[P, LeadFilter]:
    """THE reading of the list's query string (the list and the export): the parameters, and
    the filter they ask for, custom fields (`data.<key>=`) checked against the config."""
    return lead_filter_of(request.query_params.dict(), model, me=actor(request).uid)


def lead_filter_of(raw: dict[str, str], model: type[P], *, me: str | None) -> tuple[P, LeadFilter]:
    """`raw` parameters as the list's query string has them (`export_leads` passes its options
    so); `assigned_to=me` means the user `me`. Raises ValidationFailed or a pydantic error."""
    raw = dict(raw)
    data_raw = {key[5:]: raw.pop(key) for key in list(raw) if key.startswith("data.")}
    params = model.model_validate(raw)
    assigned_to = params.assigned_to
    if assigned_to == "me":
        if me is None:
            raise ValidationFailed.on("assigned_to", "`me` needs a signed-in user: give a uid")
        assigned_to = me
    lead_filter = LeadFilter(
        stage=params.stage,
        status=params.status,
        assigned_to=assigned_to,
        tag=params.tag,
        source=params.source,
        entered_stage=params.entered_stage,
        entered_after=day_start(params.entered_from),
        entered_before=day_start(params.entered_to, days_after=1),
        created_after=params.created_after,
        created_before=params.created_before,
        search=params.q or None,
        email=params.email,
        phone=params.phone,
        overdue=params.overdue,
        stale=params.stale,
        data_equals=lead_selectors.data_filters(data_raw),
    )
    return params, lead_filter


DATA_FILTER = OpenApiParameter(
    "data.<field_key>",
    str,
    OpenApiParameter.QUERY,
    description="custom field equals (a multi-select field: contains) this value",
)


def lead_response(detail: LeadDetail, status: int = 200) -> HttpResponse:
    return render(lead_out(detail), status, etag(detail.lead.version))


def page_url(request: Request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    params = request.query_params.copy()
    params["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


class LeadCollectionView(APIView):
    @extend_schema(
        operation_id="leads_list",
        parameters=[*query_parameters(LeadListParams), DATA_FILTER],
        responses={200: LeadPageOut, **ERRORS},
    )
    def get(self, request: Request) -> HttpResponse:
        params, lead_filter = lead_filter_params(request, LeadListParams)
        page = lead_selectors.lead_list(
            lead_filter=lead_filter,
            sort=params.sort,
            limit=params.limit,
            cursor=params.cursor,
        )
        return render(
            LeadPageOut(
                results=[lead_list_item(item) for item in page.items],
                next=page_url(request, page.next_cursor),
                previous=page_url(request, page.previous_cursor),
                next_cursor=page.next_cursor,
                previous_cursor=page.previous_cursor,
            )
        )

    @extend_schema(
        operation_id="leads_create", request=LeadCreate, responses={201: CreatedLeadOut, **ERRORS}
    )
    def post(self, request: Request) -> HttpResponse:
        data = LeadCreate.model_validate(body(request))
        created = lead_services.lead_create(data=data, actor=actor(request))
        return render(created_lead_out(created), 201, etag(created.lead.version))


class LeadSearchParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = Field(
        description="words that start the lead's name, company, email or phone words; or its "
        "whole email, phone, uid or number"
    )
    limit: int = Field(8, ge=1, le=20)


class LeadSearchView(APIView):
    """The quick jump: a few small rows, best first."""

    @extend_schema(
        operation_id="leads_search",
        parameters=query_parameters(LeadSearchParams),
        responses={200: LeadSearchOut, **ERRORS},
    )
    def get(self, request: Request) -> HttpResponse:
        params = LeadSearchParams.model_validate(request.query_params.dict())
        hits = lead_selectors.lead_search(query=params.q, limit=params.limit)
        return render(LeadSearchOut(results=[lead_hit_out(hit) for hit in hits]))


class LeadDetailView(APIView):
    @extend_schema(operation_id="leads_retrieve", responses={200: LeadOut, **ERRORS})
    def get(self, request: Request, uid: str) -> HttpResponse:
        return lead_response(lead_selectors.lead_get(uid=uid, actor=actor(request)))

    @extend_schema(
        operation_id="leads_update",
        request=LeadUpdate,
        responses={200: LeadOut, **ERRORS},
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False)],
    )
    def patch(self, request: Request, uid: str) -> HttpResponse:
        changes = LeadUpdate.model_validate(body(request))
        detail = lead_services.lead_update(
            uid=uid,
            changes=changes,
            actor=actor(request),
            expected_version=expected_version(request, sent_version(changes)),
        )
        return lead_response(detail)

    @extend_schema(
        operation_id="leads_destroy",
        responses={204: None, **ERRORS},
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False)],
    )
    def delete(self, request: Request, uid: str) -> HttpResponse:
        lead_services.lead_delete(
            uid=uid, expected_version=expected_version(request, None), actor=actor(request)
        )
        return Response(status=204)
