"""The Kanban board: every stage in order, empty ones too, with totals and first cards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing

from leads.domain.errors import StageNotFound, ValidationFailed
from leads.domain.models import WorkStage
from leads.domain.queries import LeadFilter
from leads.store import leads as lead_store
from leads.store import workflow as workflow_store

_CURSOR_SALT = "leads.kanban.cursor"


@dataclass(frozen=True)
class Column:
    stage: WorkStage
    count: int
    value_total: float
    weighted_total: float
    oldest_entered_at: datetime | None
    cards: list[dict[str, Any]]
    next_cursor: str | None


def _decode(cursor: str, stage_uid: str) -> tuple[str, str]:
    try:
        payload = signing.loads(cursor, salt=_CURSOR_SALT)
        if payload["s"] != stage_uid:
            raise ValidationFailed.on("cursor", "belongs to another column")
        return str(payload["r"]), str(payload["u"])
    except (signing.BadSignature, KeyError, TypeError):
        raise ValidationFailed.on("cursor", "is not a cursor this service issued") from None


@dataclass(frozen=True)
class Board:
    columns: list[Column]
    value_field: str | None


def kanban_board(
    *, lead_filter: LeadFilter, per_column: int, stage: str | None = None, cursor: str | None = None
) -> Board:
    """Columns in pipeline order (only `stage` when given, from `cursor` on), in two round
    trips whatever the number of leads. Raises StageNotFound, ValidationFailed."""
    config, stages = workflow_store.get_config_and_stages()
    if stage is not None:
        stages = [s for s in stages if s.uid == stage]
        if not stages:
            raise StageNotFound(f"No stage {stage}.")
    elif cursor is not None:
        raise ValidationFailed.on("cursor", "goes with `stage`: it pages one column")
    after = {stage: _decode(cursor, stage)} if stage is not None and cursor else None
    value_field = config.value_field if config is not None else None
    totals, cards = lead_store.kanban(
        lead_filter=lead_filter,
        stage_uids=[s.uid for s in stages],
        per_column=per_column + 1,
        value_field=value_field,
        after=after,
    )
    columns = []
    for column_stage in stages:
        total = totals.get(column_stage.uid, {})
        column_cards = cards[column_stage.uid]
        more = len(column_cards) > per_column
        column_cards = column_cards[:per_column]
        next_cursor = None
        if more:
            last = column_cards[-1]
            next_cursor = signing.dumps(
                {"s": column_stage.uid, "r": last["rank"], "u": last["uid"]}, salt=_CURSOR_SALT
            )
        value_total = float(total.get("value_total", 0))
        columns.append(
            Column(
                stage=column_stage,
                count=int(total.get("count", 0)),
                value_total=round(value_total, 2),
                weighted_total=round(value_total * column_stage.probability / 100, 2),
                oldest_entered_at=total.get("oldest_entered_at"),
                cards=column_cards,
                next_cursor=next_cursor,
            )
        )
    return Board(columns=columns, value_field=value_field)
