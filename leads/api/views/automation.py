"""Automation rules (/work/briefs/RULES.md), admins only: list, create, read, change, delete,
and a rule's recent runs."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from pydantic import BaseModel, ConfigDict, Field
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from leads.domain.automation import RuleCreate, RuleUpdate
from leads.selectors import automation as rule_selectors
from leads.services import automation as rule_services

from ..auth import request_origin
from ..mappers import rule_list_out, rule_out, run_out
from ..permissions import AdminOnly
from ..schemas import RuleListOut, RuleOut, RunListOut
from .base import ERRORS, actor, body, etag, expected_version, query_parameters, render

IF_MATCH = OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False)


class RulesAdminsOnly(AdminOnly):
    message = "Only admins can see and manage automation rules."


class RuleCollectionView(APIView):
    permission_classes = [RulesAdminsOnly]

    @extend_schema(operation_id="automation_rules_list", responses={200: RuleListOut, **ERRORS})
    def get(self, request: Request) -> HttpResponse:
        rules = rule_selectors.rule_list()
        return render(rule_list_out(rules, rule_selectors.rule_names(rules)))

    @extend_schema(
        operation_id="automation_rules_create",
        request=RuleCreate,
        responses={201: RuleOut, **ERRORS},
    )
    def post(self, request: Request) -> HttpResponse:
        data = RuleCreate.model_validate(body(request))
        rule = rule_services.rule_create(
            data=data, actor=actor(request), origin=request_origin(request)
        )
        return render(rule_out(rule, rule_selectors.rule_names([rule])), 201, etag(rule.version))


class RuleDetailView(APIView):
    permission_classes = [RulesAdminsOnly]

    @extend_schema(operation_id="automation_rules_retrieve", responses={200: RuleOut, **ERRORS})
    def get(self, request: Request, uid: str) -> HttpResponse:
        rule = rule_selectors.rule_get(uid=uid)
        names = rule_selectors.rule_names([rule])
        return render(rule_out(rule, names), headers=etag(rule.version))

    @extend_schema(
        operation_id="automation_rules_update",
        request=RuleUpdate,
        responses={200: RuleOut, **ERRORS},
    )
    def patch(self, request: Request, uid: str) -> HttpResponse:
        changes = RuleUpdate.model_validate(body(request))
        rule = rule_services.rule_update(
            uid=uid, changes=changes, actor=actor(request), origin=request_origin(request)
        )
        names = rule_selectors.rule_names([rule])
        return render(rule_out(rule, names), headers=etag(rule.version))

    @extend_schema(
        operation_id="automation_rules_destroy",
        responses={204: None, **ERRORS},
        parameters=[IF_MATCH],
    )
    def delete(self, request: Request, uid: str) -> HttpResponse:
        rule_services.rule_delete(
            uid=uid,
            expected_version=expected_version(request, None),
            actor=actor(request),
            origin=request_origin(request),
        )
        return Response(status=204)


class RunListParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: Annotated[int, Field(ge=1, le=200)] = Field(50, description="runs, newest first")


class RuleRunsView(APIView):
    permission_classes = [RulesAdminsOnly]

    @extend_schema(
        operation_id="automation_rules_runs_list",
        parameters=query_parameters(RunListParams),
        responses={200: RunListOut, **ERRORS},
    )
    def get(self, request: Request, uid: str) -> HttpResponse:
        params = RunListParams.model_validate(request.query_params.dict())
        runs = rule_selectors.run_list(uid=uid, limit=params.limit)
        return render(RunListOut(results=[run_out(run) for run in runs]))
