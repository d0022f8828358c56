"""How two leads are known to be the same person: the keys their email and phone compare by.

Stored beside the values as typed (`email_key`, `phone_key`) and indexed, so duplicate checks,
import matching and the list's `email=`/`phone=` filters are index lookups that agree with each
other: one definition, here.
"""

from __future__ import annotations

import re

_NON_DIGITS = re.compile(r"\D")


def email_key(email: str | None) -> str | None:
    """Addresses compare case-insensitively, the local part included: mail systems treat
    `Ann@Example.com` and `ann@example.com` as one mailbox in practice, and people type both."""
    if not email:
        return None
    return email.strip().casefold() or None


def phone_key(phone: str | None) -> str | None:
    """Numbers compare by their digits, in E.164 form (`+14155550100`) when written with a country
    code (`+` or the international `00`); without one, by the digits alone, so `(415) 555-0100`
    and `415.555.0100` match each other but not a number given with its country code (which
    country a bare number belongs to is not ours to guess)."""
    if not phone:
        return None
    text = phone.strip()
    digits = _NON_DIGITS.sub("", text)
    if not digits:
        return None
    if text.startswith("+"):
        return f"+{digits}"
    if digits.startswith("00") and len(digits) > 2:
        return f"+{digits[2:]}"
    return digits
