"""FieldDefinition: what a custom field's definition may say, and what it refuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from leads.domain.enums import (
    CHOICE_FIELD_TYPES,
    INPUT_TYPES_BY_FIELD_TYPE,
    NUMERIC_FIELD_TYPES,
    TEXT_FIELD_TYPES,
    FieldType,
    InputType,
)
from leads.domain.fields import FieldDefinition, validate_field_value, validate_lead_data

from .builders import definition, definition_data

FITTING_INPUTS = [
    (field_type, input_type)
    for field_type, input_types in INPUT_TYPES_BY_FIELD_TYPE.items()
    for input_type in input_types
]
MISFITTING_INPUTS = [
    (field_type, input_type)
    for field_type in FieldType
    for input_type in InputType
    if input_type not in INPUT_TYPES_BY_FIELD_TYPE[field_type]
]
CHOICE_TYPES = sorted(CHOICE_FIELD_TYPES)
NON_CHOICE_TYPES = sorted(set(FieldType) - CHOICE_FIELD_TYPES)
NUMERIC_TYPES = sorted(NUMERIC_FIELD_TYPES)
NON_NUMERIC_TYPES = sorted(set(FieldType) - NUMERIC_FIELD_TYPES)
TEXT_TYPES = sorted(TEXT_FIELD_TYPES)
NON_TEXT_TYPES = sorted(set(FieldType) - TEXT_FIELD_TYPES)
LENGTH_TYPES = sorted(TEXT_FIELD_TYPES | {FieldType.MULTI_SELECT})
NON_LENGTH_TYPES = sorted(set(FieldType) - TEXT_FIELD_TYPES - {FieldType.MULTI_SELECT})


@dataclass(frozen=True)
class Refusal:
    """One error of a refused definition: where, of which kind, and what it says."""

    field: str  # the attribute refused; "" when the definition as a whole is
    path: str  # the full location, e.g. "options.0.value"
    type: str  # pydantic's error type, e.g. "string_too_short"
    message: str


def refusals(data: dict[str, Any]) -> list[Refusal]:
    """Every error FieldDefinition raises for `data`."""
    with pytest.raises(ValidationError) as caught:
        FieldDefinition.model_validate(data)
    return [
        Refusal(
            field=str(error["loc"][0]) if error["loc"] else "",
            path=".".join(str(part) for part in error["loc"]),
            type=error["type"],
            message=error["msg"],
        )
        for error in caught.value.errors()
    ]


def refusal(data: dict[str, Any]) -> str:
    """The message of the one error FieldDefinition raises about the definition as a whole
    (the rules that weigh one attribute against another)."""
    [error] = refusals(data)
    assert (error.path, error.type) == ("", "value_error"), error
    return error.message


def attribute_refusal(data: dict[str, Any]) -> tuple[str, str]:
    """(path, error type) of the one error FieldDefinition raises about a single attribute."""
    [error] = refusals(data)
    return error.path, error.type


# Input types


@pytest.mark.parametrize("field_type", list(FieldType))
def test_every_field_type_has_an_input_type(field_type: FieldType) -> None:
    assert INPUT_TYPES_BY_FIELD_TYPE.get(field_type)


@pytest.mark.parametrize("field_type", list(FieldType))
def test_a_definition_without_input_type_gets_the_first_that_fits(field_type: FieldType) -> None:
    assert definition(field_type).input_type == INPUT_TYPES_BY_FIELD_TYPE[field_type][0]


@pytest.mark.parametrize(("field_type", "input_type"), FITTING_INPUTS)
def test_a_definition_accepts_an_input_type_that_fits(
    field_type: FieldType, input_type: InputType
) -> None:
    assert definition(field_type, input_type=input_type).input_type == input_type


@pytest.mark.parametrize(("field_type", "input_type"), MISFITTING_INPUTS)
def test_a_definition_refuses_an_input_type_that_does_not_fit(
    field_type: FieldType, input_type: InputType
) -> None:
    message = refusal(definition_data(field_type, input_type=input_type))
    assert f"input_type '{input_type}' does not fit field_type '{field_type}'" in message


def test_a_definition_refuses_an_unknown_input_type() -> None:
    data = definition_data(FieldType.TEXT, input_type="slider")
    assert attribute_refusal(data) == ("input_type", "enum")


# Options


@pytest.mark.parametrize("field_type", CHOICE_TYPES)
def test_a_choice_field_needs_at_least_one_option(field_type: FieldType) -> None:
    message = refusal(definition_data(field_type, options=[]))
    assert f"a {field_type} field needs at least one option" in message


@pytest.mark.parametrize("field_type", CHOICE_TYPES)
def test_a_choice_field_refuses_repeated_option_values(field_type: FieldType) -> None:
    options = [{"value": "a", "label": "A"}, {"value": "a", "label": "Another A"}]
    assert "option values must be unique" in refusal(definition_data(field_type, options=options))


def test_a_choice_field_lists_its_option_values_in_order() -> None:
    assert definition(FieldType.SELECT).option_values == ["red", "green", "blue"]


@pytest.mark.parametrize("field_type", NON_CHOICE_TYPES)
def test_a_field_that_is_not_a_choice_refuses_options(field_type: FieldType) -> None:
    message = refusal(definition_data(field_type, options=[{"value": "a", "label": "A"}]))
    assert f"options are only for select fields, not {field_type}" in message


@pytest.mark.parametrize(
    ("option", "path", "error_type"),
    [
        ({"value": "", "label": "Empty"}, "options.0.value", "string_too_short"),
        ({"value": "a", "label": ""}, "options.0.label", "string_too_short"),
        ({"value": "a"}, "options.0.label", "missing"),
    ],
    ids=repr,
)
def test_an_option_needs_a_value_and_a_label(
    option: dict[str, str], path: str, error_type: str
) -> None:
    data = definition_data(FieldType.SELECT, options=[option])
    assert attribute_refusal(data) == (path, error_type)


# min / max


@pytest.mark.parametrize("field_type", NUMERIC_TYPES)
def test_a_number_field_accepts_min_and_max(field_type: FieldType) -> None:
    field = definition(field_type, min=0, max=10.5)
    assert (field.min, field.max) == (0, 10.5)


@pytest.mark.parametrize("field_type", NUMERIC_TYPES)
def test_a_number_field_accepts_min_equal_to_max(field_type: FieldType) -> None:
    assert definition(field_type, min=5, max=5).min == 5


@pytest.mark.parametrize("field_type", NUMERIC_TYPES)
def test_a_number_field_refuses_min_greater_than_max(field_type: FieldType) -> None:
    assert "min must not exceed max" in refusal(definition_data(field_type, min=10, max=1))


@pytest.mark.parametrize("field_type", NON_NUMERIC_TYPES)
@pytest.mark.parametrize("bound", ["min", "max"])
def test_a_field_that_is_not_a_number_refuses_min_and_max(
    field_type: FieldType, bound: str
) -> None:
    extra: dict[str, Any] = {bound: 1}
    message = refusal(definition_data(field_type, **extra))
    assert "min/max apply to number fields only" in message


@pytest.mark.parametrize("bound", ["min", "max"])
@pytest.mark.parametrize("value", ["5", True, "abc"], ids=repr)
def test_a_number_field_refuses_a_bound_that_is_not_a_number(bound: str, value: Any) -> None:
    # Every other number in a definition is strict (StrictInt, StrictBool): a bound sent as a
    # string or a boolean must be refused too, not read as 5.0 or 1.0.
    errors = refusals(definition_data(FieldType.INTEGER, **{bound: value}))
    # A bound may be an int or a float: each refuses it.
    assert {(error.field, error.type) for error in errors} == {
        (bound, "int_type"),
        (bound, "float_type"),
    }


# min_length / max_length


@pytest.mark.parametrize("field_type", LENGTH_TYPES)
def test_text_and_multi_select_fields_accept_length_bounds(field_type: FieldType) -> None:
    field = definition(field_type, min_length=1, max_length=3)
    assert (field.min_length, field.max_length) == (1, 3)


@pytest.mark.parametrize("field_type", NON_LENGTH_TYPES)
@pytest.mark.parametrize("bound", ["min_length", "max_length"])
def test_other_fields_refuse_length_bounds(field_type: FieldType, bound: str) -> None:
    extra: dict[str, Any] = {bound: 2}
    message = refusal(definition_data(field_type, **extra))
    assert "min_length/max_length apply to text and multi_select fields only" in message


def test_a_definition_refuses_min_length_greater_than_max_length() -> None:
    message = refusal(definition_data(FieldType.TEXT, min_length=5, max_length=4))
    assert "min_length must not exceed max_length" in message


@pytest.mark.parametrize(
    ("bound", "value", "error_type"),
    [
        ("min_length", -1, "greater_than_equal"),
        ("max_length", 0, "greater_than_equal"),
        ("min_length", "2", "int_type"),
        ("max_length", 2.0, "int_type"),
    ],
    ids=repr,
)
def test_a_definition_refuses_a_length_bound_that_is_not_a_fitting_int(
    bound: str, value: Any, error_type: str
) -> None:
    assert attribute_refusal(definition_data(FieldType.TEXT, **{bound: value})) == (
        bound,
        error_type,
    )


# pattern


@pytest.mark.parametrize("field_type", TEXT_TYPES)
def test_text_fields_accept_a_pattern(field_type: FieldType) -> None:
    assert definition(field_type, pattern=r".+").pattern == r".+"


@pytest.mark.parametrize("field_type", NON_TEXT_TYPES)
def test_other_fields_refuse_a_pattern(field_type: FieldType) -> None:
    assert "pattern applies to text fields only" in refusal(
        definition_data(field_type, pattern=".+")
    )


@pytest.mark.parametrize("pattern", ["([a-z]", "*abc", "a{2,1}"])
def test_a_definition_refuses_a_pattern_that_does_not_compile(pattern: str) -> None:
    message = refusal(definition_data(FieldType.TEXT, pattern=pattern))
    assert "pattern is not a valid regular expression" in message


# default


@pytest.mark.parametrize(
    ("field_type", "default", "stored"),
    [
        (FieldType.TEXT, "  hello ", "hello"),
        (FieldType.INTEGER, "42", 42),
        (FieldType.CURRENCY, "1,200.456", 1200.46),
        (FieldType.BOOLEAN, "true", True),
        (FieldType.DATE, "2026-05-01", "2026-05-01"),
        (FieldType.DATETIME, "2026-05-01T10:00:00", datetime(2026, 5, 1, 10, tzinfo=UTC)),
        (FieldType.EMAIL, "Ada@EXAMPLE.com", "Ada@example.com"),
        (FieldType.SELECT, "green", "green"),
        (FieldType.MULTI_SELECT, ["red", "red", "blue"], ["red", "blue"]),
    ],
    ids=repr,
)
def test_a_default_is_stored_in_its_coerced_form(
    field_type: FieldType, default: Any, stored: Any
) -> None:
    assert definition(field_type, default=default).default == stored


@pytest.mark.parametrize(
    ("field_type", "default", "extra", "why"),
    [
        (FieldType.INTEGER, "4.5", {}, "must be a whole number"),
        (FieldType.INTEGER, 100, {"max": 10}, "must be at most 10"),
        (FieldType.BOOLEAN, "yes", {}, "must be true or false"),
        (FieldType.DATE, "2026-02-30", {}, "must be a date (YYYY-MM-DD)"),
        (FieldType.SELECT, "purple", {}, "must be one of: red, green, blue"),
        (FieldType.MULTI_SELECT, ["purple"], {}, "unknown option(s) purple"),
        (FieldType.TEXT, "abc", {"pattern": r"\d+"}, "does not match the required format"),
        (FieldType.URL, "example.com", {}, "must be a web address"),
    ],
    ids=repr,
)
def test_a_default_that_does_not_fit_the_definition_is_refused(
    field_type: FieldType, default: Any, extra: dict[str, Any], why: str
) -> None:
    assert f"default: {why}" in refusal(definition_data(field_type, default=default, **extra))


@pytest.mark.parametrize("default", ["", "   ", []], ids=repr)
def test_a_blank_default_is_no_default(default: Any) -> None:
    assert definition(FieldType.TEXT, default=default).default is None


# field_key and the rest


@pytest.mark.parametrize("key", ["budget", "deal_size_2", "a", "x" * 64])
def test_a_snake_case_field_key_is_accepted(key: str) -> None:
    assert definition(FieldType.TEXT, key=key).field_key == key


@pytest.mark.parametrize(
    "key",
    [
        "",
        "Budget",
        "dealSize",
        "deal-size",
        "deal size",
        "2fast",
        "_hidden",
        "déal",
        "budget\n",
        "x" * 65,
    ],
    ids=repr,
)
def test_a_field_key_that_is_not_snake_case_is_refused(key: str) -> None:
    data = definition_data(FieldType.TEXT, field_key=key)
    assert attribute_refusal(data) == ("field_key", "string_pattern_mismatch")


def test_a_definition_needs_a_label() -> None:
    data = definition_data(FieldType.TEXT, label="")
    assert attribute_refusal(data) == ("label", "string_too_short")


def test_a_definition_refuses_an_unknown_field_type() -> None:
    data = {"field_key": "budget", "label": "Budget", "field_type": "money"}
    assert attribute_refusal(data) == ("field_type", "enum")


def test_a_definition_refuses_an_unknown_attribute() -> None:
    data = definition_data(FieldType.TEXT, colour="red")
    assert attribute_refusal(data) == ("colour", "extra_forbidden")


@pytest.mark.parametrize(
    ("attribute", "value", "error_type"),
    [("required", "true", "bool_type"), ("required", 1, "bool_type"), ("order", "1", "int_type")],
)
def test_a_definition_refuses_loosely_typed_flags_and_order(
    attribute: str, value: Any, error_type: str
) -> None:
    data = definition_data(FieldType.TEXT, **{attribute: value})
    assert attribute_refusal(data) == (attribute, error_type)


def test_a_field_is_optional_unless_its_definition_says_required() -> None:
    assert validate_field_value(definition(FieldType.TEXT), "") is None


def test_a_field_gets_no_value_unless_its_definition_has_a_default() -> None:
    assert validate_lead_data([definition(FieldType.TEXT)], {}) == {}
