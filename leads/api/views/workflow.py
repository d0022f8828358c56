from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from leads.domain.inputs import ConfigUpdate, StageCreate, StageReorder, StageUpdate
from leads.domain.models import WorkItemConfig, WorkStage
from leads.selectors import workflow as workflow_selectors
from leads.services import workflow as workflow_services

from ..auth import request_origin
from ..mappers import config_out, stage_out
from ..permissions import AdminWrites
from ..schemas import ConfigOut, StageDeleteOut, StageListOut, StageOut
from .base import ERRORS, actor, body, etag, expected_version, render, sent_version

IF_MATCH = OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False)


def _config_out(config: WorkItemConfig) -> HttpResponse:
    return render(config_out(config), headers=etag(config.version))


def _stages_out(stages: list[WorkStage]) -> HttpResponse:
    return render(StageListOut([stage_out(stage) for stage in stages]))


def _stage_out(stage: WorkStage, status: int = 200) -> HttpResponse:
    return render(stage_out(stage), status, etag(stage.version))


class ConfigView(APIView):
    permission_classes = [AdminWrites]

    @extend_schema(operation_id="config_retrieve", responses={200: ConfigOut, **ERRORS})
    def get(self, request: Request) -> HttpResponse:
        return _config_out(workflow_selectors.config_get())

    @extend_schema(
        operation_id="config_update",
        request=ConfigUpdate,
        responses={200: ConfigOut, **ERRORS},
        parameters=[IF_MATCH],
    )
    def patch(self, request: Request) -> HttpResponse:
        changes = ConfigUpdate.model_validate(body(request))
        config = workflow_services.config_update(
            changes=changes,
            expected_version=expected_version(request, sent_version(changes)),
            actor=actor(request),
            origin=request_origin(request),
        )
        return _config_out(config)


class StageCollectionView(APIView):
    permission_classes = [AdminWrites]

    @extend_schema(operation_id="stages_list", responses={200: StageListOut, **ERRORS})
    def get(self, request: Request) -> HttpResponse:
        return _stages_out(workflow_selectors.stage_list())

    @extend_schema(
        operation_id="stages_create", request=StageCreate, responses={201: StageOut, **ERRORS}
    )
    def post(self, request: Request) -> HttpResponse:
        stage = workflow_services.stage_create(
            data=StageCreate.model_validate(body(request)),
            actor=actor(request),
            origin=request_origin(request),
        )
        return _stage_out(stage, 201)


class StageDetailView(APIView):
    permission_classes = [AdminWrites]

    @extend_schema(operation_id="stages_retrieve", responses={200: StageOut, **ERRORS})
    def get(self, request: Request, uid: str) -> HttpResponse:
        return _stage_out(workflow_selectors.stage_get(uid=uid))

    @extend_schema(
        operation_id="stages_update",
        request=StageUpdate,
        responses={200: StageOut, **ERRORS},
        parameters=[IF_MATCH],
    )
    def patch(self, request: Request, uid: str) -> HttpResponse:
        changes = StageUpdate.model_validate(body(request))
        stage = workflow_services.stage_update(
            uid=uid,
            changes=changes,
            expected_version=expected_version(request, sent_version(changes)),
            actor=actor(request),
            origin=request_origin(request),
        )
        return _stage_out(stage)

    @extend_schema(
        operation_id="stages_destroy",
        responses={200: StageDeleteOut, **ERRORS},
        parameters=[
            OpenApiParameter(
                "move_to",
                str,
                OpenApiParameter.QUERY,
                description="stage uid that receives the leads of the deleted stage",
            )
        ],
    )
    def delete(self, request: Request, uid: str) -> HttpResponse:
        move_to = request.query_params.get("move_to") or None
        moved = workflow_services.stage_delete(
            uid=uid, move_to=move_to, actor=actor(request), origin=request_origin(request)
        )
        return render(StageDeleteOut(deleted=uid, moved_leads=moved))


class StageReorderView(APIView):
    permission_classes = [AdminWrites]

    @extend_schema(
        operation_id="stages_reorder", request=StageReorder, responses={200: StageListOut, **ERRORS}
    )
    def post(self, request: Request) -> HttpResponse:
        data = StageReorder.model_validate(body(request))
        stages = workflow_services.stage_reorder(
            data=data, actor=actor(request), origin=request_origin(request)
        )
        return _stages_out(stages)
