"""Card order inside a Kanban column: sortable string keys, so one move writes one document.

A rank is a base-36 fraction written without its leading "0.": "h" sorts between "8" and "t",
and there is always room between two different ranks (fractional indexing). Ranks never end in
"0", which keeps every pair of neighbours separable.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_BASE = len(DIGITS)
_ARRIVAL_WIDTH = 9
_ARRIVAL_SPAN = _BASE**_ARRIVAL_WIDTH - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _to_base36(number: int, width: int) -> str:
    out = []
    for _ in range(width):
        number, digit = divmod(number, _BASE)
        out.append(DIGITS[digit])
    return "".join(reversed(out))


def rank_for_arrival(moment: datetime) -> str:
    """The rank of a card entering a column at `moment`: later arrivals sort first (on top).

    Cards people placed at the very top or bottom keep their places; arrivals go between them.
    """
    # Integer arithmetic: float timestamps lose the millisecond after 2038.
    millis = (moment - _EPOCH) // timedelta(milliseconds=1)
    return "t" + _to_base36(_ARRIVAL_SPAN - millis, _ARRIVAL_WIDTH) + secrets.choice(DIGITS[1:])


def ranks_for_arrival(moment: datetime, count: int) -> list[str]:
    """The ranks of `count` cards entering a column together at `moment` (a group dropped
    into an empty column, a bulk move from the list): on top like any arrival, in the order
    given, the first on top."""
    arrival = rank_for_arrival(moment)
    width = len(_to_base36(max(count - 1, 0), 20).lstrip("0")) or 1
    return [arrival + _to_base36(index, width) + "1" for index in range(count)]


def _midpoint(low: str, high: str | None) -> str:
    """A key strictly between `low` and `high` (None: above every key); `low` < `high`."""
    if high is not None:
        shared = 0
        while shared < len(high) and (low[shared] if shared < len(low) else "0") == high[shared]:
            shared += 1
        if shared > 0:
            return high[:shared] + _midpoint(low[shared:], high[shared:])
    low_digit = DIGITS.index(low[0]) if low else 0
    high_digit = DIGITS.index(high[0]) if high is not None else _BASE
    if high_digit - low_digit > 1:
        return DIGITS[(low_digit + high_digit + 1) // 2]
    if high is not None and len(high) > 1:
        return high[:1]
    return DIGITS[low_digit] + _midpoint(low[1:], None)


def is_valid_rank(rank: str) -> bool:
    return bool(rank) and all(ch in DIGITS for ch in rank) and not rank.endswith("0")


def rank_between(above: str | None, below: str | None) -> str:
    """A rank that sorts after `above` (the card above) and before `below` (the card below);
    None for either means the top or the bottom of the column."""
    for rank in (above, below):
        if rank is not None and not is_valid_rank(rank):
            raise ValueError(f"not a rank: {rank!r}")
    if above is not None and below is not None and above >= below:
        raise ValueError("the card above must rank before the card below")
    return _midpoint(above or "", below)


def ranks_between(above: str | None, below: str | None, count: int) -> list[str]:
    """`count` ascending ranks between `above` and `below` (as rank_between takes them): the
    middle one first, then each half, so the keys grow by a character per ~5 halvings of the
    count, not per card."""
    if count <= 0:
        return []
    half = count // 2
    middle = rank_between(above, below)
    return [
        *ranks_between(above, middle, half),
        middle,
        *ranks_between(middle, below, count - half - 1),
    ]
