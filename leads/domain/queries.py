"""Typed read queries the selectors hand to the store, which turns them into MongoDB filters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, cast

from .enums import WorkItemStatus

# THE sort orders of the lead list: a key, descending when it starts with "-".
LeadSortKey = Literal["created_at", "updated_at", "name"]
LeadSort = Literal["created_at", "-created_at", "updated_at", "-updated_at", "name", "-name"]


def sort_order(sort: LeadSort) -> tuple[LeadSortKey, bool]:
    """(the key, descending?) of a sort order."""
    return cast(LeadSortKey, sort.removeprefix("-")), sort.startswith("-")


@dataclass(frozen=True)
class LeadFilter:
    stage: str | None = None
    status: WorkItemStatus | None = None
    assigned_to: str | None = None
    tag: str | None = None
    source: str | None = None
    # Leads that entered this stage in [entered_after, entered_before): a funnel step's leads.
    entered_stage: str | None = None
    entered_after: datetime | None = None
    entered_before: datetime | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    search: str | None = None
    email: str | None = None
    phone: str | None = None
    overdue: bool = False
    stale: bool = False
    # Archived leads are out of the way unless a status is asked for (the board).
    hide_archived: bool = False
    # What `overdue` and `stale` mean at the time of the query, filled in by the selectors
    # (domain/attention.py): open tasks due before this moment; per stage, no activity since.
    due_before: datetime | None = None
    stale_since: dict[str, datetime] | None = None
    # custom field key -> coerced value; a multi_select matches when it contains the value
    data_equals: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PageRequest:
    """One page of a keyset-paginated list: rows strictly beyond `after` in the walk order.

    `backward` walks against the sort order (the previous page); the store still returns the
    rows in sort order.
    """

    sort_key: LeadSortKey = "created_at"
    descending: bool = True
    after: tuple[Any, str] | None = None
    backward: bool = False
    limit: int = 25
