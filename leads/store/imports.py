"""What an import stores besides its job: the uploaded file (GridFS, in the same database, so
any worker on any machine reads it), the created and updated leads in bulk, and its failed rows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import IO

from bson import ObjectId
from gridfs import GridFSBucket, NoFile
from pymongo import ReturnDocument, UpdateOne
from pymongo.errors import BulkWriteError

from leads.domain.events import WriteStamp
from leads.domain.models import WorkItem

from .connection import Doc, database, import_errors, leads
from .documents import COUNTER, LAST_WRITE, LEAD, stamp_text, to_document
from .jobs import save_checkpoint

FILES_BUCKET = "import_files"
_DUPLICATE_KEY = 11000
# What deciding an update reads of a lead: everything but its timeline.
_UPDATE_PROJECTION: Doc = {"_id": 0, "activities": 0, "history": 0}


def _bucket() -> GridFSBucket:
    return GridFSBucket(database(), bucket_name=FILES_BUCKET)


def save_file(stream: IO[bytes], *, name: str) -> str:
    """Store the file in chunks; returns its id."""
    stream.seek(0)
    return str(_bucket().upload_from_stream(name, stream))


def open_file(file_id: str) -> IO[bytes]:
    """The stored file, readable and seekable, fetched chunk by chunk as it is read."""
    stream: IO[bytes] = _bucket().open_download_stream(ObjectId(file_id))
    return stream


def delete_file(file_id: str) -> None:
    with contextlib.suppress(NoFile):
        _bucket().delete(ObjectId(file_id))


def lead_document(lead: WorkItem) -> Doc:
    """A lead as stored (what insert_lead writes)."""
    return to_document(lead, LEAD)


def find_uids_by_key(key_name: str, keys: list[str]) -> dict[str, list[str]]:
    """For each key, the uids of the leads holding it (oldest first)."""
    if not keys:
        return {}
    found: dict[str, list[str]] = {}
    # index: type_email_key / type_phone_key / type_uid (key_name is one of them)
    cursor = (
        leads()
        .find({"type": LEAD, key_name: {"$in": keys}}, {"_id": 0, "uid": 1, key_name: 1})
        .sort("created_at", 1)
    )
    for document in cursor:
        found.setdefault(document[key_name], []).append(document["uid"])
    return found


def get_leads_for_update(uids: list[str]) -> dict[str, WorkItem]:
    # index: type_uid
    cursor = leads().find({"type": LEAD, "uid": {"$in": uids}}, _UPDATE_PROJECTION)
    return {document["uid"]: WorkItem.model_validate(document) for document in cursor}


def insert_new_leads(documents: list[Doc]) -> int:
    """Insert lead documents whose uids were reserved for them; a document already stored (the
    batch is being replayed after a crash) is passed over. Returns how many were inserted."""
    if not documents:
        return 0
    try:
        return len(leads().insert_many(documents, ordered=False).inserted_ids)
    except BulkWriteError as exc:
        others = [e for e in exc.details["writeErrors"] if e["code"] != _DUPLICATE_KEY]
        if others:
            raise
        return int(exc.details["nInserted"])


def save_failed_rows(import_uid: str, rows: Iterable[tuple[int, list[str], str]]) -> None:
    """Keep each failed row's cells and what is wrong with it; a replayed row replaces itself."""
    requests = [
        UpdateOne(
            {"import_uid": import_uid, "row": row},
            {"$set": {"cells": cells, "error": error}},
            upsert=True,
        )
        for row, cells, error in rows
    ]
    if requests:
        # index: import_row
        import_errors().bulk_write(requests, ordered=False)


def failed_rows(import_uid: str, batch_size: int = 1000) -> Iterator[tuple[int, list[str], str]]:
    # index: import_row
    cursor = (
        import_errors()
        .find({"import_uid": import_uid}, {"_id": 0, "row": 1, "cells": 1, "error": 1})
        .sort("row", 1)
    )
    for document in cursor.batch_size(batch_size):
        yield int(document["row"]), list(document["cells"]), str(document["error"])


def delete_failed_rows(import_uid: str) -> None:
    # index: import_row
    import_errors().delete_many({"import_uid": import_uid})


def stamped(document: Doc, stamp: WriteStamp) -> Doc:
    """A new lead's document announcing its creation (documents.LAST_WRITE)."""
    return {**document, LAST_WRITE: stamp_text(stamp)}


def reserve_numbers_and_save_plan(
    *,
    month: str,
    count: int,
    batch_row: int,
    job_uid: str,
    owner: str,
    checkpoint: Callable[[int], Doc],
    progress: dict[str, int],
    lease_until: datetime,
    now: datetime,
) -> int | None:
    """Take `count` lead numbers of `month` for the batch starting at `batch_row` and record
    them with the batch's plan (`checkpoint(first number)`) in the job. Returns the first
    number, or None when the job is no longer this worker's.

    No transaction: a worker killed inside one leaves the counter write-locked on the server
    until the transaction's lifetime ends (60 s), and every lead create of the month would
    wait on it. Instead the counter remembers the job's last reservation, so the worker that
    takes the batch over after a crash between the two writes gets the same numbers back:
    no gap, and never a number twice."""
    # index: type_uid
    counter = leads().find_one_and_update(
        {"type": COUNTER, "uid": f"lead-seq-{month}"},
        _reserve_once(f"reservations.{job_uid}", batch_row=batch_row, count=count),
        upsert=True,
        return_document=ReturnDocument.AFTER,
        projection={"_id": 0, f"reservations.{job_uid}": 1},
    )
    assert counter is not None, "an upsert always returns the document"
    first = int(counter["reservations"][job_uid]["first"])
    saved = save_checkpoint(
        uid=job_uid,
        owner=owner,
        checkpoint=checkpoint(first),
        progress=progress,
        lease_until=lease_until,
        now=now,
    )
    if not saved:
        return None
    # The plan holds the numbers now; the note has done its work.
    # index: type_uid
    leads().update_one(
        {"type": COUNTER, "uid": f"lead-seq-{month}"},
        {"$unset": {f"reservations.{job_uid}": ""}},
    )
    return first


def _reserve_once(path: str, *, batch_row: int, count: int) -> list[Doc]:
    """An update pipeline that adds `count` to the counter and notes {row, count, first} at
    `path`, unless `path` already holds this batch's reservation (same row, same count)."""
    reserved = {
        "$and": [
            {"$eq": [f"${path}.row", batch_row]},
            {"$eq": [f"${path}.count", count]},
        ]
    }
    current = {"$ifNull": ["$value", 0]}
    return [
        {"$set": {"_reserved": reserved}},
        {
            "$set": {
                path: {
                    "$cond": [
                        "$_reserved",
                        f"${path}",
                        {"row": batch_row, "count": count, "first": {"$add": [current, 1]}},
                    ]
                },
                "value": {"$cond": ["$_reserved", "$value", {"$add": [current, count]}]},
            }
        },
        {"$unset": "_reserved"},
    ]
