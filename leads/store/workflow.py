"""Stages, the single workflow config and the lead-number counters."""

from __future__ import annotations

from datetime import datetime

from pymongo import ReturnDocument, UpdateOne
from pymongo.errors import DuplicateKeyError

from leads.domain.errors import DuplicateKey
from leads.domain.events import EventKind, WriteStamp
from leads.domain.models import CONFIG_UID, WorkItemConfig, WorkStage, utcnow

from .connection import Doc, Session, leads
from .documents import (
    CONFIG,
    COUNTER,
    LAST_WRITE,
    STAGE,
    from_document,
    from_documents,
    stamp_expression,
    stamp_text,
    to_document,
)

_NO_ID = {"_id": 0}


def get_config(session: Session | None = None) -> WorkItemConfig | None:
    # index: type_uid
    document = leads().find_one({"type": CONFIG, "uid": CONFIG_UID}, _NO_ID, session=session)
    return from_document(WorkItemConfig, document)


def get_config_and_stages() -> tuple[WorkItemConfig | None, list[WorkStage]]:
    """The config and every stage in pipeline order, in one round trip."""
    # index: type_uid (type $in, then every stage)
    cursor = leads().find({"type": {"$in": [CONFIG, STAGE]}}, _NO_ID)
    config: WorkItemConfig | None = None
    stages: list[WorkStage] = []
    for document in cursor:
        if document["type"] == CONFIG:
            config = from_document(WorkItemConfig, document)
        else:
            stages.append(WorkStage.model_validate(document))
    stages.sort(key=lambda stage: (stage.order, stage.uid))
    return config, stages


def insert_config_if_missing(config: WorkItemConfig) -> bool:
    """Create the single config document unless one exists; True when this call created it."""
    # index: type_uid (unique, so two racing inserts leave one document)
    try:
        result = leads().update_one(
            {"type": CONFIG, "uid": CONFIG_UID},
            {"$setOnInsert": to_document(config, CONFIG)},
            upsert=True,
        )
    except DuplicateKeyError:
        return False
    return result.upserted_id is not None


def replace_config(
    config: WorkItemConfig, *, expected_version: int, session: Session | None = None
) -> bool:
    # index: type_uid
    result = leads().replace_one(
        {"type": CONFIG, "uid": CONFIG_UID, "version": expected_version},
        to_document(config, CONFIG),
        session=session,
    )
    return result.matched_count == 1


def list_stages(session: Session | None = None) -> list[WorkStage]:
    # index: type_order
    cursor = leads().find({"type": STAGE}, _NO_ID, session=session).sort([("order", 1), ("uid", 1)])
    return from_documents(WorkStage, cursor)


def get_stage(uid: str, session: Session | None = None) -> WorkStage | None:
    # index: type_uid
    return from_document(
        WorkStage, leads().find_one({"type": STAGE, "uid": uid}, _NO_ID, session=session)
    )


def _duplicate_stage_message(exc: DuplicateKeyError, stage: WorkStage) -> str:
    details = exc.details or {}
    if "slug" in (details.get("keyPattern") or {}):
        return f"slug '{stage.slug}' is used by another stage"
    return f"a stage with uid '{stage.uid}' exists already"


def insert_stage(stage: WorkStage, session: Session | None = None) -> None:
    try:
        leads().insert_one(to_document(stage, STAGE), session=session)
    except DuplicateKeyError as exc:
        raise DuplicateKey(_duplicate_stage_message(exc, stage)) from exc


def replace_stage(
    stage: WorkStage, *, expected_version: int, session: Session | None = None
) -> bool:
    """Write the stage if it is still at `expected_version`; False when it is not."""
    try:
        # index: type_uid
        result = leads().replace_one(
            {"type": STAGE, "uid": stage.uid, "version": expected_version},
            to_document(stage, STAGE),
            session=session,
        )
    except DuplicateKeyError as exc:
        raise DuplicateKey(_duplicate_stage_message(exc, stage)) from exc
    return result.matched_count == 1


def _stage_stamp(uid: str, now: datetime) -> str:
    return stamp_text(WriteStamp(kind=EventKind.STAGE_CHANGED, uid=uid, at=now))


def set_stage_order(order: list[str], session: Session) -> None:
    now = utcnow()
    requests = [
        UpdateOne(
            {"type": STAGE, "uid": uid},
            {
                "$set": {"order": position, "updated_at": now, LAST_WRITE: _stage_stamp(uid, now)},
                "$inc": {"version": 1},
            },
        )
        for position, uid in enumerate(order)
    ]
    # index: type_uid
    leads().bulk_write(requests, ordered=True, session=session)


def delete_stage(uid: str, session: Session) -> bool:
    # The stamp first, in the same transaction: a deletion's change event names no uid.
    # index: type_uid
    leads().update_one(
        {"type": STAGE, "uid": uid},
        {"$set": {LAST_WRITE: _stage_stamp(uid, utcnow())}},
        session=session,
    )
    # index: type_uid
    return leads().delete_one({"type": STAGE, "uid": uid}, session=session).deleted_count == 1


def remove_from_allowed_next(uid: str, session: Session) -> None:
    """Forget a deleted stage in every stage that allowed moving to it."""
    # index: type_order (every stage: a pipeline has a handful)
    leads().update_many(
        {"type": STAGE, "allowed_next_stages": uid},
        [
            {
                "$set": {
                    "allowed_next_stages": {
                        "$filter": {
                            "input": "$allowed_next_stages",
                            "cond": {"$ne": ["$$this", uid]},
                        }
                    },
                    "version": {"$add": ["$version", 1]},
                    LAST_WRITE: stamp_expression(
                        WriteStamp(kind=EventKind.STAGE_CHANGED, uid="", at=utcnow())
                    ),
                }
            }
        ],
        session=session,
    )


def next_lead_number(month: str) -> int:
    """The next number of `month`'s lead sequence; atomic across processes."""
    query: Doc = {"type": COUNTER, "uid": f"lead-seq-{month}"}
    for attempt in range(2):
        try:
            # index: type_uid. The server retries an upsert that races on the unique key;
            # the loop covers servers that do not.
            document = leads().find_one_and_update(
                query,
                {"$inc": {"value": 1}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
                projection={"_id": 0, "value": 1},
            )
            assert document is not None, "an upsert always returns the document"
            return int(document["value"])
        except DuplicateKeyError:
            if attempt == 1:
                raise
    raise AssertionError("unreachable")


def release_lead_number(month: str, number: int) -> bool:
    """Give `number` back when it is still the last one taken (its lead could not be stored);
    a later number already taken keeps it used, so no two leads ever share one."""
    # index: type_uid
    result = leads().update_one(
        {"type": COUNTER, "uid": f"lead-seq-{month}", "value": number}, {"$inc": {"value": -1}}
    )
    return result.modified_count == 1
