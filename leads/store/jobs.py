"""Job documents (`jobs`): created, queued, claimed with a lease, checkpointed, finished.

Every write a worker makes names itself as the lease owner in the filter, so a worker whose
lease ran out (and whose job another worker took over) can no longer change the job.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument

from leads.domain.jobs import Job, JobStatus

from .connection import Doc, Session, jobs
from .documents import from_document, to_document

_NO_ID: Doc = {"_id": 0}


def insert_job(job: Job) -> None:
    jobs().insert_one(to_document(job))


def get_job(uid: str, kind: str) -> Job | None:
    # index: uid_unique
    return from_document(Job, jobs().find_one({"uid": uid, "kind": kind}, _NO_ID))


def update_draft(uid: str, kind: str, changes: Doc) -> Job | None:
    """Set `changes` on a job that is still a draft; None when it is not (or is gone)."""
    # index: uid_unique
    document = jobs().find_one_and_update(
        {"uid": uid, "kind": kind, "status": JobStatus.DRAFT.value},
        {"$set": changes},
        projection=_NO_ID,
        return_document=ReturnDocument.AFTER,
    )
    return from_document(Job, document)


def delete_job(uid: str) -> None:
    # index: uid_unique
    jobs().delete_one({"uid": uid})


def claim_job(
    *, kinds: list[str], owner: str, now: datetime, lease_until: datetime, uid: str | None = None
) -> Job | None:
    """Take the oldest queued job of `kinds` (or the job `uid`), or a running one whose lease
    ran out (its worker died), atomically: of two workers asking at once, one gets it."""
    query: Doc = {
        "$or": [
            {"status": JobStatus.QUEUED.value},
            {"status": JobStatus.RUNNING.value, "lease_until": {"$lt": now}},
        ],
        "kind": {"$in": kinds},
    }
    if uid is not None:
        query["uid"] = uid
    # index: status_lease (each branch of the $or; uid_unique with a uid); the few claimable
    # jobs are sorted in memory
    document = jobs().find_one_and_update(
        query,
        [
            {
                "$set": {
                    "status": JobStatus.RUNNING.value,
                    "lease_owner": {"$literal": owner},
                    "lease_until": lease_until,
                    "updated_at": now,
                    "started_at": {"$ifNull": ["$started_at", now]},
                    "attempts": {"$add": [{"$ifNull": ["$attempts", 0]}, 1]},
                }
            }
        ],
        sort=[("created_at", ASCENDING)],
        projection=_NO_ID,
        return_document=ReturnDocument.AFTER,
    )
    return from_document(Job, document)


def _owned(uid: str, owner: str) -> Doc:
    return {"uid": uid, "status": JobStatus.RUNNING.value, "lease_owner": owner}


def renew_lease(*, uid: str, owner: str, lease_until: datetime) -> bool:
    """Extend the lease; False when the job is no longer this worker's."""
    # index: uid_unique
    result = jobs().update_one(_owned(uid, owner), {"$set": {"lease_until": lease_until}})
    return result.matched_count == 1


def save_checkpoint(
    *,
    uid: str,
    owner: str,
    checkpoint: Doc,
    progress: dict[str, int],
    lease_until: datetime,
    now: datetime,
    session: Session | None = None,
) -> bool:
    """Store where the job got to (renewing the lease); False when it is no longer ours."""
    # index: uid_unique
    result = jobs().update_one(
        _owned(uid, owner),
        {
            "$set": {
                "checkpoint": checkpoint,
                "progress": progress,
                "lease_until": lease_until,
                "updated_at": now,
            }
        },
        session=session,
    )
    return result.matched_count == 1


def release_job(*, uid: str, owner: str, now: datetime) -> bool:
    """Put a running job back in the queue (its worker is stopping), checkpoint kept."""
    # index: uid_unique
    result = jobs().update_one(
        _owned(uid, owner),
        {
            "$set": {
                "status": JobStatus.QUEUED.value,
                "lease_owner": None,
                "lease_until": None,
                "updated_at": now,
            }
        },
    )
    return result.matched_count == 1


def finish_job(
    *,
    uid: str,
    owner: str,
    status: JobStatus,
    progress: dict[str, int] | None,
    error: str | None,
    now: datetime,
) -> bool:
    changes: dict[str, Any] = {
        "status": status.value,
        "error": error,
        "lease_owner": None,
        "lease_until": None,
        "finished_at": now,
        "updated_at": now,
    }
    if progress is not None:
        changes["progress"] = progress
    # index: uid_unique
    result = jobs().update_one(_owned(uid, owner), {"$set": changes})
    return result.matched_count == 1


def jobs_of_kind(kind: str) -> Iterator[Job]:
    """Every job of a kind, oldest first (tests and commands; a handful of documents)."""
    # index: kind_created
    for document in jobs().find({"kind": kind}, _NO_ID).sort("created_at", ASCENDING):
        yield Job.model_validate(document)
