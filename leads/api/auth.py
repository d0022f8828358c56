"""Who is calling: a bearer token (API clients) or the signed session cookie (the web app)."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, CSRFCheck, get_authorization_header
from rest_framework.request import Request

from leads.domain.models import User
from leads.selectors import users as user_selectors
from leads.services import users as user_services

SESSION_USER_KEY = "leadcrm_user"
# The password stamp the session was opened with: a later password change ends the session.
SESSION_STAMP_KEY = "leadcrm_stamp"


def password_stamp(user: User) -> str:
    return user.password_changed_at.isoformat() if user.password_changed_at else ""


def sign_in_session(request: Any, user: User) -> None:
    request.session.cycle_key()
    request.session[SESSION_USER_KEY] = user.uid
    request.session[SESSION_STAMP_KEY] = password_stamp(user)


class BearerTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[User, str] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the header as `Authorization: Bearer <token>`."
            )
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        user = user_services.auth_user_for_token(token)
        if user is None:
            raise exceptions.AuthenticationFailed(
                "The token is invalid or has expired; sign in again."
            )
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


def _refuse_without_csrf(request: Any) -> None:
    def no_response(request: Any) -> None:
        return None

    check = CSRFCheck(no_response)  # type: ignore[arg-type]
    check.process_request(request)
    reason = check.process_view(request, None, (), {})  # type: ignore[arg-type]
    if reason:
        raise exceptions.PermissionDenied(f"CSRF check failed: {reason}")


class CookieSessionAuthentication(BaseAuthentication):
    """The web app's session; unsafe methods must carry the CSRF token as Django expects."""

    def authenticate(self, request: Request) -> tuple[User, None] | None:
        session = getattr(request._request, "session", None)
        if session is None:
            return None
        uid = session.get(SESSION_USER_KEY)
        if not uid:
            return None
        user = user_selectors.user_get_or_none(uid=uid)
        if user is None or not user.is_active:
            return None
        if session.get(SESSION_STAMP_KEY) != password_stamp(user):
            session.flush()
            return None
        _refuse_without_csrf(request._request)
        return user, None
