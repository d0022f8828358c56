"""Use cases that read leads."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.core import signing

from leads.domain.attention import stale_since
from leads.domain.errors import ConfigNotFound, LeadNotFound, ValidationFailed
from leads.domain.fields import FIELD_KEY_PATTERN, FieldValueError, coerce_field_value
from leads.domain.models import (
    Activity,
    LeadHit,
    LeadSummary,
    TaskInstance,
    User,
    WorkStage,
    utcnow,
)
from leads.domain.queries import LeadFilter, LeadSort, LeadSortKey, PageRequest, sort_order
from leads.domain.search import hit_rank
from leads.domain.transitions import LeadDetail, Pipeline
from leads.store import activities as activity_store
from leads.store import leads as lead_store
from leads.store import workflow as workflow_store

_CURSOR_SALT = "leads.list.cursor"
_ACTIVITY_SALT = "leads.activities.cursor"


def lead_get(*, uid: str, actor: User) -> LeadDetail:
    """One lead with its tasks, history, latest activities and the moves open to `actor`, in
    one round trip. Raises LeadNotFound."""
    context = lead_store.get_lead_with_workflow(uid)
    if context.record is None:
        raise LeadNotFound(f"No lead {uid}.")
    pipeline = Pipeline.of(context.stages, context.config)
    return LeadDetail.of(context.record, pipeline, reader=actor)


@dataclass(frozen=True)
class LeadPage:
    items: list[LeadSummary]
    next_cursor: str | None
    previous_cursor: str | None


def _sort_value(lead: LeadSummary, sort_key: LeadSortKey) -> Any:
    value = getattr(lead, sort_key)
    return value.isoformat() if isinstance(value, datetime) else value


def _encode_cursor(lead: LeadSummary, sort: str, sort_key: LeadSortKey, backward: bool) -> str:
    payload = {"s": sort, "k": _sort_value(lead, sort_key), "u": lead.uid, "b": backward}
    return signing.dumps(payload, salt=_CURSOR_SALT, compress=True)


def _decode_cursor(cursor: str, sort: str, sort_key: LeadSortKey) -> tuple[tuple[Any, str], bool]:
    try:
        payload = signing.loads(cursor, salt=_CURSOR_SALT)
        if payload["s"] != sort:
            raise ValidationFailed.on("cursor", "belongs to another sort order; start over")
        value = payload["k"]
        if sort_key != "name":
            value = datetime.fromisoformat(value)
        return (value, str(payload["u"])), bool(payload["b"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ValidationFailed.on("cursor", "is not a cursor this service issued") from None


def data_filters(raw: dict[str, str]) -> dict[str, Any]:
    """`data.<key>=value` query filters, checked against the field definitions and coerced."""
    if not raw:
        return {}
    config = workflow_store.get_config()
    if config is None:
        raise ConfigNotFound()
    result: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, value in raw.items():
        definition = config.field(key) if re.fullmatch(FIELD_KEY_PATTERN, key) else None
        if definition is None:
            errors[f"data.{key}"] = ["is not a field of this workflow"]
            continue
        try:
            if definition.field_type == "multi_select":
                coerced = coerce_field_value(definition, [value])[0]
            else:
                coerced = coerce_field_value(definition, value)
        except FieldValueError as exc:
            errors[f"data.{key}"] = [str(exc)]
            continue
        result[key] = coerced
    if errors:
        raise ValidationFailed("Some filters are not valid.", fields=errors)
    return result


def with_attention(lead_filter: LeadFilter, stages: list[WorkStage] | None = None) -> LeadFilter:
    """`lead_filter` with its `overdue` / `stale` turned into moments, as of now; `stages` are
    read when `stale` needs them and none are given."""
    now = utcnow()
    if lead_filter.stale and stages is None:
        stages = workflow_store.list_stages()
    return replace(
        lead_filter,
        due_before=now if lead_filter.overdue else None,
        stale_since=stale_since(stages or [], now) if lead_filter.stale else None,
    )


def lead_list(
    *, lead_filter: LeadFilter, sort: LeadSort, limit: int, cursor: str | None
) -> LeadPage:
    """A page of leads. Raises ValidationFailed for a bad cursor."""
    sort_key, descending = sort_order(sort)
    after: tuple[Any, str] | None = None
    backward = False
    if cursor:
        after, backward = _decode_cursor(cursor, sort, sort_key)
    rows = lead_store.find_leads(
        with_attention(lead_filter),
        PageRequest(
            sort_key=sort_key,
            descending=descending,
            after=after,
            backward=backward,
            limit=limit + 1,
        ),
    )
    more = len(rows) > limit
    if backward:
        items = rows[-limit:] if more else rows
        has_next, has_previous = True, more
    else:
        items = rows[:limit]
        has_next, has_previous = more, cursor is not None
    next_cursor = _encode_cursor(items[-1], sort, sort_key, False) if items and has_next else None
    previous_cursor = (
        _encode_cursor(items[0], sort, sort_key, True) if items and has_previous else None
    )
    return LeadPage(items=items, next_cursor=next_cursor, previous_cursor=previous_cursor)


@dataclass(frozen=True)
class ActivityPage:
    items: list[Activity]
    total: int
    next_cursor: str | None


def activity_list(*, uid: str, types: list[str], cursor: str | None, limit: int) -> ActivityPage:
    """A lead's timeline, newest first, one page. Raises LeadNotFound, ValidationFailed."""
    before: int | None = None
    if cursor is not None:
        try:
            before = int(signing.loads(cursor, salt=_ACTIVITY_SALT))
        except (signing.BadSignature, TypeError, ValueError):
            raise ValidationFailed.on("cursor", "is not a cursor this service issued") from None
    # A cursor is the position (counted from the lead's first activity) the next page reads
    # back from, so it holds while new activities arrive and old ones move into pages.
    page = activity_store.timeline(uid=uid, types=types or None, before=before, limit=limit)
    if page is None:
        raise LeadNotFound(f"No lead {uid}.")
    next_cursor = None if page.before is None else signing.dumps(page.before, salt=_ACTIVITY_SALT)
    return ActivityPage(items=page.items, total=page.total, next_cursor=next_cursor)


def task_list(*, uid: str, stage: str | None, status: str | None) -> list[TaskInstance]:
    """A lead's tasks, optionally of one stage and/or status. Raises LeadNotFound."""
    record = lead_store.get_lead(uid)
    if record is None:
        raise LeadNotFound(f"No lead {uid}.")
    return [
        task
        for task in record.lead.tasks
        if (stage is None or task.stage == stage) and (status is None or task.status == status)
    ]


def lead_search(*, query: str, limit: int) -> list[LeadHit]:
    """The `limit` best leads for a quick search, in one round trip: exact email, phone, uid or
    number first, then name matches, then the rest, newest first within each.

    Ranked in memory over a bounded set (the exact hits and at most SEARCH_CANDIDATES of the
    newest leads holding every term), so its cost does not grow with the number of leads."""
    best: dict[str, tuple[int, float, LeadHit]] = {}
    for hit in lead_store.search_hits(query):
        rank = hit_rank(
            query, uid=hit.uid, name=hit.name, email_key=hit.email_key, phone_key=hit.phone_key
        )
        best.setdefault(hit.uid, (rank, -hit.created_at.timestamp(), hit))
    ordered = sorted(best.values(), key=lambda entry: (entry[0], entry[1], entry[2].uid))
    return [hit for _rank, _age, hit in ordered[:limit]]
