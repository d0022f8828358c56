"""Leads that may be the same person (by the keys of domain/contacts.py), and the merge of two
leads in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo import ReturnDocument

from leads.domain.changes import LeadChange
from leads.domain.events import WriteStamp
from leads.domain.merge import MATCH_FIELDS, LeadMatch
from leads.domain.models import CONFIG_UID, LeadRecord, WorkItem, WorkItemConfig, WorkStage

from .activities import PAGED
from .connection import Doc, Session, leads
from .documents import (
    CONFIG,
    LAST_WRITE,
    LEAD,
    STAGE,
    from_document,
    readable_documents,
    stamp_text,
)
from .leads import DETAIL_PROJECTION, _change_pipeline, _record_from

_MATCH_PROJECTION: Doc = {"_id": 0, **{name: 1 for name in MATCH_FIELDS}}


def find_matches(
    *, email_key: str | None, phone_key: str | None, exclude_uid: str | None, limit: int
) -> list[LeadMatch]:
    """Up to `limit` leads sharing the email key or the phone key, oldest first; none when both
    keys are None."""
    either: list[Doc] = []
    if email_key is not None:
        either.append({"email_key": email_key})
    if phone_key is not None:
        either.append({"phone_key": phone_key})
    if not either:
        return []
    query: Doc = {"type": LEAD, "$or": either}
    if exclude_uid is not None:
        query["uid"] = {"$ne": exclude_uid}
    # index: type_email_key / type_phone_key (one per branch of the $or); the few matches are
    # sorted after
    cursor = (
        leads().find(query, _MATCH_PROJECTION).sort([("created_at", 1), ("uid", 1)]).limit(limit)
    )
    return readable_documents(LeadMatch, cursor)


def get_lead_match(uid: str) -> LeadMatch | None:
    # index: type_uid
    return from_document(LeadMatch, leads().find_one({"type": LEAD, "uid": uid}, _MATCH_PROJECTION))


@dataclass(frozen=True)
class MergePair:
    """Both leads whole (every activity embedded), with the workflow, as a transaction read
    them."""

    kept: WorkItem | None
    other: WorkItem | None
    config: WorkItemConfig | None
    stages: list[WorkStage]
    # How many of the other lead's oldest activities live in activity_page documents.
    other_paged: int = 0


def get_merge_pair(kept_uid: str, other_uid: str, session: Session | None = None) -> MergePair:
    """Both leads, the config and every stage, in one round trip."""
    found: dict[str, WorkItem] = {}
    paged: dict[str, int] = {}
    config: WorkItemConfig | None = None
    stages: list[WorkStage] = []
    query = {
        "$or": [
            {"type": LEAD, "uid": {"$in": [kept_uid, other_uid]}},
            {"type": CONFIG, "uid": CONFIG_UID},
            {"type": STAGE},
        ]
    }
    # index: type_uid (each branch of the $or)
    for document in leads().find(query, {"_id": 0}, session=session):
        kind = document.pop("type")
        if kind == CONFIG:
            config = from_document(WorkItemConfig, document)
        elif kind == STAGE:
            stages.append(WorkStage.model_validate(document))
        else:
            paged[document["uid"]] = int(document.get(PAGED) or 0)
            found[document["uid"]] = WorkItem.model_validate(document)
    stages.sort(key=lambda stage: (stage.order, stage.uid))
    return MergePair(
        kept=found.get(kept_uid),
        other=found.get(other_uid),
        config=config,
        stages=stages,
        other_paged=paged.get(other_uid, 0),
    )


def write_merge(
    *,
    kept_uid: str,
    kept_version: int,
    change: LeadChange,
    other_uid: str,
    other_version: int,
    other_stamp: WriteStamp,
    session: Session,
) -> LeadRecord | None:
    """Write the kept lead and delete the other, each only at the version read; None (and the
    caller aborts the transaction) when either has changed meanwhile."""
    # index: type_uid
    document = leads().find_one_and_update(
        {"type": LEAD, "uid": kept_uid, "version": kept_version},
        _change_pipeline(change, None),
        projection=DETAIL_PROJECTION,
        return_document=ReturnDocument.AFTER,
        session=session,
    )
    if document is None:
        return None
    other: Doc = {"type": LEAD, "uid": other_uid, "version": other_version}
    # The stamp first, in the same transaction: a deletion's change event names no uid.
    # index: type_uid
    leads().update_one(other, {"$set": {LAST_WRITE: stamp_text(other_stamp)}}, session=session)
    # index: type_uid
    deleted = leads().delete_one(other, session=session)
    if deleted.deleted_count != 1:
        return None
    return _record_from(document)
