"""Registering webhooks (admins), sending a test ping, redelivering a delivery; and the URL
check both registration and every delivery make (services/webhook_delivery.py)."""

from __future__ import annotations

import os
import socket

from leads.domain.audit import AuditAction, AuditChange, Origin, audit_event
from leads.domain.errors import (
    DeliveryNotFound,
    DeliveryUnfinished,
    ValidationFailed,
    VersionConflict,
    WebhookInactive,
)
from leads.domain.inputs import sent
from leads.domain.models import User, utcnow
from leads.domain.webhooks import (
    Delivery,
    UrlRefused,
    Webhook,
    WebhookCreate,
    WebhookUpdate,
    address_refusal,
    new_secret,
    ping_of,
    url_host,
)
from leads.selectors.webhooks import retry_window, webhook_get
from leads.store import webhooks as webhook_store

from .audit import audit_record

# What an audit entry repeats of a webhook's change: never its secret (only that it changed).
_AUDITED = ("url", "events", "active", "description")


def private_addresses_allowed() -> bool:
    # Read at each use: tests (and a deployment whose receivers sit on its own network) set it.
    return os.environ.get("LEADCRM_WEBHOOK_ALLOW_PRIVATE") == "1"


def webhook_addresses(url: str) -> tuple[str, list[str]]:
    """The host of `url` and the addresses it resolves to now, each one checked: none may be
    loopback, private, link-local or reserved unless LEADCRM_WEBHOOK_ALLOW_PRIVATE=1. Raises
    UrlRefused."""
    host, port = url_host(url)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise UrlRefused(f"its host {host} does not resolve") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not private_addresses_allowed():
        for address in addresses:
            reason = address_refusal(address)
            if reason is not None:
                raise UrlRefused(
                    f"points to {reason}: webhooks go to public addresses only"
                    " (LEADCRM_WEBHOOK_ALLOW_PRIVATE=1 lifts this)"
                )
    return host, addresses


def _checked_url(url: str) -> str:
    try:
        webhook_addresses(url)
    except UrlRefused as exc:
        raise ValidationFailed.on("url", str(exc)) from None
    return url


def webhook_create(*, data: WebhookCreate, actor: User, origin: Origin | None = None) -> Webhook:
    """Audited as `webhook.created`. Raises ValidationFailed (the URL refused)."""
    webhook = Webhook(
        url=_checked_url(data.url),
        events=data.events,
        secret=data.secret or new_secret(),
        active=data.active,
        description=data.description,
        created_by=actor.uid,
    )
    webhook_store.insert_webhook(webhook)
    changes = {name: AuditChange(new=getattr(webhook, name)) for name in _AUDITED}
    summary = f"Added the webhook to {webhook.url}"
    event = audit_event(AuditAction.WEBHOOK_CREATED, webhook.uid, summary, changes)
    audit_record(event, actor=actor, origin=origin)
    return webhook


def webhook_update(
    *,
    uid: str,
    changes: WebhookUpdate,
    expected_version: int | None,
    actor: User | None = None,
    origin: Origin | None = None,
) -> Webhook:
    """Audited as `webhook.updated`. Raises WebhookNotFound, VersionConflict,
    ValidationFailed."""
    webhook = webhook_get(uid=uid)
    fields = sent(changes, exclude=frozenset({"version"}))
    if expected_version is not None and expected_version != webhook.version:
        raise VersionConflict(details={"current_version": webhook.version})
    if "url" in fields:
        _checked_url(fields["url"])
    if fields.get("active"):
        # Switched on again: its failures so far no longer count towards disabling it.
        fields.update(disabled_reason=None, failing_since=None)
    if not fields:
        return webhook
    updated = webhook_store.update_webhook(
        uid, expected_version=webhook.version, changes={**fields, "updated_at": utcnow()}
    )
    if updated is None:
        raise VersionConflict("The webhook changed meanwhile; reload it and try again.")
    audited = {
        name: AuditChange(old=getattr(webhook, name), new=getattr(updated, name))
        for name in _AUDITED
        if getattr(webhook, name) != getattr(updated, name)
    }
    if "secret" in fields and fields["secret"] != webhook.secret:
        audited["secret"] = AuditChange(old="…", new="…")
    if audited:
        summary = f"Changed the webhook to {updated.url}: {', '.join(audited)}"
        event = audit_event(AuditAction.WEBHOOK_UPDATED, uid, summary, audited)
        audit_record(event, actor=actor, origin=origin)
    return updated


def webhook_delete(
    *,
    uid: str,
    expected_version: int | None,
    actor: User | None = None,
    origin: Origin | None = None,
) -> None:
    """Deletes its deliveries too (pending ones are not sent); audited as `webhook.deleted`.
    Raises WebhookNotFound, VersionConflict."""
    webhook = webhook_get(uid=uid)
    if expected_version is not None and expected_version != webhook.version:
        raise VersionConflict(details={"current_version": webhook.version})
    if not webhook_store.delete_webhook(uid, expected_version=webhook.version):
        raise VersionConflict("The webhook changed meanwhile; reload it and try again.")
    summary = f"Deleted the webhook to {webhook.url}"
    event = audit_event(AuditAction.WEBHOOK_DELETED, uid, summary)
    audit_record(event, actor=actor, origin=origin)


def webhook_ping(*, uid: str) -> Delivery:
    """Queue a `ping` delivery (sent by a worker). Raises WebhookNotFound, WebhookInactive."""
    webhook = webhook_get(uid=uid)
    if not webhook.active:
        raise WebhookInactive()
    delivery = ping_of(webhook, now=utcnow(), window=retry_window())
    webhook_store.insert_delivery(delivery)
    return delivery


def delivery_redeliver(*, uid: str, delivery_id: str) -> Delivery:
    """Send a finished delivery again under the same id, with a fresh retry window. Raises
    WebhookNotFound, DeliveryNotFound, DeliveryUnfinished."""
    webhook_get(uid=uid)
    now = utcnow()
    delivery = webhook_store.requeue_delivery(
        uid, delivery_id, now=now, give_up_at=now + retry_window()
    )
    if delivery is not None:
        return delivery
    if webhook_store.get_delivery(uid, delivery_id) is None:
        raise DeliveryNotFound(f"No delivery {delivery_id} of webhook {uid}.")
    raise DeliveryUnfinished()
