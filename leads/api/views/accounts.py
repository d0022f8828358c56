from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import get_token
from drf_spectacular.utils import extend_schema
from pydantic import BaseModel, ConfigDict, Field, RootModel
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from leads.domain.inputs import Login, UserCreate, UserUpdate
from leads.selectors import users as user_selectors
from leads.services import users as user_services

from ..auth import forget_session, request_origin, sign_in_session, signed_in_digests
from ..mappers import user_out
from ..permissions import AdminWrites, SignedIn
from ..schemas import ErrorOut, LoginOut, UserOut
from .base import ERRORS, actor, body, query_parameters, render


class UserListOut(RootModel[list[UserOut]]):
    """Users, by username."""


class LoginView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_login",
        request=Login,
        responses={200: LoginOut, 429: ErrorOut, **ERRORS},
        auth=[],
    )
    def post(self, request: Request) -> HttpResponse:
        credentials = Login.model_validate(body(request))
        signed_in = user_services.auth_login(
            username=credentials.username,
            password=credentials.password,
            origin=request_origin(request),
        )
        # The web app rides on the session cookie; API clients use the token.
        sign_in_session(request._request, signed_in)
        get_token(request._request)
        return render(
            LoginOut(
                token=signed_in.token,
                expires_in_hours=settings.LEADCRM_TOKEN_TTL_HOURS,
                user=user_out(signed_in.user),
            )
        )


class LogoutView(APIView):
    permission_classes = [SignedIn]

    @extend_schema(operation_id="auth_logout", request=None, responses={204: None, **ERRORS})
    def post(self, request: Request) -> HttpResponse:
        user_services.auth_logout(
            digests=signed_in_digests(request), actor=actor(request), origin=request_origin(request)
        )
        forget_session(request._request)
        return Response(status=204)


class MeView(APIView):
    permission_classes = [SignedIn]

    @extend_schema(operation_id="auth_me", responses={200: UserOut, **ERRORS})
    def get(self, request: Request) -> HttpResponse:
        return render(user_out(actor(request)))


class UserListParams(BaseModel):
    # A value that is not a boolean is refused, not read as false.
    model_config = ConfigDict(extra="forbid")

    include_inactive: bool = Field(False, description="admins only")


class UserCollectionView(APIView):
    permission_classes = [AdminWrites]

    @extend_schema(
        operation_id="users_list",
        responses={200: UserListOut, **ERRORS},
        parameters=query_parameters(UserListParams),
    )
    def get(self, request: Request) -> HttpResponse:
        params = UserListParams.model_validate(request.query_params.dict())
        users = user_selectors.user_list(
            include_inactive=params.include_inactive and actor(request).is_admin
        )
        return render(UserListOut.model_validate([user_out(user) for user in users]))

    @extend_schema(
        operation_id="users_create", request=UserCreate, responses={201: UserOut, **ERRORS}
    )
    def post(self, request: Request) -> HttpResponse:
        user = user_services.user_create(
            data=UserCreate.model_validate(body(request)),
            actor=actor(request),
            origin=request_origin(request),
        )
        return render(user_out(user), 201)


class UserDetailView(APIView):
    permission_classes = [AdminWrites]

    @extend_schema(operation_id="users_retrieve", responses={200: UserOut, **ERRORS})
    def get(self, request: Request, uid: str) -> HttpResponse:
        return render(user_out(user_selectors.user_get(uid=uid)))

    @extend_schema(
        operation_id="users_update", request=UserUpdate, responses={200: UserOut, **ERRORS}
    )
    def patch(self, request: Request, uid: str) -> HttpResponse:
        changes = UserUpdate.model_validate(body(request))
        user = user_services.user_update(
            uid=uid, changes=changes, actor=actor(request), origin=request_origin(request)
        )
        return render(user_out(user))
