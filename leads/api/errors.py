"""The ONE place that turns exceptions into the error shape of DESIGN.md section 4."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.http import Http404
from pydantic import ValidationError as PydanticValidationError
from rest_framework import exceptions as drf
from rest_framework.response import Response

from leads.domain import errors as domain
from leads.store.connection import current_journal, is_database_unavailable, is_failover

logger = logging.getLogger(__name__)


class PayloadTooLarge(drf.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


_DOMAIN_STATUS: list[tuple[type[domain.DomainError], int]] = [
    (domain.ValidationFailed, 400),
    (domain.NotAuthenticated, 401),
    (domain.Forbidden, 403),
    (domain.NotFound, 404),
    (domain.Conflict, 409),
    (domain.TooLarge, 413),
    (domain.TooManyAttempts, 429),
    (domain.AuditNotWritten, 503),
]

_PYDANTIC_MESSAGES = {
    "extra_forbidden": "is not a field you can send here",
    "missing": "is required",
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "datetime_type": "must be a date and time",
    "datetime_parsing": "must be a date and time (ISO 8601)",
    "datetime_from_date_parsing": "must be a date and time (ISO 8601)",
    "date_type": "must be a date",
    "date_parsing": "must be a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "must be a date (YYYY-MM-DD)",
}


_ENUM_MEMBER = re.compile(r"<\w+\.\w+: ('[^']*')>")


def _plain_message(error: Any) -> str:
    """What a refused value's field says, in words a person reads after the field's name
    ("Name: cannot be empty"), not Pydantic's ("String should have at least 1 character")."""
    kind, context = error["type"], error.get("ctx") or {}
    if kind in _PYDANTIC_MESSAGES:
        return _PYDANTIC_MESSAGES[kind]
    if kind == "string_too_short":
        least = context.get("min_length")
        return "cannot be empty" if least == 1 else f"needs at least {least} characters"
    if kind == "string_too_long":
        return f"can have at most {context.get('max_length')} characters"
    if kind == "too_short":
        least = context.get("min_length")
        return "needs at least one" if least == 1 else f"needs at least {least}"
    if kind == "too_long":
        return f"can have at most {context.get('max_length')}"
    bounds = {
        "greater_than_equal": ("must be {} or more", "ge"),
        "greater_than": ("must be more than {}", "gt"),
        "less_than_equal": ("must be {} or less", "le"),
        "less_than": ("must be less than {}", "lt"),
    }
    if kind in bounds:
        template, name = bounds[kind]
        return template.format(context.get(name))
    # An enum member in a choice reads as its value: "<Status.OPEN: 'open'>" as 'open'.
    message = _ENUM_MEMBER.sub(r"\1", str(error["msg"]))
    if message.startswith("Input should be "):
        # literal and enum choices: "Input should be 'a' or 'b'"
        return "must be " + message.removeprefix("Input should be ")
    return message.removeprefix("Value error, ")


def _printable(value: Any) -> Any:
    """`value` with every string made encodable: a lone surrogate (which UTF-8 cannot carry)
    becomes its escape, so a message quoting bad input never makes the error response fail."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_printable(key): _printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(item) for item in value]
    return value


def error_body(
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "fields": fields or {}}
    if details:
        error["details"] = details
    return {"error": _printable(error)}


def pydantic_fields(exc: PydanticValidationError) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        path = ".".join(str(part) for part in error["loc"]) or "body"
        fields.setdefault(path, []).append(_plain_message(error))
    return fields


def _drf_fields(detail: Any) -> dict[str, list[str]]:
    if not isinstance(detail, dict):
        return {}
    return {
        str(key): [str(item) for item in value] if isinstance(value, list) else [str(value)]
        for key, value in detail.items()
    }


def _response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(body, status=status, headers=headers)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    try:
        return _handle(exc)
    except Exception:
        # The handler must answer whatever it is given: a bug here is still a JSON 500.
        logger.exception("the error handler failed on %r", type(exc))
        return _response(500, error_body("server_error", "Something went wrong on our side."))


def item_error(exc: domain.DomainError | PydanticValidationError) -> dict[str, Any]:
    """The error of one item of a bulk request, in the shape a single request's 4xx has:
    `{code, message, fields, details?}`."""
    if isinstance(exc, domain.DomainError):
        body = error_body(exc.code, exc.message, exc.fields, exc.details)
    else:
        fields = pydantic_fields(exc)
        body = error_body("invalid", f"Invalid input: {', '.join(fields)}.", fields)
    error: dict[str, Any] = body["error"]
    return error


def _handle(exc: Exception) -> Response:
    if isinstance(exc, domain.DomainError):
        status = next(code for family, code in _DOMAIN_STATUS if isinstance(exc, family))
        headers = None
        if isinstance(exc, domain.TooManyAttempts):
            headers = {"Retry-After": str(exc.retry_after_seconds)}
        return _response(
            status, error_body(exc.code, exc.message, exc.fields, exc.details), headers
        )
    if isinstance(exc, PydanticValidationError):
        fields = pydantic_fields(exc)
        named = ", ".join(fields)
        return _response(400, error_body("invalid", f"Invalid input: {named}.", fields))
    if isinstance(exc, Http404):
        return _response(404, error_body("not_found", "Not found."))
    if isinstance(exc, drf.APIException):
        headers = {}
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            headers["WWW-Authenticate"] = auth_header
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else "Invalid input."
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        return _response(
            exc.status_code, error_body(str(code), message, _drf_fields(detail)), headers
        )
    if is_database_unavailable(exc):
        logger.error("database unavailable: %s", exc)
        journal = current_journal()
        if journal is not None and is_failover(exc):
            # The API middleware may run the request again once a new primary is elected.
            journal.failover = True
        return _response(
            503, error_body("database_unavailable", "The database cannot be reached; try again.")
        )
    logger.exception("unhandled error", exc_info=exc)
    return _response(500, error_body("server_error", "Something went wrong on our side."))
