"""Webhook deliveries, run in the worker beside the change-stream reader.

The dispatcher follows the `events` collection by seq from its stored position (one at a time:
a lease, like the reader's) and stores one delivery per (webhook, event) the webhook asked for,
under an id derived from both: dispatching an event again after a crash stores nothing new.
It saves its position after the deliveries, so none is lost.

The sender (one per worker) takes due deliveries with a lease and posts them from a small pool
of threads. Of a lane's deliveries (one webhook, one lead) only the first unfinished one is
sent: the next waits until it is delivered or has failed for good, so a receiver sees a lead's
events in order. A webhook has at most PER_WEBHOOK deliveries in flight, so a slow receiver
holds up its own deliveries only.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from pymongo.errors import PyMongoError

from leads.domain.events import Event
from leads.domain.models import utcnow
from leads.domain.webhooks import (
    Attempt,
    Delivery,
    DeliveryStatus,
    UrlRefused,
    Webhook,
    delivery_body,
    delivery_of,
    is_lead_event,
    retry_delay,
    signature,
)
from leads.selectors.webhooks import retry_window
from leads.store import events as event_store
from leads.store import webhooks as webhook_store
from leads.store.connection import is_database_unavailable

from .webhooks import webhook_addresses

logger = logging.getLogger(__name__)

# The lead as the API shows it (the worker passes the API's renderer: services know no API).
LeadRenderer = Callable[[str], "dict[str, Any] | None"]

BATCH = 500
POLL_SECONDS = 0.25
SENDERS = 8
PER_WEBHOOK = 4
USER_AGENT = "LeadCRM-Webhooks/1"


def lease_seconds() -> float:
    """The dispatcher's lease, and how long a delivery being sent stays its sender's beyond
    the request's timeout (LEADCRM_WEBHOOK_LEASE_SECONDS)."""
    return float(os.environ.get("LEADCRM_WEBHOOK_LEASE_SECONDS", "30"))


def timeout_seconds() -> float:
    return float(os.environ.get("LEADCRM_WEBHOOK_TIMEOUT_SECONDS", "10"))


def retry_base() -> timedelta:
    return timedelta(seconds=float(os.environ.get("LEADCRM_WEBHOOK_RETRY_BASE_SECONDS", "10")))


# --- the dispatcher -------------------------------------------------------------------------


def dispatch(events: list[Event], webhooks: list[Webhook], *, now: datetime) -> int:
    """Store the deliveries of `events` to the webhooks that want them; how many were new."""
    window = retry_window()
    batch = [
        delivery_of(webhook, event, now=now, window=window)
        for event in events
        for webhook in webhooks
        if webhook.wants(event)
    ]
    return webhook_store.insert_deliveries(batch)


class _Dispatcher:
    def __init__(self, owner: str, stop: threading.Event, wake: threading.Event) -> None:
        self.owner, self.stop, self.wake = owner, stop, wake
        self.lease = lease_seconds()

    def _until(self) -> datetime:
        return utcnow() + timedelta(seconds=self.lease)

    def claim(self) -> bool:
        return webhook_store.claim_dispatcher(
            owner=self.owner, now=utcnow(), lease_until=self._until()
        )

    def follow(self) -> None:
        """Dispatch events while this worker holds the lease."""
        position = webhook_store.dispatcher_position()
        if position is None:
            # The first dispatcher starts at the newest event: webhooks hear what happens
            # after they exist.
            position = event_store.last_seq()
            if not webhook_store.save_dispatcher_position(
                owner=self.owner, seq=position, lease_until=self._until()
            ):
                return
        renewed = time.monotonic()
        while not self.stop.is_set():
            events = event_store.events_after(position, BATCH)
            if events:
                oldest = events[0].seq
                if oldest > position + 1 and position and event_store.oldest_seq() == oldest:
                    logger.error(
                        "webhooks: events %s-%s expired undelivered", position + 1, oldest - 1
                    )
                hooks = [hook for hook in webhook_store.list_webhooks() if hook.active]
                if dispatch(events, hooks, now=utcnow()):
                    self.wake.set()
                position = events[-1].seq
            elif time.monotonic() - renewed < self.lease / 3:
                self.stop.wait(POLL_SECONDS)
                continue
            if not webhook_store.save_dispatcher_position(
                owner=self.owner, seq=position, lease_until=self._until()
            ):
                return
            renewed = time.monotonic()


def guarded(name: str, stop: threading.Event, pause: float, step: Callable[[], None]) -> None:
    """Run `step` until `stop`; a database that cannot be reached or a bug pauses it, never
    ends it (the worker's jobs go on)."""
    while not stop.is_set():
        try:
            step()
        except PyMongoError as exc:
            if not is_database_unavailable(exc):
                logger.exception("%s failed", name)
            else:
                logger.warning("%s: the database cannot be reached", name)
        except Exception:
            logger.exception("%s failed", name)
        stop.wait(pause)


def dispatch_events(
    *, stop: threading.Event, owner: str, wake: threading.Event | None = None
) -> None:
    """Be the webhook dispatcher whenever no other worker is, until `stop` is set."""
    dispatcher = _Dispatcher(owner, stop, wake or threading.Event())

    def step() -> None:
        if dispatcher.claim():
            dispatcher.follow()

    try:
        guarded("webhook dispatcher", stop, dispatcher.lease / 3, step)
    finally:
        try:
            webhook_store.release_dispatcher(owner=owner)
        except PyMongoError:
            logger.warning("webhook dispatcher: could not hand its lease back")


# --- sending --------------------------------------------------------------------------------


def _pinned(url: str, host: str, address: str) -> str:
    """`url` aimed at the checked `address` instead of its host name: what was checked is
    what is connected to (a DNS answer that changes meanwhile cannot send it elsewhere)."""
    parts = urlsplit(url)
    literal = f"[{address}]" if ":" in address else address
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


def post_delivery(
    client: httpx.Client, *, url: str, secret: str, body: bytes, headers: dict[str, str]
) -> int:
    """POST `body` to `url` after checking where its host points now; the response's status.
    Raises UrlRefused, httpx.HTTPError."""
    host, addresses = webhook_addresses(url)
    parts = urlsplit(url)
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    request = client.build_request(
        "POST",
        _pinned(url, host, addresses[0]),
        content=body,
        headers={
            **headers,
            "Host": parts.netloc.rsplit("@", 1)[-1],
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-LeadCRM-Signature": signature(secret, body),
        },
        extensions=extensions,
    )
    response = client.send(request, stream=True)
    response.close()  # the body is not read: a receiver cannot make us hold a large one
    return response.status_code


class Sender:
    """Takes due deliveries and sends them from a pool of threads."""

    def __init__(
        self,
        owner: str,
        stop: threading.Event,
        render_lead: LeadRenderer,
        wake: threading.Event | None = None,
        *,
        threads: int = SENDERS,
        per_webhook: int = PER_WEBHOOK,
    ) -> None:
        self.owner, self.stop, self.render_lead = owner, stop, render_lead
        self.wake = wake or threading.Event()
        self.threads, self.per_webhook = threads, per_webhook
        self.in_flight: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.client = httpx.Client(
            timeout=timeout_seconds(), follow_redirects=False, trust_env=False
        )

    def _lease_until(self, now: datetime) -> datetime:
        return now + timedelta(seconds=timeout_seconds() + lease_seconds())

    def take(self) -> list[tuple[Delivery, Webhook]]:
        """Claim what may be sent now: lane heads that are due, within the pool's room and
        each webhook's share."""
        with self.lock:
            room = self.threads - sum(self.in_flight.values())
        if room <= 0:
            return []
        hooks = {hook.uid: hook for hook in webhook_store.list_webhooks() if hook.active}
        if not hooks:
            return []
        now = utcnow()
        due = webhook_store.due_deliveries(webhooks=list(hooks), now=now, limit=200)
        if not due:
            return []
        heads = webhook_store.lane_heads(sorted({d.lane for d in due}))
        waiting = [
            (d, heads[d.lane][1]) for d in due if d.lane in heads and heads[d.lane][0] != d.id
        ]
        webhook_store.defer_deliveries(waiting)
        held = {d.id for d, _ in waiting}
        taken: list[tuple[Delivery, Webhook]] = []
        with self.lock:
            share = Counter(self.in_flight)
        for delivery in due:
            if len(taken) >= room:
                break
            if delivery.id in held or share[delivery.webhook] >= self.per_webhook:
                continue
            claimed = webhook_store.claim_delivery(
                delivery.id, owner=self.owner, now=now, lease_until=self._lease_until(now)
            )
            if claimed is None:
                continue
            share[delivery.webhook] += 1
            taken.append((claimed, hooks[delivery.webhook]))
        return taken

    def send(self, delivery: Delivery, webhook: Webhook) -> None:
        """One attempt, recorded: delivered on a 2xx, else retried later or, past the retry
        window, failed."""
        started = time.monotonic()
        at = utcnow()
        status_code: int | None = None
        error: str | None = None
        try:
            lead = (
                self.render_lead(delivery.subject)
                if delivery.subject and is_lead_event(delivery.event)
                else None
            )
            body = body_bytes(delivery_body(delivery, lead))
            status_code = post_delivery(
                self.client,
                url=webhook.url,
                secret=webhook.secret,
                body=body,
                headers={
                    "X-LeadCRM-Event": delivery.event,
                    "X-LeadCRM-Delivery": delivery.id,
                },
            )
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}"
        except UrlRefused as exc:
            error = f"URL refused: {exc}"
        except httpx.TimeoutException:
            error = f"no answer within {timeout_seconds():g} s"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
        attempt = Attempt(
            at=at,
            status_code=status_code,
            duration_ms=round((time.monotonic() - started) * 1000),
            error=error,
            ok=error is None,
        )
        self.record(delivery, webhook, attempt)

    def record(self, delivery: Delivery, webhook: Webhook, attempt: Attempt) -> None:
        now = utcnow()
        if attempt.ok:
            status, next_at = DeliveryStatus.DELIVERED, None
        else:
            next_at = now + retry_delay(delivery.attempt_count + 1, base=retry_base())
            if next_at > delivery.give_up_at:
                status, next_at = DeliveryStatus.FAILED, None
            else:
                status = DeliveryStatus.PENDING
        if not webhook_store.finish_attempt(
            delivery.id, owner=self.owner, attempt=attempt, status=status, next_attempt_at=next_at
        ):
            logger.warning("webhook delivery %s was taken over while being sent", delivery.id)
            return
        if attempt.ok:
            webhook_store.record_success(webhook.uid, now=now)
        else:
            after = webhook_store.record_failure(
                webhook.uid,
                now=now,
                error=attempt.error or "failed",
                disable_before=now - retry_window(),
            )
            if after is not None and webhook.active and not after.active:
                logger.warning("webhook %s disabled: %s", webhook.uid, after.disabled_reason)
        if status is not DeliveryStatus.PENDING:
            webhook_store.wake_next(delivery.lane, now=now)
            self.wake.set()

    def _run(self, delivery: Delivery, webhook: Webhook) -> None:
        try:
            self.send(delivery, webhook)
        except Exception:
            # Left "sending": its lease runs out and it is sent again.
            logger.exception("webhook delivery %s could not be recorded", delivery.id)
        finally:
            with self.lock:
                self.in_flight[delivery.webhook] -= 1
            self.wake.set()

    def run(self) -> None:
        """Send until `stop` is set; what is in flight then is finished first."""
        with ThreadPoolExecutor(self.threads, thread_name_prefix="webhook-send") as pool:

            def step() -> None:
                while not self.stop.is_set():
                    self.wake.clear()
                    for delivery, webhook in self.take():
                        with self.lock:
                            self.in_flight[delivery.webhook] += 1
                        pool.submit(self._run, delivery, webhook)
                    self.wake.wait(POLL_SECONDS)

            guarded("webhook sender", self.stop, POLL_SECONDS, step)
        self.client.close()


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat().replace("+00:00", "Z")
    return str(value)  # a Decimal, an ObjectId: as text rather than a failed delivery


def body_bytes(body: dict[str, Any]) -> bytes:
    """The body's bytes, as signed and sent (compact, UTF-8)."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=_json_value).encode()


def send_deliveries(
    *,
    stop: threading.Event,
    owner: str,
    render_lead: LeadRenderer,
    wake: threading.Event | None = None,
) -> None:
    """Send due webhook deliveries until `stop` is set (every worker runs one)."""
    Sender(owner, stop, render_lead, wake).run()
