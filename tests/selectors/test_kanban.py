"""kanban_board: every stage in pipeline order, a few cards per column, a cursor per column."""

from __future__ import annotations

from typing import Any

import pytest

from leads.domain.errors import StageNotFound, ValidationFailed
from leads.domain.queries import LeadFilter
from leads.selectors.kanban import Board, Column, kanban_board
from tests.builders import make_lead, make_pipeline, make_user


def _card_uid(card: Any) -> str:
    # A card is a model wrapped with its moves (it was a dict): read its uid either way.
    inner = getattr(card, "card", card)
    return str(inner["uid"] if isinstance(inner, dict) else inner.uid)


def _uids(column: Column) -> list[str]:
    return [_card_uid(card) for card in column.cards]


def _board(per_column: int = 10) -> Board:
    return kanban_board(lead_filter=LeadFilter(), per_column=per_column, actor=make_user())


def _column(stage_uid: str, per_column: int = 50, cursor: str | None = None) -> Column:
    board = kanban_board(
        lead_filter=LeadFilter(),
        per_column=per_column,
        actor=make_user(),
        stage=stage_uid,
        cursor=cursor,
    )
    [column] = board.columns
    return column


def test_the_board_shows_every_stage_in_pipeline_order_including_empty_ones() -> None:
    stages = make_pipeline()
    make_lead(make_user())

    board = _board()

    assert [column.stage.uid for column in board.columns] == [
        stages[name].uid for name in ("new", "contacted", "won", "lost")
    ]
    assert [column.count for column in board.columns] == [1, 0, 0, 0]


def test_a_column_shows_at_most_per_column_cards_but_counts_every_lead() -> None:
    stages = make_pipeline()
    member = make_user()
    for _ in range(5):
        make_lead(member)

    column = _column(stages["new"].uid, per_column=2)

    assert len(column.cards) == 2
    assert column.count == 5


def test_following_next_cursor_walks_the_whole_column_once_in_order() -> None:
    stages = make_pipeline()
    member = make_user()
    for _ in range(5):
        make_lead(member)
    new = stages["new"].uid
    whole_column = _uids(_column(new))

    walked: list[str] = []
    cursor: str | None = None
    for _ in range(5):
        page = _column(new, per_column=2, cursor=cursor)
        walked += _uids(page)
        cursor = page.next_cursor
        if cursor is None:
            break

    assert walked == whole_column
    assert len(walked) == 5


def test_the_last_cards_of_a_column_come_without_next_cursor() -> None:
    stages = make_pipeline()
    member = make_user()
    make_lead(member)
    make_lead(member)

    assert _column(stages["new"].uid, per_column=2).next_cursor is None


def test_a_cursor_of_another_column_is_refused() -> None:
    stages = make_pipeline()
    member = make_user()
    for _ in range(3):
        make_lead(member)
    cursor = _column(stages["new"].uid, per_column=1).next_cursor
    assert cursor is not None

    with pytest.raises(ValidationFailed) as refused:
        _column(stages["contacted"].uid, per_column=1, cursor=cursor)

    assert refused.value.fields == {"cursor": ["belongs to another column"]}


def test_a_board_of_an_unknown_stage_is_refused() -> None:
    make_pipeline()

    with pytest.raises(StageNotFound):
        _column("stage-nope")
