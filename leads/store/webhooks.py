"""Webhooks, their deliveries, and where the dispatcher is in the event stream.

`webhook_deliveries` is keyed by the delivery id (`_id`), the one receivers see. `due_at` is
when a delivery may next be taken: its next attempt while pending, the end of its sender's
lease while sending (a sender that died leaves it to be taken again).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument, UpdateOne
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError, DuplicateKeyError

from leads.domain.webhooks import KEPT_ATTEMPTS, Attempt, Delivery, DeliveryStatus, Webhook

from .connection import Doc, database
from .documents import from_document, from_documents, to_document
from .leases import LeasedRole

WEBHOOKS = "webhooks"
DELIVERIES = "webhook_deliveries"
DISPATCHER = "webhook_dispatcher"
_DISPATCHER = LeasedRole(DISPATCHER, "events")
_DUPLICATE_KEY = 11000
# A finished delivery (delivered or failed) is kept this long after it finished, then MongoDB's
# TTL monitor removes it; unfinished ones have no `expires_at` and stay.
DELIVERY_RETENTION = timedelta(days=30)

WEBHOOK_INDEXES = [
    IndexModel([("uid", ASCENDING)], name="uid_unique", unique=True),
    IndexModel([("created_at", ASCENDING)], name="created_at"),
]

DELIVERY_INDEXES = [
    # the deliveries a sender may take now, soonest first
    IndexModel([("status", ASCENDING), ("due_at", ASCENDING)], name="status_due"),
    # a lane's unfinished deliveries in event order: which one is its head
    IndexModel(
        [("lane", ASCENDING), ("status", ASCENDING), ("seq", ASCENDING)], name="lane_status_seq"
    ),
    # a webhook's deliveries, newest first (its page; deleting them with it)
    IndexModel(
        [("webhook", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
        name="webhook_created",
    ),
    IndexModel([("expires_at", ASCENDING)], name="expires_at_ttl", expireAfterSeconds=0),
]

_PUBLIC: Doc = {"_id": 0}
_UNFINISHED = [DeliveryStatus.PENDING.value, DeliveryStatus.SENDING.value]


def webhooks() -> Collection[Doc]:
    return database()[WEBHOOKS]


def deliveries() -> Collection[Doc]:
    return database()[DELIVERIES]


# --- webhooks -------------------------------------------------------------------------------


def insert_webhook(webhook: Webhook) -> None:
    webhooks().insert_one(to_document(webhook))


def get_webhook(uid: str) -> Webhook | None:
    # index: uid_unique
    return from_document(Webhook, webhooks().find_one({"uid": uid}, _PUBLIC))


def list_webhooks() -> list[Webhook]:
    """Every webhook, oldest first (an installation has a handful)."""
    # index: created_at
    return from_documents(Webhook, webhooks().find({}, _PUBLIC).sort("created_at", ASCENDING))


def update_webhook(uid: str, *, expected_version: int, changes: Doc) -> Webhook | None:
    """Set `changes` if the webhook is still at `expected_version`; None when not (or gone)."""
    # index: uid_unique
    document = webhooks().find_one_and_update(
        {"uid": uid, "version": expected_version},
        {"$set": changes, "$inc": {"version": 1}},
        projection=_PUBLIC,
        return_document=ReturnDocument.AFTER,
    )
    return from_document(Webhook, document)


def delete_webhook(uid: str, *, expected_version: int) -> bool:
    # index: uid_unique
    deleted = webhooks().delete_one({"uid": uid, "version": expected_version}).deleted_count == 1
    if deleted:
        # index: webhook_created
        deliveries().delete_many({"webhook": uid})
    return deleted


def record_success(uid: str, *, now: datetime) -> None:
    # index: uid_unique
    webhooks().update_one({"uid": uid}, {"$set": {"last_success_at": now, "failing_since": None}})


def record_failure(
    uid: str, *, now: datetime, error: str, disable_before: datetime
) -> Webhook | None:
    """Note a failed attempt; an endpoint failing since before `disable_before` is disabled,
    with the reason. The webhook as it is after (None when gone)."""
    failing_long = {"$and": ["$active", {"$lte": ["$failing_since", disable_before]}]}
    reason = f"Disabled after failing for 24 hours; last error: {error}"
    # index: uid_unique
    document = webhooks().find_one_and_update(
        {"uid": uid},
        [
            {
                "$set": {
                    "last_failure_at": now,
                    "last_error": {"$literal": error},
                    "failing_since": {"$ifNull": ["$failing_since", now]},
                }
            },
            {
                "$set": {
                    "disabled_reason": {
                        "$cond": [failing_long, {"$literal": reason}, "$disabled_reason"]
                    },
                    "active": {"$cond": [failing_long, False, "$active"]},
                }
            },
        ],
        projection=_PUBLIC,
        return_document=ReturnDocument.AFTER,
    )
    return from_document(Webhook, document)


# --- deliveries -----------------------------------------------------------------------------


def _delivery_document(delivery: Delivery) -> Doc:
    document = to_document(delivery)
    document["_id"] = document.pop("id")
    document["due_at"] = delivery.next_attempt_at
    return document


def _delivery(document: Doc | None) -> Delivery | None:
    if document is None:
        return None
    return Delivery.model_validate({**document, "id": document["_id"]})


def insert_deliveries(batch: list[Delivery]) -> int:
    """Store new deliveries in their order (a lane's next one never shows before the one
    before it); one stored before (a dispatch repeated after a crash) is kept as it is. How
    many were new."""
    if not batch:
        return 0
    # index: _id
    stored = {
        doc["_id"] for doc in deliveries().find({"_id": {"$in": [d.id for d in batch]}}, {"_id": 1})
    }
    fresh = [_delivery_document(d) for d in batch if d.id not in stored]
    if not fresh:
        return 0
    try:
        deliveries().insert_many(fresh, ordered=True)
    except BulkWriteError as exc:
        # Another dispatcher (whose lease ran out under it) stored some meanwhile: the rest
        # one by one, in order.
        if any(error["code"] != _DUPLICATE_KEY for error in exc.details["writeErrors"]):
            raise
        for document in fresh[int(exc.details["nInserted"]) :]:
            try:
                deliveries().insert_one(document)
            except DuplicateKeyError:
                continue
    return len(fresh)


def insert_delivery(delivery: Delivery) -> None:
    deliveries().insert_one(_delivery_document(delivery))


def get_delivery(webhook: str, delivery_id: str) -> Delivery | None:
    # index: _id
    return _delivery(deliveries().find_one({"_id": delivery_id, "webhook": webhook}))


def delivery_page(
    webhook: str, *, limit: int, before: tuple[datetime, str] | None
) -> list[Delivery]:
    """A webhook's deliveries, newest first, after the cursor `before` (created_at, id)."""
    query: Doc = {"webhook": webhook}
    if before is not None:
        at, last_id = before
        query["$or"] = [{"created_at": {"$lt": at}}, {"created_at": at, "_id": {"$lt": last_id}}]
    # index: webhook_created
    cursor = deliveries().find(query).sort([("created_at", DESCENDING), ("_id", DESCENDING)])
    return [d for d in (_delivery(doc) for doc in cursor.limit(limit)) if d is not None]


def due_deliveries(*, webhooks: list[str], now: datetime, limit: int) -> list[Delivery]:
    """Deliveries of these webhooks that may be taken now: pending ones whose attempt is due,
    and sending ones whose sender's lease ran out. Soonest first."""
    # index: status_due (one range per status); the webhook filter is applied to what it finds
    cursor = deliveries().find(
        {"status": {"$in": _UNFINISHED}, "due_at": {"$lte": now}, "webhook": {"$in": webhooks}},
        {"attempts": 0},
    )
    found = [_delivery({**doc, "attempts": []}) for doc in cursor.sort("due_at", 1).limit(limit)]
    return [d for d in found if d is not None]


def lane_heads(lanes: list[str]) -> dict[str, tuple[str, datetime]]:
    """For each lane, its first unfinished delivery in event order (the only one of the lane
    that may be sent): its id and when it is due."""
    # index: lane_status_seq
    cursor = deliveries().aggregate(
        [
            {"$match": {"lane": {"$in": lanes}, "status": {"$in": _UNFINISHED}}},
            {"$sort": {"lane": 1, "seq": 1}},
            {"$group": {"_id": "$lane", "head": {"$first": "$_id"}, "due": {"$first": "$due_at"}}},
        ]
    )
    return {doc["_id"]: (doc["head"], doc["due"]) for doc in cursor}


def defer_deliveries(waiting: list[tuple[Delivery, datetime]]) -> None:
    """Make deliveries waiting behind their lane's head due when the head is: they stop
    crowding the due list meanwhile. One woken since it was read is left due."""
    if not waiting:
        return
    # index: _id
    deliveries().bulk_write(
        [
            UpdateOne(
                {
                    "_id": delivery.id,
                    "status": DeliveryStatus.PENDING.value,
                    "wakes": delivery.wakes,
                },
                {"$max": {"due_at": moment}},
            )
            for delivery, moment in waiting
        ],
        ordered=False,
    )


def wake_next(lane: str, *, now: datetime) -> None:
    """The lane's head is finished: its next delivery is due now."""
    # index: lane_status_seq
    deliveries().find_one_and_update(
        {"lane": lane, "status": DeliveryStatus.PENDING.value},
        {"$min": {"due_at": now}, "$inc": {"wakes": 1}},
        sort=[("seq", ASCENDING)],
        projection={"_id": 1},
    )


def claim_delivery(
    delivery_id: str, *, owner: str, now: datetime, lease_until: datetime
) -> Delivery | None:
    """Take a due delivery for sending (atomically: of two senders, one gets it)."""
    # index: _id
    document = deliveries().find_one_and_update(
        {"_id": delivery_id, "status": {"$in": _UNFINISHED}, "due_at": {"$lte": now}},
        {
            "$set": {
                "status": DeliveryStatus.SENDING.value,
                "lease_owner": owner,
                "lease_until": lease_until,
                "due_at": lease_until,
            }
        },
        projection={"attempts": 0},
        return_document=ReturnDocument.AFTER,
    )
    return _delivery({**document, "attempts": []} if document else None)


def finish_attempt(
    delivery_id: str,
    *,
    owner: str,
    attempt: Attempt,
    status: DeliveryStatus,
    next_attempt_at: datetime | None,
) -> bool:
    """Record an attempt and what follows it (delivered, failed, or pending until
    `next_attempt_at`); False when the lease was lost meanwhile (another sender has it)."""
    changes: dict[str, Any] = {
        "status": status.value,
        "lease_owner": None,
        "lease_until": None,
    }
    if next_attempt_at is not None:
        changes["next_attempt_at"] = changes["due_at"] = next_attempt_at
    else:
        changes["finished_at"] = attempt.at
        changes["expires_at"] = attempt.at + DELIVERY_RETENTION
    # index: _id
    result = deliveries().update_one(
        {"_id": delivery_id, "lease_owner": owner, "status": DeliveryStatus.SENDING.value},
        {
            "$set": changes,
            "$push": {"attempts": {"$each": [to_document(attempt)], "$slice": -KEPT_ATTEMPTS}},
            "$inc": {"attempt_count": 1},
        },
    )
    return result.matched_count == 1


def requeue_delivery(
    webhook: str, delivery_id: str, *, now: datetime, give_up_at: datetime
) -> Delivery | None:
    """Send a finished delivery again (same id) from now; None when it is not finished."""
    # index: _id
    document = deliveries().find_one_and_update(
        {"_id": delivery_id, "webhook": webhook, "status": {"$nin": _UNFINISHED}},
        {
            "$set": {
                "status": DeliveryStatus.PENDING.value,
                "next_attempt_at": now,
                "due_at": now,
                "give_up_at": give_up_at,
                "finished_at": None,
                "expires_at": None,
            }
        },
        return_document=ReturnDocument.AFTER,
    )
    return _delivery(document)


def delivery_counts(webhook: str) -> dict[str, int]:
    """How many deliveries of a webhook are in each status (tests, the benchmark)."""
    # index: webhook_created
    cursor = deliveries().aggregate(
        [{"$match": {"webhook": webhook}}, {"$group": {"_id": "$status", "n": {"$sum": 1}}}]
    )
    return {doc["_id"]: doc["n"] for doc in cursor}


# --- the dispatcher's place in the event stream ----------------------------------------------


def claim_dispatcher(*, owner: str, now: datetime, lease_until: datetime) -> bool:
    """Take or renew the dispatcher's lease; False while another worker holds it."""
    return _DISPATCHER.claim(owner=owner, now=now, lease_until=lease_until)


def dispatcher_position() -> int | None:
    """The seq of the last event dispatched; None before the first dispatch."""
    seq = _DISPATCHER.progress("seq")
    return None if seq is None else int(seq)


def save_dispatcher_position(*, owner: str, seq: int, lease_until: datetime) -> bool:
    """Store how far the dispatcher got (renewing its lease); False when the lease is lost."""
    return _DISPATCHER.save(owner=owner, name="seq", value=seq, lease_until=lease_until)


def release_dispatcher(*, owner: str) -> None:
    _DISPATCHER.release(owner=owner)
