"""Who is calling: a bearer token (API clients) or the signed session cookie (the web app)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, CSRFCheck, get_authorization_header
from rest_framework.request import Request

from leads.domain.audit import Origin
from leads.domain.models import User
from leads.services import users as user_services

SESSION_USER_KEY = "leadcrm_user"
# The digest of the token the sign-in issued. The session lives only as long as that token is
# kept in MongoDB: logout (from any copy of the cookie), a password change or deactivation
# removes it, so a copied cookie stops working too. The cookie is signed, not secret, so it
# holds the digest, never the token itself.
SESSION_TOKEN_KEY = "leadcrm_token"


def client_address(request: Request) -> str | None:
    """The caller's IP address. Behind a proxy (LEADCRM_BEHIND_PROXY) it is the last address
    of X-Forwarded-For, the one our proxy appended; earlier ones are the client's to invent.
    Without a proxy the header is ignored for the same reason."""
    if settings.BEHIND_PROXY:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1][:64]
    address = request.META.get("REMOTE_ADDR")
    return str(address)[:64] if address else None


def sign_in_session(request: Any, signed_in: user_services.SignIn) -> None:
    request.session.cycle_key()
    request.session[SESSION_USER_KEY] = signed_in.user.uid
    request.session[SESSION_TOKEN_KEY] = user_services.token_digest(signed_in.token)


def request_origin(request: Request) -> Origin:
    """Where the request came from, for the audit log."""
    agent = str(request.META.get("HTTP_USER_AGENT", ""))[:256]
    return Origin(address=client_address(request), user_agent=agent or None)


def signed_in_digests(request: Request) -> list[str]:
    """The digests of the sign-ins this request rides on: its bearer token, its session."""
    digests = []
    if isinstance(request.auth, str):
        digests.append(user_services.token_digest(request.auth))
    session = getattr(request._request, "session", None)
    if session is not None and session.get(SESSION_TOKEN_KEY):
        digests.append(str(session[SESSION_TOKEN_KEY]))
    return digests


def forget_session(request: Any) -> None:
    """Drop the session here; its sign-in is revoked for every copy of the cookie by the
    logout service, which removes the token the session names."""
    request.session.flush()


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
        digest = session.get(SESSION_TOKEN_KEY)
        if not digest:
            return None
        user = user_services.auth_user_for_session(digest=str(digest))
        if user is None or user.uid != session.get(SESSION_USER_KEY):
            session.flush()
            return None
        _refuse_without_csrf(request._request)
        return user, None
