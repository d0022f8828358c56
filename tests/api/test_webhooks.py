"""The webhooks API: admins only, the secret shown once, URLs refused where they would reach
the service's own network, deliveries listed and redelivered."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from leads.domain.enums import UserRole
from leads.domain.models import utcnow
from leads.domain.webhooks import Attempt, DeliveryStatus, ping_of
from leads.store import webhooks as webhook_store
from leads.store.connection import count_round_trips
from tests.builders import admin_client, assert_error, client_for, make_user

RECEIVER = "http://127.0.0.1:9/hook"
PUBLIC = "https://93.184.215.14/hook"  # a literal public address: no DNS needed


@pytest.fixture(autouse=True)
def private_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADCRM_WEBHOOK_ALLOW_PRIVATE", "1")


def _create(client: Any, **values: Any) -> dict[str, Any]:
    response = client.post("/api/webhooks/", {"url": RECEIVER, **values}, format="json")
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def test_the_secret_is_generated_and_shown_in_the_create_answer_only() -> None:
    admin = admin_client()
    created = _create(admin, events=["lead.moved", "lead.created", "lead.moved"])
    assert len(created["secret"]) >= 32
    assert created["events"] == ["lead.created", "lead.moved"]
    assert created["active"] is True and created["state"]["disabled_reason"] is None
    shown = admin.get(f"/api/webhooks/{created['uid']}/").json()
    listed = admin.get("/api/webhooks/").json()
    assert "secret" not in shown and all("secret" not in hook for hook in listed)
    assert [hook["uid"] for hook in listed] == [created["uid"]]
    patched = admin.patch(
        f"/api/webhooks/{created['uid']}/", {"secret": "x" * 20}, format="json"
    ).json()
    assert "secret" not in patched
    assert webhook_store.get_webhook(created["uid"]).secret == "x" * 20  # type: ignore[union-attr]


def test_a_given_secret_is_kept_and_events_default_to_all() -> None:
    created = _create(admin_client(), secret="s" * 16)
    assert created["secret"] == "s" * 16 and created["events"] == ["*"]


@pytest.mark.parametrize("role", [UserRole.MEMBER, UserRole.VIEWER])
def test_only_admins_may_see_or_manage_webhooks(role: UserRole) -> None:
    uid = _create(admin_client())["uid"]
    other = client_for(make_user(role))
    for response in (
        other.get("/api/webhooks/"),
        other.post("/api/webhooks/", {"url": RECEIVER}, format="json"),
        other.get(f"/api/webhooks/{uid}/"),
        other.patch(f"/api/webhooks/{uid}/", {"active": False}, format="json"),
        other.delete(f"/api/webhooks/{uid}/"),
        other.get(f"/api/webhooks/{uid}/deliveries/"),
        other.post(f"/api/webhooks/{uid}/test/"),
    ):
        assert_error(response, 403, "permission_denied")
    assert client_for().get("/api/webhooks/").status_code == 401


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://example.com/hook", "http"),
        ("https://user:pass@93.184.215.14/hook", "password"),
        ("http:///hook", "host"),
        ("javascript:alert(1)", "http"),
        ("https://93.184.215.14:99999/", "valid"),
        ("http://exa\x07mple.com/", "control"),
        ("http://exa mple.com/", "spaces"),
        ("http://" + "a" * 70 + ".example/", "resolve"),
    ],
)
def test_urls_that_are_not_plain_http_s_are_refused_naming_the_field(url: str, says: str) -> None:
    error = assert_error(
        admin_client().post("/api/webhooks/", {"url": url}, format="json"), 400, "invalid", "url"
    )
    assert says in error["fields"]["url"][0], error


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.4/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[fd00::1]/hook",
        "http://0.0.0.0/hook",
        "http://100.64.0.1/hook",
        "http://localhost:8000/hook",  # a name resolving to a loopback address
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused_without_the_flag(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LEADCRM_WEBHOOK_ALLOW_PRIVATE")
    admin = admin_client()
    error = assert_error(
        admin.post("/api/webhooks/", {"url": url}, format="json"), 400, "invalid", "url"
    )
    assert "public addresses only" in error["fields"]["url"][0]
    uid = _create(admin, url=PUBLIC)["uid"]
    assert_error(
        admin.patch(f"/api/webhooks/{uid}/", {"url": url}, format="json"), 400, "invalid", "url"
    )
    monkeypatch.setenv("LEADCRM_WEBHOOK_ALLOW_PRIVATE", "1")
    assert admin.post("/api/webhooks/", {"url": url}, format="json").status_code == 201


def test_a_public_address_is_accepted_without_the_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEADCRM_WEBHOOK_ALLOW_PRIVATE")
    assert _create(admin_client(), url=PUBLIC)["url"] == PUBLIC


def test_bad_fields_are_400s_naming_them() -> None:
    admin = admin_client()
    cases = [
        ({"url": RECEIVER, "events": ["lead.exploded"]}, "events"),
        ({"url": RECEIVER, "events": []}, "events"),
        ({"url": RECEIVER, "secret": "short"}, "secret"),
        ({"url": RECEIVER, "active": "yes"}, "active"),
        ({"url": RECEIVER, "surprise": 1}, "surprise"),
        ({}, "url"),
    ]
    for sent, name in cases:
        assert_error(admin.post("/api/webhooks/", sent, format="json"), 400, "invalid", name)
    uid = _create(admin)["uid"]
    assert_error(
        admin.patch(f"/api/webhooks/{uid}/", {"url": None}, format="json"), 400, "invalid", "url"
    )
    assert_error(admin.get("/api/webhooks/nope/"), 404, "webhook_not_found")


def test_a_stale_version_is_refused_and_deleting_removes_its_deliveries() -> None:
    admin = admin_client()
    created = _create(admin)
    uid = created["uid"]
    changed = admin.patch(
        f"/api/webhooks/{uid}/", {"description": "CRM to ERP", "version": 1}, format="json"
    )
    assert changed.json()["version"] == 2
    stale = admin.patch(
        f"/api/webhooks/{uid}/", {"active": False}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert_error(stale, 409, "version_conflict")
    assert admin.post(f"/api/webhooks/{uid}/test/").status_code == 202
    assert admin.delete(f"/api/webhooks/{uid}/").status_code == 204
    assert webhook_store.delivery_counts(uid) == {}
    assert_error(admin.get(f"/api/webhooks/{uid}/"), 404, "webhook_not_found")


def _finished(uid: str, *, ok: bool, minutes_ago: int) -> str:
    hook = webhook_store.get_webhook(uid)
    assert hook is not None
    delivery = ping_of(hook, now=utcnow() - timedelta(minutes=minutes_ago))
    webhook_store.insert_delivery(delivery)
    claimed = webhook_store.claim_delivery(
        delivery.id, owner="t", now=utcnow(), lease_until=utcnow() + timedelta(seconds=30)
    )
    assert claimed is not None
    attempt = Attempt(
        at=utcnow(),
        status_code=200 if ok else 500,
        duration_ms=12,
        error=None if ok else "HTTP 500",
        ok=ok,
    )
    status = DeliveryStatus.DELIVERED if ok else DeliveryStatus.FAILED
    assert webhook_store.finish_attempt(
        delivery.id, owner="t", attempt=attempt, status=status, next_attempt_at=None
    )
    return delivery.id


def test_deliveries_are_listed_newest_first_in_pages_with_their_attempts() -> None:
    admin = admin_client()
    uid = _create(admin)["uid"]
    ids = [_finished(uid, ok=n % 2 == 0, minutes_ago=10 - n) for n in range(5)]
    with count_round_trips() as trips:
        first = admin.get(f"/api/webhooks/{uid}/deliveries/?limit=3").json()
    assert trips.count <= 4, trips
    second = admin.get(
        f"/api/webhooks/{uid}/deliveries/", {"limit": 3, "cursor": first["next_cursor"]}
    ).json()
    assert [d["id"] for d in first["results"] + second["results"]] == ids[::-1]
    assert second["next_cursor"] is None
    newest = first["results"][0]
    assert newest["status"] == "delivered" and newest["event"] == "ping"
    assert newest["attempts"] == [
        {
            "at": newest["attempts"][0]["at"],
            "ok": True,
            "status_code": 200,
            "duration_ms": 12,
            "error": None,
        }
    ]
    assert first["results"][1]["attempts"][0]["error"] == "HTTP 500"
    bad = admin.get(f"/api/webhooks/{uid}/deliveries/?cursor=nonsense")
    assert_error(bad, 400, "invalid", "cursor")
    assert_error(admin.get(f"/api/webhooks/{uid}/deliveries/?limit=0"), 400, "invalid", "limit")


def test_a_finished_delivery_is_redelivered_under_the_same_id_and_an_unfinished_one_is_not() -> (
    None
):
    admin = admin_client()
    uid = _create(admin)["uid"]
    failed = _finished(uid, ok=False, minutes_ago=1)
    again = admin.post(f"/api/webhooks/{uid}/deliveries/{failed}/redeliver/")
    assert again.status_code == 202, again.content
    assert (again.json()["id"], again.json()["status"]) == (failed, "pending")
    assert again.json()["attempt_count"] == 1
    assert_error(
        admin.post(f"/api/webhooks/{uid}/deliveries/{failed}/redeliver/"),
        409,
        "delivery_unfinished",
    )
    assert_error(
        admin.post(f"/api/webhooks/{uid}/deliveries/nope/redeliver/"), 404, "delivery_not_found"
    )


def test_a_test_ping_is_queued_and_refused_while_the_webhook_is_off() -> None:
    admin = admin_client()
    uid = _create(admin)["uid"]
    ping = admin.post(f"/api/webhooks/{uid}/test/")
    assert ping.status_code == 202
    assert (ping.json()["event"], ping.json()["status"]) == ("ping", "pending")
    admin.patch(f"/api/webhooks/{uid}/", {"active": False}, format="json")
    assert_error(admin.post(f"/api/webhooks/{uid}/test/"), 409, "webhook_inactive")


def test_a_finished_delivery_expires_30_days_after_it_finished_and_a_redelivery_keeps_it() -> None:
    admin = admin_client()
    uid = _create(admin)["uid"]
    finished = _finished(uid, ok=False, minutes_ago=1)
    pending = ping_of(webhook_store.get_webhook(uid), now=utcnow())  # type: ignore[arg-type]
    webhook_store.insert_delivery(pending)
    stored = {doc["_id"]: doc for doc in webhook_store.deliveries().find({"webhook": uid})}
    done = stored[finished]
    assert done["expires_at"] - done["finished_at"] == timedelta(days=30)
    assert "expires_at" not in stored[pending.id]  # never removed before it is finished
    ttl = webhook_store.deliveries().index_information()["expires_at_ttl"]
    assert ttl["expireAfterSeconds"] == 0
    redelivered = admin.post(f"/api/webhooks/{uid}/deliveries/{finished}/redeliver/")
    assert redelivered.status_code == 202, redelivered.content
    assert webhook_store.deliveries().find_one({"_id": finished})["expires_at"] is None  # type: ignore[index]
