"""Roles (DESIGN.md section 4): viewers read, members work leads, admins run the pipeline."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from leads.domain.models import User


def _user(request: Request) -> User | None:
    user = request.user
    return user if isinstance(user, User) else None


class CanReadLeads(BasePermission):
    """Any signed-in user may read; only members and admins may change leads."""

    message = "Viewers can read but not change leads."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = _user(request)
        if user is None:
            return False
        return request.method in SAFE_METHODS or user.can_write_leads


class AdminWrites(BasePermission):
    """Any signed-in user may read the pipeline set-up; only admins may change it."""

    message = "Only admins can change the pipeline, the config and users."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = _user(request)
        if user is None:
            return False
        return request.method in SAFE_METHODS or user.is_admin


class SignedIn(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return _user(request) is not None


class AdminOnly(BasePermission):
    """Only admins, even to read (the audit log names people and where they sign in from)."""

    message = "Only admins can read the audit log."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = _user(request)
        return user is not None and user.is_admin
