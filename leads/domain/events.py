"""What happened to the workflow's data, as announced to the live board (and later webhooks).

An event is derived from one write of the `leads` collection by the change-stream reader
(services/events.py) and stored in the `events` collection under an increasing `seq`, the id
clients resume from."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class EventKind(StrEnum):
    LEAD_CREATED = "lead.created"
    LEAD_UPDATED = "lead.updated"
    LEAD_MOVED = "lead.moved"
    LEAD_DELETED = "lead.deleted"
    STAGE_CHANGED = "stage.changed"
    CONFIG_CHANGED = "config.changed"


class EventActor(BaseModel):
    model_config = ConfigDict(frozen=True)

    uid: str
    name: str
    # A rule's change (uid `rule:<rule uid>`): the round the rule ran in (domain/automation.py
    # cuts loops with it); None for a person.
    round: int | None = None


class CompletedTask(BaseModel):
    """A task a write completed: what rules on task completion match (its stage: the one it
    came from, else the lead's stage then)."""

    model_config = ConfigDict(frozen=True)

    uid: str
    title: str
    stage: str | None = None


class WriteStamp(BaseModel):
    """What a write says about itself, stored with it (`last_write` on the written document) so
    the change stream carries it: the reader needs nothing else to announce the write."""

    model_config = ConfigDict(frozen=True)

    kind: EventKind
    uid: str
    version: int | None = None
    at: datetime
    by: EventActor | None = None
    from_stage: str | None = None
    to_stage: str | None = None
    # The changed fields (core names, `data.<key>` for custom fields) and their values before.
    fields: list[str] = Field(default_factory=list)
    previous: dict[str, Any] = Field(default_factory=dict)
    completed_tasks: list[CompletedTask] = Field(default_factory=list)


def actor_of(user: Any) -> EventActor:
    """Who did it, as events name them (a domain User, or a rule's actor with its round)."""
    return EventActor(
        uid=user.uid,
        name=user.display_name or user.username,
        round=getattr(user, "rule_round", None),
    )


class Event(WriteStamp):
    """A stored event: the stamp plus its place in the sequence."""

    seq: int
