from __future__ import annotations

import pytest

from leads.domain.contacts import email_key, phone_key


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Ann.Lee@Example.COM", "ann.lee@example.com"),
        ("  ann@example.com ", "ann@example.com"),
        ("", None),
        (None, None),
    ],
)
def test_emails_compare_without_case(typed: str | None, key: str | None) -> None:
    assert email_key(typed) == key


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("+1 (415) 555-0100", "+14155550100"),
        ("0014155550100", "+14155550100"),
        ("00 44 20 7946 0000", "+442079460000"),
        ("(415) 555-0100", "4155550100"),
        ("415.555.0100", "4155550100"),
        ("---", None),
        (None, None),
    ],
)
def test_phones_compare_by_digits_in_e164_when_a_country_code_is_given(
    typed: str | None, key: str | None
) -> None:
    assert phone_key(typed) == key
