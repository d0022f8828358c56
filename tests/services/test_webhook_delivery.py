"""Webhook deliveries from the events to a receiver on 127.0.0.1: signed, retried under the same
id, in order per lead, a slow receiver holding up only itself, given up and disabled after the
retry window, and the address checked again when sending."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from datetime import timedelta
from typing import Any

import pytest

from leads.domain.enums import UserRole
from leads.domain.models import utcnow
from leads.services import webhook_delivery
from leads.services.transitions import lead_transition
from leads.store import webhooks as webhook_store
from tests.builders import admin_client, client_for, make_lead, make_pipeline, make_user
from tests.webhook_helpers import Receiver, WorkerThreads, ping_pong_pipeline, wait_until


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADCRM_WEBHOOK_ALLOW_PRIVATE", "1")
    monkeypatch.setenv("LEADCRM_EVENT_READER_LEASE_SECONDS", "1.5")
    monkeypatch.setenv("LEADCRM_WEBHOOK_LEASE_SECONDS", "1.5")
    monkeypatch.setenv("LEADCRM_WEBHOOK_RETRY_BASE_SECONDS", "0.2")


@pytest.fixture
def receiver() -> Any:
    started = Receiver().start()
    yield started
    started.stop()


def _register(receiver: Receiver, **values: Any) -> dict[str, Any]:
    response = admin_client().post("/api/webhooks/", {"url": receiver.url, **values}, format="json")
    assert response.status_code == 201, response.content
    created: dict[str, Any] = response.json()
    receiver.secret = created["secret"]
    return created


def test_a_move_is_delivered_signed_with_the_lead_and_its_previous_and_current_stage(
    receiver: Receiver,
) -> None:
    stages = make_pipeline()
    member = make_user(UserRole.MEMBER, username="sam")
    hook = _register(receiver, events=["lead.moved"])
    lead = make_lead(member, name="Acme")
    with WorkerThreads():
        moved = lead_transition(
            uid=lead.uid, to_stage=stages["lost"].uid, actor=member, lost_reason="price"
        )
        (body,) = receiver.wait_for(1)
        time.sleep(0.5)  # the lead's creation is not delivered: not asked for
    (entry,) = receiver.received
    assert entry.verified, entry.headers
    assert entry.headers["X-LeadCRM-Event"] == "lead.moved"
    assert entry.headers["X-LeadCRM-Delivery"] == body["id"]
    assert entry.headers["Content-Type"] == "application/json"
    assert body["event"] == "lead.moved" and body["uid"] == lead.uid
    assert (body["from_stage"], body["to_stage"]) == (stages["new"].uid, stages["lost"].uid)
    assert body["previous"]["current_stage"] == stages["new"].uid
    assert body["previous"]["status"] == "open"
    assert body["by"]["name"] == "Sam"
    shown = client_for(member).get(f"/api/leads/{lead.uid}/").json()
    assert body["lead"]["uid"] == lead.uid and body["lead"]["version"] == moved.lead.version
    assert body["lead"]["current_stage"] == stages["lost"].uid
    assert set(body["lead"]) == set(shown)
    listed = admin_client().get(f"/api/webhooks/{hook['uid']}/deliveries/").json()["results"]
    assert [(d["id"], d["status"]) for d in listed] == [(body["id"], "delivered")]
    assert listed[0]["attempts"][0]["status_code"] == 200
    state = admin_client().get(f"/api/webhooks/{hook['uid']}/").json()["state"]
    assert state["last_success_at"] is not None and state["failing_since"] is None


def test_a_move_is_delivered_as_soon_as_its_event_is_stored_not_at_the_dispatcher_s_next_poll(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A poll far longer than the delivery may take: only the reader's wake-up can be in time.
    monkeypatch.setattr(webhook_delivery, "POLL_SECONDS", 5.0)
    monkeypatch.setenv("LEADCRM_WEBHOOK_LEASE_SECONDS", "30")
    ping, pong = ping_pong_pipeline()
    member = make_user(UserRole.MEMBER)
    lead = make_lead(member, name="Acme")
    _register(receiver, events=["lead.moved"])
    with WorkerThreads():
        time.sleep(0.3)  # the dispatcher has found nothing new and waits
        lead_transition(uid=lead.uid, to_stage=pong.uid, actor=member)
        moved = time.monotonic()
        receiver.wait_for(1, seconds=10)
        took = time.monotonic() - moved
    assert took < 2.0, took


def test_an_update_carries_the_changed_fields_old_values_and_a_deleted_lead_is_null(
    receiver: Receiver,
) -> None:
    make_pipeline()
    member = make_user(UserRole.MEMBER)
    client = client_for(member)
    _register(receiver)
    with WorkerThreads():
        uid = client.post("/api/leads/", {"name": "Acme"}, format="json").json()["uid"]
        client.patch(f"/api/leads/{uid}/", {"company": "Acme Inc"}, format="json")
        assert client.delete(f"/api/leads/{uid}/").status_code == 204
        bodies = receiver.wait_for(3)
    assert [b["event"] for b in bodies] == ["lead.created", "lead.updated", "lead.deleted"]
    assert bodies[1]["previous"] == {"company": None}
    assert bodies[1]["fields"] == ["company"]
    # Read when sent: the lead was gone by then, or soon after.
    assert bodies[2]["lead"] is None
    assert all(entry.verified for entry in receiver.received)


def test_a_receiver_failing_twice_gets_the_same_delivery_id_until_it_succeeds(
    receiver: Receiver,
) -> None:
    make_pipeline()
    member = make_user(UserRole.MEMBER)
    hook = _register(receiver)
    receiver.answer = lambda delivery_id, attempt: 200 if attempt >= 3 else 503
    with WorkerThreads():
        make_lead(member)
        receiver.wait_for(3)
        time.sleep(0.6)  # no fourth attempt
    ids = [entry.headers["X-LeadCRM-Delivery"] for entry in receiver.received]
    assert len(ids) == 3 and len(set(ids)) == 1
    assert all(entry.verified for entry in receiver.received)
    (delivery,) = admin_client().get(f"/api/webhooks/{hook['uid']}/deliveries/").json()["results"]
    assert delivery["status"] == "delivered" and delivery["attempt_count"] == 3
    assert [a["status_code"] for a in delivery["attempts"]] == [200, 503, 503]
    assert delivery["attempts"][1]["error"] == "HTTP 503"


def test_a_lead_s_deliveries_arrive_in_order_even_when_one_is_retried(receiver: Receiver) -> None:
    ping, pong = ping_pong_pipeline()
    member = make_user(UserRole.MEMBER)
    hook = _register(receiver, events=["lead.moved"])
    leads = [make_lead(member, name=f"L{n}") for n in range(4)]
    failed_once: set[str] = set()

    def flaky(delivery_id: str, attempt: int) -> int:
        time.sleep(random.random() / 50)  # concurrent requests finish in any order
        # Every third delivery fails on its first attempt: the lead's next ones must wait.
        if attempt == 1 and int(delivery_id[:8], 16) % 3 == 0:
            failed_once.add(delivery_id)
            return 500
        return 200

    receiver.answer = flaky
    with WorkerThreads():
        pass  # where the reader and the dispatcher start from
    # Each lead's six moves one after the other, all waiting when the worker starts: a sender
    # that ignored the order would send a lead's moves side by side.
    for lead in leads:
        for round_ in range(6):
            target = pong if round_ % 2 == 0 else ping
            lead_transition(uid=lead.uid, to_stage=target.uid, actor=member)
    with WorkerThreads():
        wait_until(
            lambda: webhook_store.delivery_counts(hook["uid"]) == {"delivered": 24}, "24 deliveries"
        )
    assert failed_once
    assert len(receiver.received) == 24 + len(failed_once)
    versions: dict[str, list[int]] = defaultdict(list)
    for body in receiver.bodies():
        versions[body["uid"]].append(body["version"])
    for lead in leads:
        arrived = versions[lead.uid]
        # A retry repeats a version; nothing later arrives before it.
        assert arrived == sorted(arrived), (lead.uid, arrived)
        assert sorted(set(arrived)) == list(range(2, 8)), arrived


def test_a_slow_receiver_does_not_hold_up_another_webhook(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_pipeline()
    member = make_user(UserRole.MEMBER)

    def slowly(delivery_id: str, attempt: int) -> int:
        time.sleep(3)
        return 200

    slow = Receiver(answer=slowly).start()
    try:
        _register(slow)
        _register(receiver)
        with WorkerThreads():
            started = time.monotonic()
            for n in range(8):
                make_lead(member, name=f"L{n}")
            receiver.wait_for(8, seconds=10)
            fast_done = time.monotonic() - started
            slow_so_far = len(slow.received)
    finally:
        slow.stop()
    assert fast_done < 2.5, fast_done
    assert slow_so_far <= 4, slow_so_far  # its share of the pool, the rest waiting


def test_a_delivery_is_failed_after_the_retry_window(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADCRM_WEBHOOK_RETRY_WINDOW_SECONDS", "1.5")
    make_pipeline()
    member = make_user(UserRole.MEMBER)
    uid = _register(receiver)["uid"]
    receiver.answer = lambda delivery_id, attempt: 500
    with WorkerThreads():
        make_lead(member)
        wait_until(lambda: webhook_store.delivery_counts(uid) == {"failed": 1}, "the failure")
        sent = len(receiver.received)
        time.sleep(0.6)
    assert len(receiver.received) == sent >= 3  # retried, then no more
    (failed,) = admin_client().get(f"/api/webhooks/{uid}/deliveries/").json()["results"]
    assert failed["status"] == "failed" and failed["attempt_count"] == sent
    assert {a["error"] for a in failed["attempts"]} == {"HTTP 500"}
    assert failed["next_attempt_at"] is None and failed["finished_at"] is not None


def test_an_endpoint_failing_for_24_hours_is_disabled_with_why_and_its_deliveries_wait(
    receiver: Receiver,
) -> None:
    make_pipeline()
    member = make_user(UserRole.MEMBER)
    uid = _register(receiver)["uid"]
    # As if every attempt had failed since yesterday: the next failure is one too many.
    webhook_store.webhooks().update_one(
        {"uid": uid}, {"$set": {"failing_since": utcnow() - timedelta(hours=24, minutes=1)}}
    )
    receiver.answer = lambda delivery_id, attempt: 500
    admin = admin_client()
    with WorkerThreads():
        make_lead(member)
        make_lead(member)
        wait_until(lambda: not admin.get(f"/api/webhooks/{uid}/").json()["active"], "the disabling")
        shown = admin.get(f"/api/webhooks/{uid}/").json()
        # What was in flight when it was disabled ends; then nothing more goes out. The second
        # lead's event has a delivery only if it was dispatched before the disabling (the
        # reader stores each write's event at once, so it may come after): 1 or 2 wait.
        wait_until(
            lambda: set(webhook_store.delivery_counts(uid)) == {"pending"}, "what was in flight"
        )
        sent = len(receiver.received)
        time.sleep(1)
        assert len(receiver.received) == sent
        waiting = webhook_store.delivery_counts(uid)["pending"]
        assert waiting in (1, 2)
        receiver.answer = lambda delivery_id, attempt: 200
        again = admin.patch(f"/api/webhooks/{uid}/", {"active": True}, format="json").json()
        wait_until(lambda: webhook_store.delivery_counts(uid) == {"delivered": waiting}, "all sent")
    assert shown["state"]["disabled_reason"].startswith("Disabled after failing for 24 hours")
    assert "HTTP 500" in shown["state"]["disabled_reason"]
    assert again["active"] and again["state"]["disabled_reason"] is None
    assert admin.get(f"/api/webhooks/{uid}/").json()["state"]["failing_since"] is None


def test_the_address_is_checked_again_when_sending(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_pipeline()
    member = make_user(UserRole.MEMBER)
    hook = _register(receiver)
    # As if the name now resolved to a private address: the flag no longer lets it through.
    monkeypatch.delenv("LEADCRM_WEBHOOK_ALLOW_PRIVATE")
    admin = admin_client()
    with WorkerThreads():
        make_lead(member)
        wait_until(
            lambda: admin.get(f"/api/webhooks/{hook['uid']}/").json()["state"]["last_error"],
            "a failed attempt",
        )
    assert receiver.received == []
    shown = admin.get(f"/api/webhooks/{hook['uid']}/").json()["state"]
    assert shown["last_error"].startswith("URL refused: points to 127.0.0.1 is a loopback")


def test_a_test_ping_and_a_redelivery_reach_the_receiver(receiver: Receiver) -> None:
    make_pipeline()
    hook = _register(receiver)
    admin = admin_client()
    with WorkerThreads():
        ping = admin.post(f"/api/webhooks/{hook['uid']}/test/").json()
        (body,) = receiver.wait_for(1)
        assert (body["id"], body["event"], body["lead"]) == (ping["id"], "ping", None)
        wait_until(
            lambda: webhook_store.delivery_counts(hook["uid"]) == {"delivered": 1}, "delivered"
        )
        again = admin.post(f"/api/webhooks/{hook['uid']}/deliveries/{ping['id']}/redeliver/")
        assert again.status_code == 202, again.content
        receiver.wait_for(2)
    assert [e.headers["X-LeadCRM-Delivery"] for e in receiver.received] == [ping["id"]] * 2
    assert receiver.received[0].verified and receiver.received[1].verified
