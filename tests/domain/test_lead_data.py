"""validate_lead_data and missing_values: a lead's whole `data` dict against the workflow."""

from __future__ import annotations

from typing import Any

import pytest

from leads.domain.enums import FieldType
from leads.domain.errors import ValidationFailed
from leads.domain.fields import FieldDefinition, missing_values, validate_lead_data

from .builders import definition


def workflow_fields() -> list[FieldDefinition]:
    """A small workflow: one required field, one with a default, two optional ones."""
    return [
        definition(FieldType.CURRENCY, key="budget", required=True),
        definition(FieldType.SELECT, key="colour", default="green"),
        definition(FieldType.INTEGER, key="seats"),
        definition(FieldType.TEXT, key="notes"),
    ]


def failure(data: dict[str, Any], *, current: dict[str, Any] | None = None) -> dict[str, list[str]]:
    """The per-field errors validate_lead_data reports for `data`."""
    with pytest.raises(ValidationFailed) as caught:
        validate_lead_data(workflow_fields(), data, current=current)
    return caught.value.fields


# Create


def test_create_returns_the_coerced_values() -> None:
    data = validate_lead_data(workflow_fields(), {"budget": "1,200.456", "seats": "12"})
    assert data == {"budget": 1200.46, "seats": 12, "colour": "green"}


def test_create_gives_a_missing_key_its_default() -> None:
    assert validate_lead_data(workflow_fields(), {"budget": 10})["colour"] == "green"


def test_create_keeps_a_given_value_over_the_default() -> None:
    assert validate_lead_data(workflow_fields(), {"budget": 10, "colour": "red"})["colour"] == "red"


def test_create_leaves_out_optional_keys_without_value_or_default() -> None:
    data = validate_lead_data(workflow_fields(), {"budget": 10})
    assert set(data) == {"budget", "colour"}


def test_create_drops_a_blank_optional_value() -> None:
    data = validate_lead_data(workflow_fields(), {"budget": 10, "notes": "  ", "seats": None})
    assert "notes" not in data
    assert "seats" not in data


def test_create_refuses_a_missing_required_key() -> None:
    assert failure({}) == {"data.budget": ["is required"]}


def test_create_refuses_a_blank_required_value() -> None:
    assert failure({"budget": ""}) == {"data.budget": ["is required"]}


def test_create_accepts_a_missing_required_key_that_has_a_default() -> None:
    fields = [definition(FieldType.INTEGER, key="seats", required=True, default=1)]
    assert validate_lead_data(fields, {}) == {"seats": 1}


def test_create_refuses_an_unknown_key_naming_it() -> None:
    errors = failure({"budget": 10, "favourite_food": "pizza"})
    assert errors == {"data.favourite_food": ["is not a field of this workflow"]}


def test_create_refuses_a_value_that_does_not_fit_its_field() -> None:
    assert failure({"budget": 10, "seats": "many"}) == {"data.seats": ["must be a number"]}


def test_create_reports_every_error_at_once() -> None:
    errors = failure({"colour": "purple", "seats": 1.5, "favourite_food": "pizza"})
    assert errors == {
        "data.colour": ["must be one of: red, green, blue"],
        "data.seats": ["must be a whole number"],
        "data.favourite_food": ["is not a field of this workflow"],
        "data.budget": ["is required"],
    }


def test_a_refusal_is_a_validation_failure_with_a_general_message() -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_lead_data(workflow_fields(), {})
    assert caught.value.code == "invalid"
    assert caught.value.message == "Some custom fields are not valid."


def test_create_without_fields_accepts_only_an_empty_dict() -> None:
    assert validate_lead_data([], {}) == {}
    with pytest.raises(ValidationFailed):
        validate_lead_data([], {"anything": 1})


def test_create_does_not_change_the_given_dict() -> None:
    given = {"budget": "10", "notes": ""}
    validate_lead_data(workflow_fields(), given)
    assert given == {"budget": "10", "notes": ""}


# Update


def current_data() -> dict[str, Any]:
    return {"budget": 500.0, "colour": "red", "seats": 3, "notes": "call back"}


def test_update_merges_the_given_keys_into_the_current_data() -> None:
    data = validate_lead_data(workflow_fields(), {"seats": "4"}, current=current_data())
    assert data == {"budget": 500.0, "colour": "red", "seats": 4, "notes": "call back"}


@pytest.mark.parametrize("blank", [None, "", "   "], ids=repr)
def test_update_clears_an_optional_key_given_a_blank(blank: Any) -> None:
    data = validate_lead_data(workflow_fields(), {"notes": blank}, current=current_data())
    assert "notes" not in data


def test_update_clears_a_key_that_has_a_default_without_restoring_it() -> None:
    data = validate_lead_data(workflow_fields(), {"colour": None}, current=current_data())
    assert "colour" not in data


@pytest.mark.parametrize("blank", [None, ""], ids=repr)
def test_update_refuses_to_clear_a_required_key(blank: Any) -> None:
    assert failure({"budget": blank}, current=current_data()) == {"data.budget": ["is required"]}


def test_update_accepts_a_required_key_that_was_already_missing() -> None:
    data = validate_lead_data(workflow_fields(), {"seats": 5}, current={"notes": "hi"})
    assert data == {"notes": "hi", "seats": 5}


def test_update_does_not_apply_defaults() -> None:
    assert validate_lead_data(workflow_fields(), {}, current={}) == {}


def test_update_refuses_an_unknown_key_naming_it() -> None:
    errors = failure({"favourite_food": "pizza"}, current=current_data())
    assert errors == {"data.favourite_food": ["is not a field of this workflow"]}


def test_update_refuses_a_value_that_does_not_fit_its_field() -> None:
    errors = failure({"colour": "purple"}, current=current_data())
    assert errors == {"data.colour": ["must be one of: red, green, blue"]}


def test_update_does_not_change_the_current_data() -> None:
    current = current_data()
    validate_lead_data(workflow_fields(), {"seats": 9, "notes": None}, current=current)
    assert current == current_data()


# missing_values


def test_missing_values_names_the_keys_without_a_value_in_the_order_asked() -> None:
    data = {"budget": 10, "notes": "  ", "tags": [], "owner": None}
    missing = missing_values(data, ["owner", "budget", "tags", "absent", "notes"])
    assert missing == ["owner", "tags", "absent", "notes"]


@pytest.mark.parametrize("value", [False, 0, 0.0, ["a"], "x"], ids=repr)
def test_missing_values_counts_false_and_zero_as_values(value: Any) -> None:
    assert missing_values({"key": value}, ["key"]) == []


def test_missing_values_of_no_keys_is_empty() -> None:
    assert missing_values({}, []) == []


# ValidationFailed


def test_validation_failed_on_one_field_names_it_in_message_and_fields() -> None:
    error = ValidationFailed.on("data.budget", "must be a number")
    assert error.message == "data.budget: must be a number"
    assert error.fields == {"data.budget": ["must be a number"]}
