"""The audit log's own collection, `audit`: not workflow data (like `users`), written once per
audited change and read newest first by admins. Each entry carries `expires_at`; a TTL index
drops it then (the retention is a setting, so changing it needs no index rebuild)."""

from __future__ import annotations

from pymongo.collection import Collection
from pymongo.errors import BulkWriteError, DuplicateKeyError

from leads.domain.audit import AuditEntry
from leads.domain.errors import AuditNotWritten

from .connection import Doc, Session, database
from .documents import readable_documents, to_document

AUDIT = "audit"


def audit() -> Collection[Doc]:
    return database()[AUDIT]


def insert_entries(entries: list[AuditEntry], session: Session | None = None) -> None:
    """Write the entries in one round trip. Raises AuditNotWritten when the server refuses
    them (an unreachable server raises PyMongo's error, which the API answers with 503)."""
    try:
        audit().insert_many([to_document(entry) for entry in entries], session=session)
    except BulkWriteError as exc:
        raise AuditNotWritten() from exc


def record_repeating(entry: AuditEntry, *, key: str) -> None:
    """Write `entry` once per `key`; later calls with the same key only count a repeat. Sign-in
    refusals hammered by a script stay one entry per throttle window, not one per request."""
    document = to_document(entry)
    document.pop("repeats")
    for attempt in range(2):
        try:
            # index: repeat_key_unique (two first refusals racing: one upserts, one retries)
            audit().update_one(
                {"repeat_key": key},
                {"$setOnInsert": document, "$inc": {"repeats": 1}},
                upsert=True,
            )
            return
        except DuplicateKeyError:
            if attempt == 1:
                raise


def find_entries(
    *,
    actions: list[str] | None,
    actor: str | None,
    from_uid: str | None,
    to_uid: str | None,
    limit: int,
) -> list[AuditEntry]:
    """Up to `limit` entries with from_uid <= uid < to_uid, newest first (uids sort as the
    entries' times do, so one key orders, bounds the time and pages).

    Served by action_uid (an `$in` of codes: the server merges each code's run in order),
    actor_uid, or uid_unique; each walked from the cursor's uid, so a late page costs what the
    first does.
    """
    query: Doc = {}
    if actions is not None:
        query["action"] = {"$in": actions}
    if actor is not None:
        query["actor_username"] = actor
    bounds: Doc = {}
    if from_uid is not None:
        bounds["$gte"] = from_uid
    if to_uid is not None:
        bounds["$lt"] = to_uid
    if bounds:
        query["uid"] = bounds
    # index: action_uid / actor_uid / uid_unique (see above)
    cursor = (
        audit()
        .find(query, {"_id": 0, "repeat_key": 0})
        .sort("uid", -1)
        .limit(limit)
        .batch_size(limit)
    )
    return readable_documents(AuditEntry, cursor)
