"""The Kanban board: every stage in order, empty ones too, with totals and first cards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core import signing

from leads.domain.attention import idle_days
from leads.domain.errors import StageNotFound, ValidationFailed
from leads.domain.facts import FACTS_VERSION
from leads.domain.fields import missing_values
from leads.domain.models import BoardCard, User, WorkStage, utcnow
from leads.domain.queries import LeadFilter
from leads.domain.transitions import Move, MoveSubject, Pipeline, lead_moves
from leads.selectors.leads import with_attention
from leads.store import facts as facts_store
from leads.store import leads as lead_store

_CURSOR_SALT = "leads.kanban.cursor"


@dataclass(frozen=True)
class Card:
    card: BoardCard
    moves: list[Move]
    stale_days: int | None


@dataclass(frozen=True)
class Column:
    stage: WorkStage
    count: int
    value_total: float
    weighted_total: float
    oldest_entered_at: datetime | None
    cards: list[Card]
    next_cursor: str | None


@dataclass(frozen=True)
class Board:
    columns: list[Column]
    value_field: str | None


def _decode(cursor: str, stage_uid: str) -> tuple[str, str]:
    try:
        payload = signing.loads(cursor, salt=_CURSOR_SALT)
        if payload["s"] != stage_uid:
            raise ValidationFailed.on("cursor", "belongs to another column")
        return str(payload["r"]), str(payload["u"])
    except (signing.BadSignature, KeyError, TypeError):
        raise ValidationFailed.on("cursor", "is not a cursor this service issued") from None


class _MovesOfCards:
    """Cards that hold the lead in the same way share their moves: a column of fifty cards
    usually needs the rules worked out a handful of times, not fifty. Blocking tasks are told
    apart by title (each lead has its own task uids): a card's moves name the tasks in their
    messages, and the lead's page lists them with their uids."""

    def __init__(self, pipeline: Pipeline, actor: User) -> None:
        self._pipeline = pipeline
        self._actor_is_admin = actor.is_admin
        self._required = sorted({key for stage in pipeline.stages for key in stage.required_fields})
        self._seen: dict[tuple[object, ...], list[Move]] = {}

    def __call__(self, card: BoardCard) -> list[Move]:
        subject = MoveSubject.of(card)
        key = (
            subject.current_stage,
            subject.status,
            tuple(task.title for task in subject.blocking_tasks),
            tuple(missing_values(subject.data, self._required)),
        )
        if key not in self._seen:
            self._seen[key] = lead_moves(
                subject, self._pipeline, actor_is_admin=self._actor_is_admin
            )
        return self._seen[key]


def summaries_usable(context: facts_store.BoardContext, now: datetime) -> bool:
    """Whether the board may read its totals from the summaries: built for the config's value
    field and fact definition, and kept (a reader holds its lease: without one, no write would
    reach them)."""
    state, config = context.summaries, context.config
    return (
        state is not None
        and state.definition == FACTS_VERSION
        and state.value_field == (config.value_field if config is not None else None)
        and context.reader_lease_until is not None
        and context.reader_lease_until > now
    )


def kanban_board(
    *,
    lead_filter: LeadFilter,
    per_column: int,
    actor: User,
    stage: str | None = None,
    cursor: str | None = None,
) -> Board:
    """Columns in pipeline order (only `stage` when given, from `cursor` on), each card with the
    moves open to `actor`, in two round trips whatever the number of leads (the totals from the
    summaries when they are usable, else counted from the leads). Raises
    StageNotFound, ValidationFailed."""
    context = facts_store.board_context()
    config, stages = context.config, context.stages
    moves_of = _MovesOfCards(Pipeline.of(stages, config), actor)
    now = utcnow()
    shown = stages
    if stage is not None:
        shown = [s for s in stages if s.uid == stage]
        if not shown:
            raise StageNotFound(f"No stage {stage}.")
    elif cursor is not None:
        raise ValidationFailed.on("cursor", "goes with `stage`: it pages one column")
    after = {stage: _decode(cursor, stage)} if stage is not None and cursor else None
    value_field = config.value_field if config is not None else None
    totals, cards = lead_store.kanban(
        summaries=summaries_usable(context, now),
        lead_filter=with_attention(lead_filter, stages),
        stage_uids=[s.uid for s in shown],
        per_column=per_column + 1,
        value_field=value_field,
        data_keys=sorted({key for s in stages for key in s.required_fields}),
        after=after,
    )
    columns = []
    for column_stage in shown:
        total = totals.get(column_stage.uid, {})
        column_cards = cards[column_stage.uid]
        more = len(column_cards) > per_column
        column_cards = column_cards[:per_column]
        next_cursor = None
        if more:
            last = column_cards[-1]
            next_cursor = signing.dumps(
                {"s": column_stage.uid, "r": last.rank, "u": last.uid}, salt=_CURSOR_SALT
            )
        value_total = float(total.get("value_total", 0))
        columns.append(
            Column(
                stage=column_stage,
                count=int(total.get("count", 0)),
                value_total=round(value_total, 2),
                weighted_total=round(value_total * column_stage.probability / 100, 2),
                oldest_entered_at=total.get("oldest_entered_at"),
                cards=[
                    Card(
                        card=card,
                        moves=moves_of(card),
                        stale_days=idle_days(
                            status=card.status,
                            stage=column_stage,
                            last_activity_at=card.last_activity_at,
                            now=now,
                        ),
                    )
                    for card in column_cards
                ],
                next_cursor=next_cursor,
            )
        )
    return Board(columns=columns, value_field=value_field)
