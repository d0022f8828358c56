"""Saved views: named filters (and a sort) for the board or the list."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from pydantic import BaseModel, ConfigDict, Field, RootModel
from pydantic import ValidationError as PydanticValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from leads.domain.errors import ValidationFailed
from leads.domain.inputs import ViewCreate, ViewUpdate
from leads.domain.models import User, ViewTarget
from leads.selectors import views as view_selectors
from leads.services import views as view_services

from ..errors import pydantic_fields
from ..mappers import view_out
from ..parsers import check_query
from ..permissions import SignedIn
from ..schemas import ViewOut
from .base import (
    ERRORS,
    actor,
    body,
    etag,
    expected_version,
    query_parameters,
    render,
    sent_version,
)
from .leads import PAGING, LeadFilterParams, lead_filter_of
from .pipeline import KanbanParams

# What the board filters by: the list's filters that the board takes too (its `stage` picks
# one column to page through, it filters nothing).
BOARD_FILTERS = (
    frozenset(LeadFilterParams.model_fields) & frozenset(KanbanParams.model_fields)
) - {"stage"}


def check_view_filters(query: str, target: ViewTarget, reader: User) -> str:
    """The filters of a view as a tidy query string; refused, naming each bad one as
    `filters.<name>`, where the list (or, for a board view, the board) would refuse them: read
    by the list's own parsing, so a saved view always opens."""
    try:
        pairs = parse_qsl(query, keep_blank_values=False, strict_parsing=bool(query))
    except ValueError:
        raise ValidationFailed.on("filters", "must be a query string: name=value&...") from None
    filters = dict(pairs)
    problems: dict[str, list[str]] = {}
    try:
        check_query(filters)
    except ValidationFailed as exc:
        problems.update({f"filters.{path}": messages for path, messages in exc.fields.items()})
        raise ValidationFailed("Some filters of the view are not valid.", fields=problems) from None
    for name in sorted(PAGING & set(filters)):
        problems[f"filters.{name}"] = ["is not a filter (a view keeps its sort apart)"]
    if target == "board":
        for name in sorted(set(filters) - BOARD_FILTERS - PAGING):
            problems[f"filters.{name}"] = ["is not a filter the board takes"]
    try:
        lead_filter_of(
            {k: v for k, v in filters.items() if k not in PAGING}, LeadFilterParams, me=reader.uid
        )
    except PydanticValidationError as exc:
        for path, messages in pydantic_fields(exc).items():
            problems.setdefault(f"filters.{path}", messages)
    except ValidationFailed as exc:
        for path, messages in exc.fields.items():
            problems.setdefault(f"filters.{path}", messages)
    if problems:
        raise ValidationFailed("Some filters of the view are not valid.", fields=problems)
    return urlencode(list(filters.items()))


class ViewListOut(RootModel[list[ViewOut]]):
    """The views the user may use: their own and the shared ones, by name."""


class ViewListParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: ViewTarget | None = Field(None, description="only the board's or the list's")


class ViewCollectionView(APIView):
    permission_classes = [SignedIn]

    @extend_schema(
        operation_id="views_list",
        parameters=query_parameters(ViewListParams),
        responses={200: ViewListOut, **ERRORS},
    )
    def get(self, request: Request) -> HttpResponse:
        params = ViewListParams.model_validate(request.query_params.dict())
        views = view_selectors.view_list(actor=actor(request), target=params.target)
        return render(ViewListOut.model_validate([view_out(view) for view in views]))

    @extend_schema(
        operation_id="views_create", request=ViewCreate, responses={201: ViewOut, **ERRORS}
    )
    def post(self, request: Request) -> HttpResponse:
        data = ViewCreate.model_validate(body(request))
        filters = check_view_filters(data.filters, data.target, actor(request))
        view = view_services.view_create(
            data=data.model_copy(update={"filters": filters}), actor=actor(request)
        )
        return render(view_out(view), 201, etag(view.version))


IF_MATCH = OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False)


class ViewDetailView(APIView):
    permission_classes = [SignedIn]

    @extend_schema(operation_id="views_retrieve", responses={200: ViewOut, **ERRORS})
    def get(self, request: Request, uid: str) -> HttpResponse:
        view = view_selectors.view_get(uid=uid, actor=actor(request))
        return render(view_out(view), headers=etag(view.version))

    @extend_schema(
        operation_id="views_update",
        request=ViewUpdate,
        responses={200: ViewOut, **ERRORS},
        parameters=[IF_MATCH],
    )
    def patch(self, request: Request, uid: str) -> HttpResponse:
        changes = ViewUpdate.model_validate(body(request))
        if "filters" in changes.model_fields_set:
            # The target never changes: the filters are checked against the stored one.
            target = view_selectors.view_get(uid=uid, actor=actor(request)).target
            filters = check_view_filters(changes.filters, target, actor(request))
            changes = changes.model_copy(update={"filters": filters})
        view = view_services.view_update(
            uid=uid,
            changes=changes,
            actor=actor(request),
            expected_version=expected_version(request, sent_version(changes)),
        )
        return render(view_out(view), headers=etag(view.version))

    @extend_schema(
        operation_id="views_destroy", responses={204: None, **ERRORS}, parameters=[IF_MATCH]
    )
    def delete(self, request: Request, uid: str) -> HttpResponse:
        view_services.view_delete(
            uid=uid, actor=actor(request), expected_version=expected_version(request, None)
        )
        return Response(status=204)
