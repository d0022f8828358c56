"""Request bodies and query strings: JSON only, bounded in size and depth, text that can be
stored and searched, finite numbers, and no key that could become a query operator."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from leads.domain.errors import ValidationFailed

from .errors import PayloadTooLarge

# Deeper than any body the API takes (a config with its field options is 4 levels).
MAX_DEPTH = 32
_INT64 = (-(2**63), 2**63 - 1)
# A lone surrogate cannot be encoded as UTF-8 (nor stored as BSON); NUL ends C strings and
# MongoDB's regular expressions.
_UNSTORABLE = re.compile("[\ud800-\udfff\x00]")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is out of range for a number")
    return number


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored or searched, or None when it can."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "must not contain the NUL character"
    return "must be valid Unicode text (it holds a lone surrogate)"


def _check_text(path: str, text: str, *, what: str = "") -> None:
    problem = text_problem(text)
    if problem is not None:
        raise ValidationFailed.on(path or "body", f"{what}{problem}")


def check_body(value: Any) -> None:
    """Refuse, naming where they are at any depth: keys that start with `$` or hold a `.`,
    keys and strings that are not storable text, integers beyond 64 bits, and nesting deeper
    than MAX_DEPTH."""
    stack: list[tuple[str, Any, int]] = [("", value, 0)]
    while stack:
        path, item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValidationFailed.on(path, f"is nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, str):
            _check_text(path, item)
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int) and not _INT64[0] <= item <= _INT64[1]:
            raise ValidationFailed.on(path or "body", "is too large a number")
        elif isinstance(item, Mapping):
            for key, child in item.items():
                # A key with a surrogate cannot even be shown as a path: check it first.
                _check_text(path, key, what="a key ")
                child_path = f"{path}.{key}" if path else str(key)
                if key.startswith("$") or "." in key:
                    raise ValidationFailed.on(
                        child_path, "keys must not start with '$' or contain '.'"
                    )
                stack.append((child_path, child, depth + 1))
        elif isinstance(item, list):
            stack.extend((f"{path}.{index}", child, depth + 1) for index, child in enumerate(item))


def check_query(params: Mapping[str, Any]) -> None:
    """Refuse query parameters (names and values) that are not storable, searchable text."""
    items = params.lists() if hasattr(params, "lists") else params.items()
    for name, values in items:
        _check_text("query", name, what="a parameter name ")
        for text in values if isinstance(values, list) else [values]:
            _check_text(name, str(text))


class StrictJSONParser(BaseParser):
    media_type = "application/json"

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit: int = settings.MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge()
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise PayloadTooLarge()
        try:
            parsed = json.loads(raw, parse_constant=_reject_constant, parse_float=_finite_float)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"The body is not valid JSON: {exc}") from None
        check_body(parsed)
        return parsed
