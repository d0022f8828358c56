"""Card ranks: rank_between (a move writes one key) and rank_for_arrival (new cards on top)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from leads.domain.ranks import (
    is_valid_rank,
    rank_between,
    rank_for_arrival,
    ranks_between,
    ranks_for_arrival,
)

# The longest key each 200-move run below produced when these tests were written, plus slack:
# without rebalancing a key grows by about one digit every five moves into the same gap.
MAX_KEY_AFTER_200_MOVES = 45


def insert(ranks: list[str], index: int) -> str:
    """Insert a card at `index` of a column whose ranks are `ranks` (kept sorted); its rank."""
    before = ranks[index - 1] if index > 0 else None
    after = ranks[index] if index < len(ranks) else None
    rank = rank_between(before, after)
    ranks.insert(index, rank)
    return rank


def assert_sorted_and_valid(ranks: list[str]) -> None:
    assert all(is_valid_rank(rank) for rank in ranks)
    assert all(upper < lower for upper, lower in zip(ranks, ranks[1:], strict=False))


# rank_between


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("a", "b"),
        ("a", "c"),
        ("1", "z"),
        ("a", "a1"),
        ("a", "a05"),
        ("az", "b"),
        ("azzz", "b"),
        ("ab", "ac"),
        ("a", "b1"),
        ("0001", "0002"),
        ("y", "z"),
        ("t0zk3dkb2", "t0zk3dkb3"),
    ],
)
def test_rank_between_sorts_strictly_between_its_neighbours(before: str, after: str) -> None:
    rank = rank_between(before, after)
    assert before < rank < after
    assert is_valid_rank(rank)


@pytest.mark.parametrize("after", ["i", "z", "1", "01", "0001", "1z", "t0zk3dkb2"])
def test_rank_between_nothing_and_the_top_card_sorts_above_it(after: str) -> None:
    rank = rank_between(None, after)
    assert rank < after
    assert is_valid_rank(rank)


@pytest.mark.parametrize("before", ["i", "1", "z", "zzz", "zz1", "t0zk3dkb2"])
def test_rank_between_the_bottom_card_and_nothing_sorts_below_it(before: str) -> None:
    rank = rank_between(before, None)
    assert rank > before
    assert is_valid_rank(rank)


def test_the_first_card_of_an_empty_column_gets_a_valid_rank() -> None:
    assert is_valid_rank(rank_between(None, None))


def test_many_random_insertions_keep_the_column_sorted_and_valid() -> None:
    rng = random.Random(20260501)
    ranks: list[str] = []
    for _ in range(500):
        insert(ranks, rng.randint(0, len(ranks)))
    assert len(set(ranks)) == 500
    assert_sorted_and_valid(ranks)


def test_a_card_can_always_be_put_right_below_the_same_card() -> None:
    upper, lower = "a", "b"
    for _ in range(200):
        rank = rank_between(upper, lower)
        assert upper < rank < lower
        assert is_valid_rank(rank)
        lower = rank
    assert len(lower) < MAX_KEY_AFTER_200_MOVES


def test_a_card_can_always_be_put_right_above_the_same_card() -> None:
    upper, lower = "a", "b"
    for _ in range(200):
        rank = rank_between(upper, lower)
        assert upper < rank < lower
        assert is_valid_rank(rank)
        upper = rank
    assert len(upper) < MAX_KEY_AFTER_200_MOVES


def test_moving_a_card_to_the_top_again_and_again_always_works() -> None:
    top = "i"
    for _ in range(200):
        rank = rank_between(None, top)
        assert rank < top
        assert is_valid_rank(rank)
        top = rank
    assert len(top) < MAX_KEY_AFTER_200_MOVES


def test_moving_a_card_to_the_bottom_again_and_again_always_works() -> None:
    bottom = "i"
    for _ in range(200):
        rank = rank_between(bottom, None)
        assert rank > bottom
        assert is_valid_rank(rank)
        bottom = rank
    assert len(bottom) < MAX_KEY_AFTER_200_MOVES


@pytest.mark.parametrize("rank", ["", "A", "a0", "10", "a-b", " a", "a ", "é", "a.5"], ids=repr)
def test_rank_between_refuses_an_invalid_rank_above(rank: str) -> None:
    with pytest.raises(ValueError, match="not a rank"):
        rank_between(rank, None)


@pytest.mark.parametrize("rank", ["", "A", "a0", "10", "a-b", " a", "a ", "é", "a.5"], ids=repr)
def test_rank_between_refuses_an_invalid_rank_below(rank: str) -> None:
    with pytest.raises(ValueError, match="not a rank"):
        rank_between(None, rank)


@pytest.mark.parametrize(("before", "after"), [("b", "a"), ("a", "a"), ("a1", "a"), ("z", "1")])
def test_rank_between_refuses_neighbours_out_of_order(before: str, after: str) -> None:
    with pytest.raises(ValueError, match="must rank before"):
        rank_between(before, after)


@pytest.mark.parametrize(
    ("rank", "valid"),
    [
        ("a", True),
        ("0001", True),
        ("zz", True),
        ("a0", False),
        ("0", False),
        ("", False),
        ("A", False),
    ],
)
def test_a_rank_is_lower_case_base_36_not_ending_in_zero(rank: str, valid: bool) -> None:
    assert is_valid_rank(rank) is valid


# rank_for_arrival


MOMENTS = [
    datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
    datetime(2000, 1, 1, tzinfo=UTC),
    datetime(2026, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC),
    datetime(2099, 6, 15, 12, 0, tzinfo=UTC),
]


@pytest.mark.parametrize("moment", MOMENTS, ids=str)
def test_an_arrival_rank_is_valid(moment: datetime) -> None:
    for _ in range(20):
        assert is_valid_rank(rank_for_arrival(moment))


@pytest.mark.parametrize(
    "gap", [timedelta(days=400), timedelta(hours=1), timedelta(seconds=1)], ids=str
)
def test_a_later_arrival_sorts_first(gap: timedelta) -> None:
    earlier = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    assert rank_for_arrival(earlier + gap) < rank_for_arrival(earlier)


@pytest.mark.parametrize(
    "earlier",
    [
        datetime(2026, 5, 1, 9, 0, 0, 41_000, tzinfo=UTC),
        # Past 2**31 seconds, seconds * 1000 in floating point can fall a millisecond short.
        datetime(2038, 7, 15, 4, 47, 52, 93_000, tzinfo=UTC),
    ],
    ids=str,
)
def test_an_arrival_one_millisecond_later_sorts_first(earlier: datetime) -> None:
    later = earlier + timedelta(milliseconds=1)
    # The last digit is random: a tie on the time part would make this pass only by chance.
    for _ in range(20):
        assert rank_for_arrival(later) < rank_for_arrival(earlier)


def test_arrivals_over_a_day_sort_newest_first() -> None:
    rng = random.Random(7)
    start = datetime(2026, 5, 1, tzinfo=UTC)
    moments = sorted(start + timedelta(seconds=rng.randint(0, 86_400)) for _ in range(200))
    moments = list(dict.fromkeys(moments))
    ranks = [rank_for_arrival(moment) for moment in reversed(moments)]
    assert_sorted_and_valid(ranks)


def test_a_card_moved_to_the_top_stays_above_later_arrivals() -> None:
    now = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    top = rank_between(None, rank_for_arrival(now))
    assert top < rank_for_arrival(now + timedelta(days=365))


def test_a_card_moved_to_the_bottom_stays_below_later_arrivals() -> None:
    now = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    bottom = rank_between(rank_for_arrival(now), None)
    assert bottom > rank_for_arrival(now + timedelta(days=365))


@pytest.mark.parametrize(("above", "below"), [(None, None), ("h", None), (None, "h"), ("h", "i")])
def test_ranks_between_gives_each_card_a_valid_rank_in_order_between_the_neighbours(
    above: str | None, below: str | None
) -> None:
    ranks = ranks_between(above, below, 500)

    assert len(set(ranks)) == 500
    assert_sorted_and_valid([*([above] if above else []), *ranks, *([below] if below else [])])
    # Bisection: the keys grow with the log of the count, not with the count.
    assert max(len(rank) for rank in ranks) <= 6


def test_ranks_between_for_no_card_is_empty() -> None:
    assert ranks_between("h", "i", 0) == []


def test_cards_arriving_together_go_on_top_in_the_order_given() -> None:
    moment = datetime(2026, 12, 1, 9, tzinfo=UTC)
    earlier = rank_for_arrival(moment - timedelta(milliseconds=1))

    group = ranks_for_arrival(moment, 40)

    assert sorted(group) == group and len(set(group)) == 40
    assert all(is_valid_rank(rank) for rank in group)
    assert group[-1] < earlier
