"""coerce_field_value / validate_field_value: what each field type accepts and how it stores it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from leads.domain.enums import NUMERIC_FIELD_TYPES, FieldType
from leads.domain.fields import (
    FieldValueError,
    coerce_field_value,
    normalize_email,
    normalize_phone,
    validate_field_value,
)

from .builders import definition

ALL_TYPES = list(FieldType)
NUMERIC_TYPES = sorted(NUMERIC_FIELD_TYPES)
BLANKS: list[Any] = ["", None, [], "   ", "\t\n"]


def coerce(field_type: FieldType, value: Any, **extra: Any) -> Any:
    return coerce_field_value(definition(field_type, **extra), value)


def refused(field_type: FieldType, value: Any, **extra: Any) -> str:
    """The message a field of `field_type` gives when it refuses `value`."""
    with pytest.raises(FieldValueError) as caught:
        validate_field_value(definition(field_type, **extra), value)
    return str(caught.value)


# Blank values


@pytest.mark.parametrize("field_type", ALL_TYPES)
@pytest.mark.parametrize("blank", BLANKS, ids=repr)
def test_a_blank_value_is_stored_as_none(field_type: FieldType, blank: Any) -> None:
    assert coerce(field_type, blank) is None


@pytest.mark.parametrize("field_type", ALL_TYPES)
def test_an_optional_field_accepts_a_blank_value(field_type: FieldType) -> None:
    assert validate_field_value(definition(field_type), "") is None


@pytest.mark.parametrize("field_type", ALL_TYPES)
@pytest.mark.parametrize("blank", BLANKS, ids=repr)
def test_a_required_field_refuses_a_blank_value(field_type: FieldType, blank: Any) -> None:
    assert refused(field_type, blank, required=True) == "is required"


def test_false_is_a_value_not_a_blank() -> None:
    assert validate_field_value(definition(FieldType.BOOLEAN, required=True), False) is False


def test_zero_is_a_value_not_a_blank() -> None:
    assert validate_field_value(definition(FieldType.INTEGER, required=True), 0) == 0


# Text and long text


@pytest.mark.parametrize("field_type", [FieldType.TEXT, FieldType.LONG_TEXT])
def test_text_field_stores_the_text_without_surrounding_whitespace(field_type: FieldType) -> None:
    assert coerce(field_type, "  Acme  Corp \n") == "Acme  Corp"


@pytest.mark.parametrize("field_type", [FieldType.TEXT, FieldType.LONG_TEXT])
@pytest.mark.parametrize("value", [42, 4.2, True, ["a"], {"a": "b"}], ids=repr)
def test_text_field_refuses_a_value_that_is_not_a_string(field_type: FieldType, value: Any) -> None:
    assert refused(field_type, value) == "must be a string"


def test_text_field_refuses_text_shorter_than_min_length() -> None:
    assert refused(FieldType.TEXT, "ab", min_length=3) == "must have at least 3 characters"


def test_text_field_refuses_text_longer_than_max_length() -> None:
    assert refused(FieldType.TEXT, "abcd", max_length=3) == "must have at most 3 characters"


@pytest.mark.parametrize("value", ["abc", "abcde"])
def test_text_field_accepts_text_at_its_length_bounds(value: str) -> None:
    assert coerce(FieldType.TEXT, value, min_length=3, max_length=5) == value


def test_text_field_measures_the_length_after_stripping() -> None:
    assert refused(FieldType.TEXT, "  ab  ", min_length=3) == "must have at least 3 characters"


def test_text_field_accepts_text_matching_its_pattern() -> None:
    assert coerce(FieldType.TEXT, " AB-123 ", pattern=r"[A-Z]{2}-\d{3}") == "AB-123"


@pytest.mark.parametrize("value", ["ab-123", "AB-1234", "xAB-123"])
def test_text_field_refuses_text_not_matching_its_whole_pattern(value: str) -> None:
    message = refused(FieldType.TEXT, value, pattern=r"[A-Z]{2}-\d{3}")
    assert message == "does not match the required format"


def test_text_field_holds_at_most_1000_characters_without_a_max_length() -> None:
    assert coerce(FieldType.TEXT, "x" * 1_000) == "x" * 1_000
    assert refused(FieldType.TEXT, "x" * 1_001) == "must have at most 1000 characters"


def test_long_text_field_holds_at_most_20000_characters() -> None:
    assert coerce(FieldType.LONG_TEXT, "x" * 20_000) == "x" * 20_000
    assert refused(FieldType.LONG_TEXT, "x" * 20_001) == "must have at most 20000 characters"


# Numbers (integer, decimal, currency)


@pytest.mark.parametrize(
    ("value", "stored"),
    [(42, 42), ("42", 42), (42.0, 42), (" -7 ", -7), ("1,200", 1200), (0, 0)],
    ids=repr,
)
def test_integer_field_stores_a_whole_number_as_an_int(value: Any, stored: int) -> None:
    result = coerce(FieldType.INTEGER, value)
    assert result == stored
    assert type(result) is int


@pytest.mark.parametrize("value", [4.5, "4.5", "0.1"], ids=repr)
def test_integer_field_refuses_a_fractional_number(value: Any) -> None:
    assert refused(FieldType.INTEGER, value) == "must be a whole number"


@pytest.mark.parametrize("value", [2**63 - 1, -(2**63)], ids=repr)
def test_integer_field_accepts_the_whole_64_bit_range(value: int) -> None:
    assert coerce(FieldType.INTEGER, value) == value


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, "1e30"], ids=repr)
def test_integer_field_refuses_a_number_beyond_64_bits(value: Any) -> None:
    assert refused(FieldType.INTEGER, value) == "is too large"


@pytest.mark.parametrize("value", ["9007199254740993", "9223372036854775807"])
def test_integer_field_keeps_a_large_whole_number_sent_as_a_string_exactly(value: str) -> None:
    # Both fit in 64 bits, which the field accepts as ints; as strings they go through a float.
    assert coerce(FieldType.INTEGER, value) == int(value)


@pytest.mark.parametrize(
    ("value", "stored"),
    [(3.14, 3.14), ("3.14", 3.14), (2, 2.0), ("1,000.5", 1000.5), ("-0.25", -0.25)],
    ids=repr,
)
def test_decimal_field_stores_a_number_as_a_float(value: Any, stored: float) -> None:
    result = coerce(FieldType.DECIMAL, value)
    assert result == stored
    assert type(result) is float


@pytest.mark.parametrize(
    ("value", "stored"),
    [("1,200.456", 1200.46), (1200.454, 1200.45), (10, 10.0), ("99.999", 100.0), ("0.5", 0.5)],
    ids=repr,
)
def test_currency_field_stores_the_amount_rounded_to_cents(value: Any, stored: float) -> None:
    result = coerce(FieldType.CURRENCY, value)
    assert result == stored
    assert type(result) is float


def test_currency_field_checks_its_range_on_the_rounded_amount() -> None:
    assert coerce(FieldType.CURRENCY, 100.004, max=100) == 100.0


@pytest.mark.parametrize("field_type", NUMERIC_TYPES)
@pytest.mark.parametrize("value", [True, False], ids=repr)
def test_number_field_refuses_a_boolean(field_type: FieldType, value: bool) -> None:
    assert refused(field_type, value) == "must be a number"


@pytest.mark.parametrize("field_type", NUMERIC_TYPES)
@pytest.mark.parametrize("value", ["abc", "12abc", "0x10", [1], {"n": 1}, "1.2.3"], ids=repr)
def test_number_field_refuses_a_value_that_is_not_a_number(
    field_type: FieldType, value: Any
) -> None:
    assert refused(field_type, value) == "must be a number"


@pytest.mark.parametrize("field_type", NUMERIC_TYPES)
@pytest.mark.parametrize(
    "value", [float("nan"), float("inf"), float("-inf"), "nan", "inf", "-Infinity"], ids=repr
)
def test_number_field_refuses_nan_and_infinity(field_type: FieldType, value: Any) -> None:
    assert refused(field_type, value) == "must be a finite number"


@pytest.mark.parametrize("field_type", NUMERIC_TYPES)
def test_number_field_refuses_a_number_below_its_min(field_type: FieldType) -> None:
    assert refused(field_type, 9, min=10, max=20) == "must be at least 10"


@pytest.mark.parametrize("field_type", NUMERIC_TYPES)
def test_number_field_refuses_a_number_above_its_max(field_type: FieldType) -> None:
    assert refused(field_type, "21", min=10, max=20) == "must be at most 20"


@pytest.mark.parametrize("field_type", NUMERIC_TYPES)
@pytest.mark.parametrize("value", [10, 15, 20])
def test_number_field_accepts_a_number_within_its_bounds(field_type: FieldType, value: int) -> None:
    assert coerce(field_type, value, min=10, max=20) == value


def test_decimal_field_honours_a_fractional_bound() -> None:
    assert refused(FieldType.DECIMAL, 0.49, min=0.5) == "must be at least 0.5"


# Boolean


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("false", False),
        (" TRUE ", True),
        ("False", False),
    ],
    ids=repr,
)
def test_boolean_field_accepts_booleans_and_their_names(value: Any, stored: bool) -> None:
    assert coerce(FieldType.BOOLEAN, value) is stored


@pytest.mark.parametrize("value", [1, 0, "1", "0", "yes", "on", [True], 1.0], ids=repr)
def test_boolean_field_refuses_anything_else(value: Any) -> None:
    assert refused(FieldType.BOOLEAN, value) == "must be true or false"


# Date


def test_date_field_stores_an_iso_date_as_a_string() -> None:
    assert coerce(FieldType.DATE, "2026-05-01") == "2026-05-01"


def test_date_field_stores_the_date_in_its_canonical_form() -> None:
    assert coerce(FieldType.DATE, " 20260501 ") == "2026-05-01"


@pytest.mark.parametrize(
    "value",
    [
        "2026-02-30",
        "2026-13-01",
        "01/05/2026",
        "2026-5-1",
        "2026-05",
        "tomorrow",
        "2026-05-01T10:00",
    ],
)
def test_date_field_refuses_a_string_that_is_not_a_date(value: str) -> None:
    assert refused(FieldType.DATE, value) == "must be a date (YYYY-MM-DD)"


@pytest.mark.parametrize("value", [date(2026, 5, 1), 20260501, ["2026-05-01"]], ids=repr)
def test_date_field_refuses_a_value_that_is_not_a_string(value: Any) -> None:
    assert refused(FieldType.DATE, value) == "must be a date (YYYY-MM-DD)"


# Datetime


def test_datetime_field_takes_a_naive_time_as_utc() -> None:
    assert coerce(FieldType.DATETIME, "2026-05-01T10:30:00") == datetime(
        2026, 5, 1, 10, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "value", ["2026-05-01T12:30:00+02:00", "2026-05-01T05:30:00-05:00", "2026-05-01T10:30:00Z"]
)
def test_datetime_field_converts_a_time_with_an_offset_to_utc(value: str) -> None:
    stored = coerce(FieldType.DATETIME, value)
    assert stored == datetime(2026, 5, 1, 10, 30, tzinfo=UTC)
    assert stored.utcoffset() == timedelta(0)


def test_datetime_field_accepts_a_datetime_object() -> None:
    paris = timezone(timedelta(hours=2))
    stored = coerce(FieldType.DATETIME, datetime(2026, 5, 1, 12, 30, tzinfo=paris))
    assert stored == datetime(2026, 5, 1, 10, 30, tzinfo=UTC)
    assert stored.tzinfo is UTC


def test_datetime_field_keeps_milliseconds_and_drops_the_rest() -> None:
    stored = coerce(FieldType.DATETIME, "2026-05-01T10:30:00.123456")
    assert stored == datetime(2026, 5, 1, 10, 30, 0, 123_000, tzinfo=UTC)


def test_datetime_field_takes_a_bare_date_as_midnight_utc() -> None:
    assert coerce(FieldType.DATETIME, "2026-05-01") == datetime(2026, 5, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "value", ["not a date", "2026-13-01T00:00", "2026-05-01 25:00", "05/01/2026"]
)
def test_datetime_field_refuses_a_string_that_is_not_a_date_and_time(value: str) -> None:
    assert refused(FieldType.DATETIME, value) == "must be a date and time (ISO 8601)"


@pytest.mark.parametrize("value", [1_777_000_000, date(2026, 5, 1), True], ids=repr)
def test_datetime_field_refuses_a_value_that_is_neither_string_nor_datetime(value: Any) -> None:
    assert refused(FieldType.DATETIME, value) == "must be a date and time (ISO 8601)"


# Email


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("  ada@example.com ", "ada@example.com"),
        ("Ada@EXAMPLE.COM", "Ada@example.com"),
        ("ada+crm@mail.example.co.uk", "ada+crm@mail.example.co.uk"),
    ],
)
def test_email_field_stores_the_normalised_address(value: str, stored: str) -> None:
    assert coerce(FieldType.EMAIL, value) == stored


@pytest.mark.parametrize(
    "value", ["not-an-email", "ada@", "@example.com", "ada@example", "a b@c.com"]
)
def test_email_field_refuses_a_string_that_is_not_an_address(value: str) -> None:
    assert refused(FieldType.EMAIL, value).startswith("must be an email address")


def test_email_field_refuses_a_value_that_is_not_a_string() -> None:
    assert refused(FieldType.EMAIL, 42) == "must be a string"


def test_normalize_email_lower_cases_the_domain_only() -> None:
    assert normalize_email("Grace.Hopper@Navy.MIL") == "Grace.Hopper@navy.mil"


def test_normalize_email_refuses_an_invalid_address() -> None:
    with pytest.raises(FieldValueError, match="must be an email address"):
        normalize_email("grace at navy")


# Phone


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("+1 (555) 010-9999", "+1 (555) 010-9999"),
        ("  020 7946 0958 ", "020 7946 0958"),
        ("+44  20\t7946   0958", "+44 20 7946 0958"),
        ("555.010.9999", "555.010.9999"),
        ("1234", "1234"),
    ],
)
def test_phone_field_stores_the_number_as_typed_with_whitespace_tidied(
    value: str, stored: str
) -> None:
    assert coerce(FieldType.PHONE, value) == stored


@pytest.mark.parametrize(
    "value", ["call me", "123", "+", "++1234", "12-34-ab", "(((( ))))", "1" * 32, "+1 555 x 123"]
)
def test_phone_field_refuses_a_string_that_is_not_a_phone_number(value: str) -> None:
    assert refused(FieldType.PHONE, value).startswith("must be a phone number")


def test_phone_field_refuses_a_value_that_is_not_a_string() -> None:
    assert refused(FieldType.PHONE, 5550109999) == "must be a string"


def test_normalize_phone_needs_at_least_four_digits() -> None:
    with pytest.raises(FieldValueError):
        normalize_phone("+1 (2) 3")


# URL


@pytest.mark.parametrize(
    "value",
    [
        "https://example.com",
        "http://example.com/path?q=1#top",
        "https://sub.example.co.uk:8443/x",
        "http://localhost:8000",
    ],
)
def test_url_field_accepts_an_http_or_https_address_as_given(value: str) -> None:
    assert coerce(FieldType.URL, f"  {value} ") == value


@pytest.mark.parametrize(
    "value",
    [
        "example.com",
        "www.example.com/path",
        "ftp://example.com",
        "mailto:ada@example.com",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "https://",
        "http://exa mple.com",
    ],
)
def test_url_field_refuses_an_address_without_http_scheme_and_host(value: str) -> None:
    assert refused(FieldType.URL, value) == "must be a web address (http:// or https://)"


def test_url_field_refuses_a_value_that_is_not_a_string() -> None:
    assert refused(FieldType.URL, ["https://example.com"]) == "must be a string"


# Select


def test_select_field_accepts_one_of_its_options() -> None:
    assert coerce(FieldType.SELECT, "green") == "green"


@pytest.mark.parametrize("value", ["purple", "Green", " green "], ids=repr)
def test_select_field_refuses_a_value_that_is_not_an_option(value: str) -> None:
    assert refused(FieldType.SELECT, value) == "must be one of: red, green, blue"


@pytest.mark.parametrize("value", [["green"], 1, True, {"value": "green"}], ids=repr)
def test_select_field_refuses_a_value_that_is_not_a_string(value: Any) -> None:
    assert refused(FieldType.SELECT, value) == "must be one of the options"


# Multi-select


def test_multi_select_field_accepts_a_list_of_its_options() -> None:
    assert coerce(FieldType.MULTI_SELECT, ["blue", "red"]) == ["blue", "red"]


def test_multi_select_field_drops_repeated_choices_keeping_the_first_order() -> None:
    assert coerce(FieldType.MULTI_SELECT, ["blue", "red", "blue", "red"]) == ["blue", "red"]


def test_multi_select_field_refuses_an_unknown_option() -> None:
    message = refused(FieldType.MULTI_SELECT, ["red", "purple"])
    assert message == "unknown option(s) purple; use: red, green, blue"


@pytest.mark.parametrize("value", ["red", ("red",), [1], ["red", None], {"red": True}], ids=repr)
def test_multi_select_field_refuses_a_value_that_is_not_a_list_of_strings(value: Any) -> None:
    assert refused(FieldType.MULTI_SELECT, value) == "must be a list of options"


def test_multi_select_field_counts_distinct_choices_against_min_length() -> None:
    assert (
        refused(FieldType.MULTI_SELECT, ["red", "red"], min_length=2)
        == "must have at least 2 choices"
    )


def test_multi_select_field_refuses_more_choices_than_max_length() -> None:
    message = refused(FieldType.MULTI_SELECT, ["red", "green", "blue"], max_length=2)
    assert message == "must have at most 2 choices"
