"""Reading webhooks and their deliveries (admins)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from leads.domain.errors import ValidationFailed, WebhookNotFound
from leads.domain.webhooks import RETRY_WINDOW, Delivery, Webhook
from leads.store import webhooks as webhook_store


def retry_window() -> timedelta:
    """How long deliveries are retried and an endpoint may fail before it is disabled
    (LEADCRM_WEBHOOK_RETRY_WINDOW_SECONDS shortens it for tests)."""
    configured = os.environ.get("LEADCRM_WEBHOOK_RETRY_WINDOW_SECONDS")
    return timedelta(seconds=float(configured)) if configured else RETRY_WINDOW


def webhook_list() -> list[Webhook]:
    return webhook_store.list_webhooks()


def webhook_get(*, uid: str) -> Webhook:
    """Raises WebhookNotFound."""
    webhook = webhook_store.get_webhook(uid)
    if webhook is None:
        raise WebhookNotFound(f"No webhook {uid}.")
    return webhook


@dataclass(frozen=True)
class DeliveryPage:
    items: list[Delivery]
    next_cursor: str | None


def _cursor_of(delivery: Delivery) -> str:
    return f"{delivery.created_at.isoformat()}|{delivery.id}"


def _parse_cursor(cursor: str) -> tuple[datetime, str]:
    at, _, last_id = cursor.partition("|")
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        raise ValidationFailed.on("cursor", "is not a cursor this list gave") from None
    if not last_id or moment.tzinfo is None:
        raise ValidationFailed.on("cursor", "is not a cursor this list gave")
    return moment, last_id


def delivery_list(*, uid: str, limit: int, cursor: str | None) -> DeliveryPage:
    """A webhook's deliveries, newest first, with their attempts. Raises WebhookNotFound,
    ValidationFailed (a bad cursor)."""
    webhook_get(uid=uid)
    before = _parse_cursor(cursor) if cursor else None
    found = webhook_store.delivery_page(uid, limit=limit + 1, before=before)
    items = found[:limit]
    next_cursor = _cursor_of(items[-1]) if len(found) > limit else None
    return DeliveryPage(items=items, next_cursor=next_cursor)
