"""Small builders for domain tests: plain values, no database, no services."""

from __future__ import annotations

from typing import Any

from leads.domain.enums import CHOICE_FIELD_TYPES, FieldType
from leads.domain.fields import FieldDefinition

OPTIONS = [
    {"value": "red", "label": "Red"},
    {"value": "green", "label": "Green"},
    {"value": "blue", "label": "Blue"},
]


def definition_data(
    field_type: FieldType | str, key: str = "field", **extra: Any
) -> dict[str, Any]:
    """The raw definition a client would send; choice types get three colour options."""
    data: dict[str, Any] = {
        "field_key": key,
        "label": key.replace("_", " ").title(),
        "field_type": str(field_type),
    }
    if FieldType(field_type) in CHOICE_FIELD_TYPES:
        data["options"] = OPTIONS
    return {**data, **extra}


def definition(field_type: FieldType | str, key: str = "field", **extra: Any) -> FieldDefinition:
    return FieldDefinition.model_validate(definition_data(field_type, key, **extra))
