"""Import rules that need no database: formulas, header names, the email fast path."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email

from leads.domain import fields
from leads.domain.fields import FieldValueError, normalize_email
from leads.domain.imports import column_names, header_key, is_formula


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        '=HYPERLINK("http://x","y")',
        " =cmd",
        "@SUM(A1:A2)",
        "+SUM(1)",
        "-2+3+cmd|' /C calc'!A0",
    ],
)
def test_cells_a_spreadsheet_would_run_are_formulas(text: str) -> None:
    assert is_formula(text)


@pytest.mark.parametrize(
    "text", ["+1 (415) 555-0100", "-5", "+44 20 7946 0000", "@handle", "ada@example.com", "a=b", ""]
)
def test_phones_numbers_and_handles_are_not_formulas(text: str) -> None:
    assert not is_formula(text)


def test_column_names_are_unique_and_a_blank_header_is_named_by_position() -> None:
    assert column_names(["Email", " email ", "", "Name"]) == [
        "Email",
        "email (2)",
        "Column 3",
        "Name",
    ]


def test_header_keys_ignore_case_spaces_underscores_and_dashes() -> None:
    assert header_key("Assigned_To") == header_key("assigned to") == header_key("ASSIGNED-TO")


ADDRESSES = [
    "Ada@Example.COM", "b@Example.COM", "a..b@example.com", ".a@example.com", "x@localhost",
    "x@example.test", "a b@example.com", '"q"@example.com', "ü@example.com", "a@bücher.de",
    "b@bücher.de", "a@example", "c@EXAMPLE.com", "a@@example.com", "a" * 65 + "@example.com",
]  # fmt: skip


def test_the_cached_domain_check_agrees_with_email_validator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fields, "_known_domains", {})
    for address in ADDRESSES * 2:  # the second time from the cache
        try:
            expected: str | None = str(
                validate_email(address, check_deliverability=False).normalized
            )
        except EmailNotValidError:
            expected = None
        try:
            found: str | None = normalize_email(address)
        except FieldValueError:
            found = None
        assert found == expected, address
    assert "Example.COM" in fields._known_domains
