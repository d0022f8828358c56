"""Custom field definitions and the validation and coercion of the values leads hold for them."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import Url as _Url

from .enums import (
    CHOICE_FIELD_TYPES,
    INPUT_TYPES_BY_FIELD_TYPE,
    NUMERIC_FIELD_TYPES,
    TEXT_FIELD_TYPES,
    FieldType,
    InputType,
)
from .errors import ValidationFailed

FIELD_KEY_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
# Generous caps so one lead document stays far below MongoDB's 16 MB limit.
DEFAULT_MAX_TEXT_LENGTH = {FieldType.LONG_TEXT: 20_000}
MAX_TEXT_LENGTH = 1_000
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()./-]{4,31}$")
_URL_SCHEMES = ("http", "https")

Number = int | float
# What MongoDB can store as an integer (8 bytes); a larger one must be a 400, not a 500.
Int64 = Annotated[StrictInt, Field(ge=-(2**63), le=2**63 - 1)]
# Amounts and decimals stay where a float is exact to the cent and a column's sum stays finite.
MAX_AMOUNT = 1e15
Count = Annotated[StrictInt, Field(ge=0, le=1_000_000)]


class FieldValueError(ValueError):
    """A value that does not fit its field definition; the message is shown to the user."""


class FieldOption(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: Annotated[str, Field(min_length=1, max_length=100)]
    label: Annotated[str, Field(min_length=1, max_length=200)]


class FieldDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field_key: Annotated[str, Field(pattern=FIELD_KEY_PATTERN)]
    label: Annotated[str, Field(min_length=1, max_length=120)]
    field_type: FieldType
    input_type: InputType | None = None
    required: StrictBool = False
    options: list[FieldOption] = Field(default_factory=list, max_length=200)
    default: Any = None
    min: Int64 | StrictFloat | None = None
    max: Int64 | StrictFloat | None = None
    min_length: Count | None = None
    max_length: Annotated[Count, Field(ge=1)] | None = None
    pattern: Annotated[str, Field(max_length=500)] | None = None
    help_text: Annotated[str, Field(max_length=500)] = ""
    placeholder: Annotated[str, Field(max_length=200)] = ""
    order: Int64 = 0

    @model_validator(mode="after")
    def _check_definition(self) -> FieldDefinition:
        allowed_inputs = INPUT_TYPES_BY_FIELD_TYPE[self.field_type]
        if self.input_type is None:
            self.input_type = allowed_inputs[0]
        elif self.input_type not in allowed_inputs:
            names = ", ".join(allowed_inputs)
            raise ValueError(
                f"input_type '{self.input_type}' does not fit field_type '{self.field_type}' "
                f"(use one of: {names})"
            )
        if self.field_type in CHOICE_FIELD_TYPES:
            if not self.options:
                raise ValueError(f"a {self.field_type} field needs at least one option")
            values = [option.value for option in self.options]
            if len(set(values)) != len(values):
                raise ValueError("option values must be unique")
        elif self.options:
            raise ValueError(f"options are only for select fields, not {self.field_type}")
        if (self.min is not None or self.max is not None) and (
            self.field_type not in NUMERIC_FIELD_TYPES
        ):
            raise ValueError("min/max apply to number fields only")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not exceed max")
        length_types = TEXT_FIELD_TYPES | {FieldType.MULTI_SELECT}
        if (
            self.min_length is not None or self.max_length is not None
        ) and self.field_type not in length_types:
            raise ValueError("min_length/max_length apply to text and multi_select fields only")
        if (
            self.min_length is not None
            and self.max_length is not None
            and self.min_length > self.max_length
        ):
            raise ValueError("min_length must not exceed max_length")
        if self.pattern is not None:
            if self.field_type not in TEXT_FIELD_TYPES:
                raise ValueError("pattern applies to text fields only")
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"pattern is not a valid regular expression: {exc}") from exc
        if self.default is not None:
            try:
                self.default = coerce_field_value(self, self.default)
            except FieldValueError as exc:
                raise ValueError(f"default: {exc}") from exc
        return self

    @property
    def option_values(self) -> list[str]:
        return [option.value for option in self.options]


def is_blank(value: Any) -> bool:
    """A value that counts as "not filled in" for required fields."""
    return (
        value is None
        or value == ""
        or value == []
        or (isinstance(value, str) and not value.strip())
    )


def coerce_field_value(definition: FieldDefinition, value: Any) -> Any:
    """The stored form of `value` for `definition`; raises FieldValueError with a user message.

    Blank values come back as None: whether that is acceptable is the caller's call (required).
    """
    if is_blank(value):
        return None
    coerce = _COERCERS[definition.field_type]
    return coerce(definition, value)


def _check_length(definition: FieldDefinition, size: int, unit: str) -> None:
    if definition.min_length is not None and size < definition.min_length:
        raise FieldValueError(f"must have at least {definition.min_length} {unit}")
    limit = definition.max_length
    if limit is not None and size > limit:
        raise FieldValueError(f"must have at most {limit} {unit}")


def _text(definition: FieldDefinition, value: Any) -> str:
    if not isinstance(value, str):
        raise FieldValueError("must be a string")
    text = value.strip()
    hard_limit = DEFAULT_MAX_TEXT_LENGTH.get(definition.field_type, MAX_TEXT_LENGTH)
    if len(text) > hard_limit:
        raise FieldValueError(f"must have at most {hard_limit} characters")
    _check_length(definition, len(text), "characters")
    if definition.pattern is not None and re.fullmatch(definition.pattern, text) is None:
        raise FieldValueError("does not match the required format")
    return text


def _number(value: Any) -> Number:
    # bool is an int subclass; a checkbox value is never a number.
    if isinstance(value, bool):
        raise FieldValueError("must be a number")
    if isinstance(value, int | float):
        number: Number = value
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            # Whole numbers parse as int so large ones stay exact (float keeps 53 bits).
            number = int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)
        except ValueError:
            raise FieldValueError("must be a number") from None
    else:
        raise FieldValueError("must be a number")
    if isinstance(number, float) and not math.isfinite(number):
        raise FieldValueError("must be a finite number")
    return number


def _check_range(definition: FieldDefinition, number: Number) -> None:
    if definition.min is not None and number < definition.min:
        raise FieldValueError(f"must be at least {definition.min:g}")
    if definition.max is not None and number > definition.max:
        raise FieldValueError(f"must be at most {definition.max:g}")


def _integer(definition: FieldDefinition, value: Any) -> int:
    number = _number(value)
    if isinstance(number, float):
        if not number.is_integer():
            raise FieldValueError("must be a whole number")
        number = int(number)
    if not -(2**63) <= number <= 2**63 - 1:
        raise FieldValueError("is too large")
    _check_range(definition, number)
    return number


def _amount(value: Any) -> float:
    number = _number(value)
    # An integer too large for a float (a 400-digit one) is out of range, not a crash.
    if not -MAX_AMOUNT <= number <= MAX_AMOUNT:
        raise FieldValueError(f"must be between {-MAX_AMOUNT:g} and {MAX_AMOUNT:g}")
    return float(number)


def _decimal(definition: FieldDefinition, value: Any) -> float:
    number = _amount(value)
    _check_range(definition, number)
    return number


def _currency(definition: FieldDefinition, value: Any) -> float:
    # Amounts are kept as floats rounded to cents so MongoDB can $sum them for the board.
    number = round(_amount(value), 2)
    _check_range(definition, number)
    return number


def _boolean(definition: FieldDefinition, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise FieldValueError("must be true or false")


def _date(definition: FieldDefinition, value: Any) -> str:
    if not isinstance(value, str):
        raise FieldValueError("must be a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise FieldValueError("must be a date (YYYY-MM-DD)") from None


def _datetime(definition: FieldDefinition, value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise FieldValueError("must be a date and time (ISO 8601)") from None
    else:
        raise FieldValueError("must be a date and time (ISO 8601)")
    # A time without an offset is taken as UTC, the zone the service stores.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # MongoDB keeps milliseconds: dropping the rest makes what we return equal what we store.
    return moment.astimezone(UTC).replace(microsecond=moment.microsecond // 1000 * 1000)


def _email(definition: FieldDefinition, value: Any) -> str:
    text = _text(definition, value)
    return normalize_email(text)


# A plain ASCII local part (RFC 5322 dot-atom), which email-validator accepts and keeps as is.
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_MAX_LOCAL, _MAX_ADDRESS = 64, 254
# Domains email-validator accepted, with their normalized form. Checking a domain is most of its
# cost (~60 µs an address); an import of 100k addresses has a few hundred distinct domains.
_known_domains: dict[str, str] = {}
_KNOWN_DOMAINS_MAX = 10_000


def normalize_email(text: str) -> str:
    """The address in canonical form; raises FieldValueError when it is not one."""
    local, at, domain = text.rpartition("@")
    known = _known_domains.get(domain) if at else None
    plain = len(local) <= _MAX_LOCAL and _PLAIN_LOCAL.fullmatch(local) is not None
    if known is not None and plain and len(local) + 1 + len(known) <= _MAX_ADDRESS:
        return f"{local}@{known}"
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise FieldValueError(f"must be an email address ({exc})") from None
    normalized = str(result.normalized)
    if plain and len(_known_domains) < _KNOWN_DOMAINS_MAX:
        _known_domains[domain] = normalized.rpartition("@")[2]
    return normalized


def normalize_phone(text: str) -> str:
    """The number as typed, trimmed; raises FieldValueError unless it looks like a phone number."""
    phone = " ".join(text.split())
    if not PHONE_PATTERN.fullmatch(phone) or sum(ch.isdigit() for ch in phone) < 4:
        raise FieldValueError("must be a phone number (digits, spaces, + ( ) . / -)")
    return phone


def _phone(definition: FieldDefinition, value: Any) -> str:
    return normalize_phone(_text(definition, value))


def _url(definition: FieldDefinition, value: Any) -> str:
    text = _text(definition, value)
    try:
        url = _Url(text)
    except (PydanticValidationError, ValueError):
        raise FieldValueError("must be a web address (http:// or https://)") from None
    if url.scheme not in _URL_SCHEMES or not url.host:
        raise FieldValueError("must be a web address (http:// or https://)")
    return text


def _select(definition: FieldDefinition, value: Any) -> str:
    if not isinstance(value, str):
        raise FieldValueError("must be one of the options")
    if value not in definition.option_values:
        allowed = ", ".join(definition.option_values)
        raise FieldValueError(f"must be one of: {allowed}")
    return value


def _multi_select(definition: FieldDefinition, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise FieldValueError("must be a list of options")
    unknown = [item for item in value if item not in definition.option_values]
    if unknown:
        allowed = ", ".join(definition.option_values)
        raise FieldValueError(f"unknown option(s) {', '.join(unknown)}; use: {allowed}")
    chosen = list(dict.fromkeys(value))
    _check_length(definition, len(chosen), "choices")
    return chosen


_COERCERS = {
    FieldType.TEXT: _text,
    FieldType.LONG_TEXT: _text,
    FieldType.INTEGER: _integer,
    FieldType.DECIMAL: _decimal,
    FieldType.CURRENCY: _currency,
    FieldType.BOOLEAN: _boolean,
    FieldType.DATE: _date,
    FieldType.DATETIME: _datetime,
    FieldType.EMAIL: _email,
    FieldType.PHONE: _phone,
    FieldType.URL: _url,
    FieldType.SELECT: _select,
    FieldType.MULTI_SELECT: _multi_select,
}


def validate_field_value(definition: FieldDefinition, value: Any) -> Any:
    """The coerced value, or FieldValueError; a required field refuses a blank value."""
    coerced = coerce_field_value(definition, value)
    if coerced is None and definition.required:
        raise FieldValueError("is required")
    return coerced


def validate_lead_data(
    definitions: list[FieldDefinition],
    data: Mapping[str, Any],
    *,
    current: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The full, coerced `data` of a lead; raises ValidationFailed naming every `data.<key>`.

    With `current` (an update) the given keys are merged into it and a blank value clears a key;
    without it (a create) missing keys take their definition's default.
    """
    by_key = {definition.field_key: definition for definition in definitions}
    errors: dict[str, list[str]] = {}
    result: dict[str, Any] = dict(current) if current is not None else {}
    for key, value in data.items():
        definition = by_key.get(key)
        if definition is None:
            errors[f"data.{key}"] = ["is not a field of this workflow"]
            continue
        try:
            coerced = validate_field_value(definition, value)
        except FieldValueError as exc:
            errors[f"data.{key}"] = [str(exc)]
            continue
        if coerced is None:
            result.pop(key, None)
        else:
            result[key] = coerced
    for definition in definitions:
        key = definition.field_key
        if key in data or key in result:
            continue
        if current is None and definition.default is not None:
            result[key] = definition.default
        elif definition.required and current is None:
            errors[f"data.{key}"] = ["is required"]
    if errors:
        raise ValidationFailed("Some custom fields are not valid.", fields=errors)
    return result


def missing_values(data: Mapping[str, Any], field_keys: list[str]) -> list[str]:
    """The keys among `field_keys` that hold no value in `data`."""
    return [key for key in field_keys if is_blank(data.get(key))]
