"""What every view shares: rendering models, reading versions, documenting errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter
from pydantic import BaseModel
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

from leads.domain.errors import ValidationFailed
from leads.domain.models import User

from ..schemas import ErrorOut

ERRORS: dict[int, type[BaseModel]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
}


class OwnBody(DefaultContentNegotiation):
    """For views whose success body DRF does not render (a file download, an event stream):
    whatever `Accept` or `?format=` asks for (text/event-stream, format=xlsx) picks no DRF
    renderer, which would answer 406; an error before the body is JSON."""

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, str(renderer.media_type)


def render(
    model: BaseModel, status: int = 200, headers: dict[str, str] | None = None
) -> HttpResponse:
    # Serialized by pydantic-core straight to JSON bytes: no intermediate dicts for Python to
    # build and collect, which is most of the cost of a board of a thousand cards.
    return HttpResponse(
        model.model_dump_json(), status=status, headers=headers, content_type="application/json"
    )


def streamed(request: Request, chunks: Iterator[bytes]) -> Iterator[bytes] | AsyncIterator[bytes]:
    """A streamed body as the server can send it chunk by chunk. Under ASGI Django reads a
    plain iterator whole (into a list) before sending a byte, so there each chunk is pulled
    from it in the request's thread as it is sent; under WSGI (the test client) it is the
    iterator itself."""
    if isinstance(request._request, ASGIRequest):
        return _pulled(chunks)
    return chunks


def _next_chunk(chunks: Iterator[bytes]) -> bytes | None:
    return next(chunks, None)


async def _pulled(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    # Thread-sensitive (the default): the same thread as the rest of the request.
    pull = sync_to_async(_next_chunk)
    try:
        while (chunk := await pull(chunks)) is not None:
            yield chunk
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            # A client gone mid-export: the cursor and the XLSX's temporary file go now.
            await sync_to_async(close)()


def actor(request: Request) -> User:
    user = request.user
    assert isinstance(user, User), "the permission classes let only signed-in users through"
    return user


def body(request: Request) -> dict[str, Any]:
    """The JSON object sent; anything else (a list, a string) is a 400 naming the body."""
    data = request.data
    if not isinstance(data, dict):
        raise ValidationFailed.on("body", "must be a JSON object")
    return data


def sent_version(changes: BaseModel) -> int | None:
    """The `version` of a PATCH body, when it carried one."""
    return getattr(changes, "version", None) if "version" in changes.model_fields_set else None


def expected_version(request: Request, body_version: int | None) -> int | None:
    """The version the client read, from `version` in the body or an `If-Match` header."""
    header = request.headers.get("If-Match")
    if header is None:
        return body_version
    value = header.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise ValidationFailed.on("If-Match", "must be the version number the client read")
    version = int(value)
    if body_version is not None and body_version != version:
        raise ValidationFailed.on("version", "differs from the If-Match header")
    return version


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


def _inlined(schema: Any, definitions: dict[str, Any]) -> Any:
    """A parameter's schema without `$ref`s (an enum's), titles, or the `null` an optional
    parameter allows in the model: a query string leaves the parameter out instead."""
    if isinstance(schema, list):
        return [_inlined(item, definitions) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return _inlined(definitions[schema["$ref"].rsplit("/", 1)[-1]], definitions)
    choices = [choice for choice in schema.get("anyOf", []) if choice.get("type") != "null"]
    if len(choices) == 1:
        rest = {key: value for key, value in schema.items() if key != "anyOf"}
        return _inlined({**choices[0], **rest}, definitions)
    return {
        key: _inlined(value, definitions)
        for key, value in schema.items()
        if key not in ("title", "description") and not (key == "default" and value is None)
    }


def query_parameters(model: type[BaseModel]) -> list[OpenApiParameter]:
    """The query parameters of a list endpoint, documented from the model that parses them:
    their types, enums and bounds, so generated clients (and fuzzers) send what it accepts."""
    schema = model.model_json_schema(mode="validation")
    definitions = schema.get("$defs", {})
    properties = schema.get("properties", {})
    parameters = []
    for name, field in model.model_fields.items():
        public_name = field.alias or name
        parameter_schema = _inlined(properties.get(public_name, {"type": "string"}), definitions)
        parameters.append(
            OpenApiParameter(
                public_name,
                parameter_schema,
                OpenApiParameter.QUERY,
                description=field.description or "",
            )
        )
    return parameters


def day_start(day: date | None, *, days_after: int = 0) -> datetime | None:
    """Midnight UTC at the start of `day` (plus `days_after` days): a period's bound."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=days_after), time.min, tzinfo=UTC)
