"""Webhooks (DESIGN.md section 11), admins only: register, change, delete; their deliveries,
a redelivery, a test ping."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from pydantic import BaseModel, ConfigDict, Field
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from leads.domain.webhooks import WebhookCreate, WebhookUpdate
from leads.selectors import webhooks as webhook_selectors
from leads.services import webhooks as webhook_services

from ..auth import request_origin
from ..mappers import delivery_out, webhook_created_out, webhook_out
from ..permissions import AdminOnly
from ..schemas import DeliveryOut, DeliveryPageOut, WebhookCreatedOut, WebhookListOut, WebhookOut
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

IF_MATCH = OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False)


class WebhooksAdminsOnly(AdminOnly):
    """Webhooks carry every lead out of the CRM and hold signing secrets: admins only."""

    message = "Only admins can see and manage webhooks."


class WebhookCollectionView(APIView):
    permission_classes = [WebhooksAdminsOnly]

    @extend_schema(operation_id="webhooks_list", responses={200: WebhookListOut, **ERRORS})
    def get(self, request: Request) -> HttpResponse:
        hooks = webhook_selectors.webhook_list()
        return render(WebhookListOut.model_validate([webhook_out(hook) for hook in hooks]))

    @extend_schema(
        operation_id="webhooks_create",
        request=WebhookCreate,
        responses={201: WebhookCreatedOut, **ERRORS},
    )
    def post(self, request: Request) -> HttpResponse:
        data = WebhookCreate.model_validate(body(request))
        webhook = webhook_services.webhook_create(
            data=data, actor=actor(request), origin=request_origin(request)
        )
        return render(webhook_created_out(webhook), 201, etag(webhook.version))


class WebhookDetailView(APIView):
    permission_classes = [WebhooksAdminsOnly]

    @extend_schema(operation_id="webhooks_retrieve", responses={200: WebhookOut, **ERRORS})
    def get(self, request: Request, uid: str) -> HttpResponse:
        webhook = webhook_selectors.webhook_get(uid=uid)
        return render(webhook_out(webhook), headers=etag(webhook.version))

    @extend_schema(
        operation_id="webhooks_update",
        request=WebhookUpdate,
        responses={200: WebhookOut, **ERRORS},
        parameters=[IF_MATCH],
    )
    def patch(self, request: Request, uid: str) -> HttpResponse:
        changes = WebhookUpdate.model_validate(body(request))
        webhook = webhook_services.webhook_update(
            uid=uid,
            changes=changes,
            expected_version=expected_version(request, sent_version(changes)),
            actor=actor(request),
            origin=request_origin(request),
        )
        return render(webhook_out(webhook), headers=etag(webhook.version))

    @extend_schema(
        operation_id="webhooks_destroy", responses={204: None, **ERRORS}, parameters=[IF_MATCH]
    )
    def delete(self, request: Request, uid: str) -> HttpResponse:
        webhook_services.webhook_delete(
            uid=uid,
            expected_version=expected_version(request, None),
            actor=actor(request),
            origin=request_origin(request),
        )
        return Response(status=204)


class DeliveryListParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: Annotated[int, Field(ge=1, le=100)] = Field(20, description="deliveries per page")
    cursor: Annotated[str, Field(max_length=200)] | None = Field(
        None, description="`next_cursor` of the page before"
    )


class DeliveryCollectionView(APIView):
    permission_classes = [WebhooksAdminsOnly]

    @extend_schema(
        operation_id="webhooks_deliveries_list",
        parameters=query_parameters(DeliveryListParams),
        responses={200: DeliveryPageOut, **ERRORS},
    )
    def get(self, request: Request, uid: str) -> HttpResponse:
        params = DeliveryListParams.model_validate(request.query_params.dict())
        page = webhook_selectors.delivery_list(uid=uid, limit=params.limit, cursor=params.cursor)
        return render(
            DeliveryPageOut(
                results=[delivery_out(delivery) for delivery in page.items],
                next_cursor=page.next_cursor,
            )
        )


class DeliveryRedeliverView(APIView):
    permission_classes = [WebhooksAdminsOnly]

    @extend_schema(
        operation_id="webhooks_deliveries_redeliver",
        request=None,
        responses={202: DeliveryOut, **ERRORS},
    )
    def post(self, request: Request, uid: str, delivery_id: str) -> HttpResponse:
        delivery = webhook_services.delivery_redeliver(uid=uid, delivery_id=delivery_id)
        return render(delivery_out(delivery), 202)


class WebhookTestView(APIView):
    permission_classes = [WebhooksAdminsOnly]

    @extend_schema(
        operation_id="webhooks_test", request=None, responses={202: DeliveryOut, **ERRORS}
    )
    def post(self, request: Request, uid: str) -> HttpResponse:
        return render(delivery_out(webhook_services.webhook_ping(uid=uid)), 202)
