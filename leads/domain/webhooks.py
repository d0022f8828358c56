"""Webhooks (DESIGN.md section 11): endpoints admins register, and the deliveries the worker
makes to them from the stored events.

A delivery is one event (or a ping) for one webhook. Its id never changes, whatever the number
of attempts, so receivers de-duplicate on it; its `lane` (webhook + lead) orders it: a lane's
next delivery waits until the one before is delivered or has failed for good.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import random
import secrets
import uuid
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
)

from .events import Event, EventKind
from .inputs import Input, Version, absent
from .models import Document, new_uid, utcnow

PING = "ping"
ALL_EVENTS = "*"
# Deliveries are retried, and an endpoint failing all along is disabled, after this long.
RETRY_WINDOW = timedelta(hours=24)
# The first retry waits about this long; each next one twice as long, up to RETRY_CAP.
RETRY_BASE = timedelta(seconds=10)
RETRY_CAP = timedelta(hours=1)
# The attempts a delivery keeps (a day of capped retries is about 30).
KEPT_ATTEMPTS = 50
MAX_URL_LENGTH = 2_000
# Uniform namespace for delivery ids: the same (webhook, event) always gets the same id.
_DELIVERY_IDS = uuid.UUID("6f1c0f5e-3b7a-4a52-9a51-4c1f3c1d2b10")

EVENT_KINDS = frozenset(kind.value for kind in EventKind)


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its turn or its next attempt
    SENDING = "sending"  # a worker holds it (a lease) and is sending it
    DELIVERED = "delivered"
    FAILED = "failed"  # given up after the retry window (or its webhook was disabled)


FINAL = (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)


class Webhook(Document):
    uid: str = Field(default_factory=lambda: new_uid("whk"))
    url: str
    events: list[str]
    secret: str
    active: bool = True
    description: str = ""
    # Why the service turned it off (an admin switching it off leaves this empty).
    disabled_reason: str | None = None
    # Since when every attempt failed (cleared by a success): 24 h of that disables it.
    failing_since: datetime | None = None
    last_success_at: datetime | None = None
    last_failure_at: datetime | None = None
    last_error: str | None = None
    version: int = 1
    created_by: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    def wants(self, event: Event) -> bool:
        return self.active and event.at >= self.created_at and subscribed(self.events, event.kind)


class Attempt(BaseModel):
    at: datetime
    status_code: int | None = None
    duration_ms: int
    error: str | None = None
    ok: bool


class Delivery(Document):
    id: str
    webhook: str
    event: str
    # The event's place in the stream (None for a ping): a lane's deliveries go in its order.
    seq: int | None = None
    lane: str
    subject: str | None = None
    occurred_at: datetime
    # What the body says besides the lead (read when it is sent): who, the old values, stages.
    facts: dict[str, Any] = Field(default_factory=dict)
    status: DeliveryStatus = DeliveryStatus.PENDING
    next_attempt_at: datetime
    give_up_at: datetime
    attempts: list[Attempt] = Field(default_factory=list)
    attempt_count: int = 0
    lease_owner: str | None = None
    lease_until: datetime | None = None
    # Counts the times the delivery before it in its lane finished and woke it: a sender that
    # saw it waiting puts it off only if it was not woken meanwhile.
    wakes: int = 0
    created_at: datetime
    finished_at: datetime | None = None


def subscribed(events: list[str], kind: str) -> bool:
    return ALL_EVENTS in events or kind in events


def delivery_id(webhook_uid: str, seq: int) -> str:
    """The id of the event `seq`'s delivery to a webhook: the same on every dispatch, so an
    event dispatched again after a crash is not delivered twice under two ids."""
    return str(uuid.uuid5(_DELIVERY_IDS, f"{webhook_uid}:{seq}"))


def delivery_of(
    webhook: Webhook, event: Event, *, now: datetime, window: timedelta = RETRY_WINDOW
) -> Delivery:
    facts: dict[str, Any] = {
        "uid": event.uid,
        "version": event.version,
        "by": {"uid": event.by.uid, "name": event.by.name} if event.by else None,
        "fields": event.fields,
    }
    if event.kind in (EventKind.LEAD_MOVED, EventKind.LEAD_UPDATED):
        facts["previous"] = event.previous
    if event.kind in (EventKind.LEAD_MOVED, EventKind.LEAD_CREATED):
        facts["from_stage"], facts["to_stage"] = event.from_stage, event.to_stage
    return Delivery(
        id=delivery_id(webhook.uid, event.seq),
        webhook=webhook.uid,
        event=event.kind.value,
        seq=event.seq,
        lane=f"{webhook.uid}:{event.uid}",
        subject=event.uid,
        occurred_at=event.at,
        facts=facts,
        next_attempt_at=now,
        give_up_at=now + window,
        created_at=now,
    )


def ping_of(webhook: Webhook, *, now: datetime, window: timedelta = RETRY_WINDOW) -> Delivery:
    uid = str(uuid.uuid4())
    return Delivery(
        id=uid,
        webhook=webhook.uid,
        event=PING,
        lane=f"{webhook.uid}:{PING}:{uid}",  # a lane of its own: it waits for nothing
        occurred_at=now,
        next_attempt_at=now,
        give_up_at=now + window,
        created_at=now,
    )


def is_lead_event(event: str) -> bool:
    return event.startswith("lead.")


def delivery_body(delivery: Delivery, lead: dict[str, Any] | None) -> dict[str, Any]:
    """What a receiver gets: `lead` is the lead as the API's detail shows it when the delivery
    is sent (null once deleted, and for events of stages, the config or a ping)."""
    body: dict[str, Any] = {
        "id": delivery.id,
        "event": delivery.event,
        "occurred_at": delivery.occurred_at.isoformat().replace("+00:00", "Z"),
        **delivery.facts,
        "lead": lead,
    }
    if delivery.event in (EventKind.LEAD_MOVED.value, EventKind.LEAD_UPDATED.value):
        body.setdefault("previous", {})
    return body


def signature(secret: str, body: bytes) -> str:
    """The X-LeadCRM-Signature header's value: the HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def retry_delay(
    attempt: int, *, base: timedelta = RETRY_BASE, jitter: float | None = None
) -> timedelta:
    """How long to wait after the `attempt`-th failed attempt: doubling from `base`, capped,
    with "equal jitter" (half fixed, half random) so endpoints that failed together are not
    retried together."""
    ceiling: timedelta = min(base * 2 ** max(0, attempt - 1), RETRY_CAP)
    share = random.random() if jitter is None else jitter  # spreading retries, not secrecy
    return ceiling / 2 + ceiling / 2 * share


def new_secret() -> str:
    return secrets.token_urlsafe(32)


# --- URLs ---------------------------------------------------------------------------------


class UrlRefused(ValueError):
    pass


def url_host(url: str) -> tuple[str, int]:
    """The host and port of a webhook URL; UrlRefused when it is not one we send to: http(s)
    only, a host, no user or password in it."""
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        raise UrlRefused("must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UrlRefused(f"is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise UrlRefused("must start with http:// or https://")
    if parts.username is not None or parts.password is not None:
        raise UrlRefused("must not carry a user name or password: use the secret to authenticate")
    if not parts.hostname:
        raise UrlRefused("must name a host")
    if parts.fragment:
        raise UrlRefused("must not have a #fragment")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def address_refusal(address: str) -> str | None:
    """Why we do not send to `address` (loopback, private, link-local, reserved, ...), or
    None when it is a public address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for name in ("loopback", "private", "link_local", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{name}"):
            return f"{address} is a {name.replace('_', '-')} address"
    if not ip.is_global:
        return f"{address} is not a public address"
    return None


# --- inputs -------------------------------------------------------------------------------

Url = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_URL_LENGTH)
]
Secret = Annotated[str, StringConstraints(min_length=16, max_length=200)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


def _check_events(events: list[str]) -> list[str]:
    if not events:
        raise ValueError("name at least one event kind, or '*' for all")
    unknown = [kind for kind in events if kind != ALL_EVENTS and kind not in EVENT_KINDS]
    if unknown:
        known = ", ".join(sorted(EVENT_KINDS))
        raise ValueError(f"unknown event kind {unknown[0]!r}: one of {known}, or '*'")
    if ALL_EVENTS in events:
        return [ALL_EVENTS]
    return sorted(set(events))


def _check_url(url: str) -> str:
    try:
        url_host(url)
    except UrlRefused as exc:
        raise ValueError(str(exc)) from None
    return url


class WebhookCreate(Input):
    url: Url
    events: list[str] = Field(
        default_factory=lambda: [ALL_EVENTS],
        max_length=20,
        description="event kinds (lead.created, lead.updated, lead.moved, lead.deleted, "
        "stage.changed, config.changed), or ['*'] for all",
    )
    secret: Secret | None = Field(
        None, description="signs each delivery; generated when left out (shown once)"
    )
    active: StrictBool = True
    description: Description = ""

    _events = field_validator("events")(_check_events)
    _url = field_validator("url")(_check_url)


class WebhookUpdate(Input):
    url: Url = absent()
    events: list[str] = absent()
    secret: Secret = absent()
    active: StrictBool = absent()
    description: Description = absent()
    version: Version = absent()

    _events = field_validator("events")(_check_events)
    _url = field_validator("url")(_check_url)
