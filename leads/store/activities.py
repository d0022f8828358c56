"""A lead's activities: the newest embedded in the lead, the older ones in page documents.

A lead keeps its newest activities in `activities` (oldest first, appended to by every write
that records one). When a write leaves EMBEDDED_MAX or more there, the PAGE_SIZE oldest move
into an `activity_page` document of the `leads` collection, keyed by (lead, page); the lead
counts the moved ones in `paged_activities` (and per type in `paged_activity_types`), so a
lead document stays bounded however long its timeline grows, and its detail and a new note
cost what they cost on a young lead.

Positions count from a lead's first activity and never change: page n holds positions
[n * PAGE_SIZE, (n + 1) * PAGE_SIZE), the embedded list those from `paged_activities` on. A
timeline cursor is a position, so it stays valid while activities arrive and pages fill.

A spill writes the page first, with an upsert that only ever inserts (writing it twice is
harmless: a page's content is fixed by its number), then trims the lead on condition that no
other spill moved its oldest activities meanwhile. Trimming leaves `version` alone: what the
lead shows does not change, so nobody's If-Match goes stale for it. A crash between the two
steps leaves a page no read looks at (reads stop at `paged_activities`) and a lead still over
the limit, which its next write spills again. Two writers that spill at once write the same
page, and one trim wins.
"""

from __future__ import annotations

import contextlib
import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError, PyMongoError

from leads.domain.enums import ActivityType
from leads.domain.models import Activity

from .connection import Doc, Session, leads
from .documents import LEAD, from_documents

logger = logging.getLogger(__name__)

ACTIVITY_PAGE = "activity_page"
PAGE_SIZE = 100
# A write that leaves this many embedded moves the PAGE_SIZE oldest out: a lead embeds from
# EMBEDDED_MAX - PAGE_SIZE to EMBEDDED_MAX - 1 activities (a few more while writers race, and
# once per stage deletion, which moves many leads in one update and leaves spilling to their
# next write).
EMBEDDED_MAX = 200
# A lead stored before pages existed may embed thousands: its writes move them out this many
# pages at a time, so no one request pays for all of them.
MAX_SPILLS_PER_WRITE = 10

# Named on every page query: type_uid also starts with `type`, and a planner that sees few
# pages may pick it, then walk every lead's pages.
PAGE_INDEX = "activity_page_lead_page"
PAGED = "paged_activities"
PAGED_TYPES = "paged_activity_types"
SPILL = "spill"
_TYPES = frozenset(kind.value for kind in ActivityType)

_EMBEDDED: Doc = {"$ifNull": ["$activities", []]}
# What a write that may record an activity asks back, besides what it shows: how many moved
# out already and, when the lead is full, its oldest activities, to page them without reading
# the lead again.
SPILL_PROJECTION: Doc = {
    PAGED: 1,
    SPILL: {
        "$cond": [
            {"$gte": [{"$size": _EMBEDDED}, EMBEDDED_MAX]},
            {"$slice": [_EMBEDDED, PAGE_SIZE]},
            "$$REMOVE",
        ]
    },
}
# A lead's activities in all: those paged out and those embedded.
ACTIVITY_COUNT: Doc = {"$add": [{"$ifNull": [f"${PAGED}", 0]}, {"$size": _EMBEDDED}]}


def page_uid(lead_uid: str, number: int) -> str:
    # Every document of `leads` has a uid unique within its type (index type_uid).
    return f"{lead_uid}/{number}"


def spill_if_full(uid: str, written: Doc) -> None:
    """Page out the oldest activities of a lead that a write (whose answer, with
    SPILL_PROJECTION, is `written`) left full; pops the spill fields off `written`.

    The write has happened: a failure here is logged and left to the lead's next write, never
    turned into an error of a request whose change is stored."""
    document: Doc | None = written
    try:
        for _spill in range(MAX_SPILLS_PER_WRITE):
            assert document is not None
            oldest: list[Doc] | None = document.pop(SPILL, None)
            paged = int(document.pop(PAGED, 0) or 0)
            if not oldest or len(oldest) < PAGE_SIZE:
                return
            _write_page(uid, paged // PAGE_SIZE, oldest)
            document = _trim(uid, paged, oldest)
            if document is None:
                _after_lost_trim(uid)
                return
    except PyMongoError:
        logger.warning("could not page out the oldest activities of %s", uid, exc_info=True)
    finally:
        written.pop(SPILL, None)
        written.pop(PAGED, None)


def _counts(activities: list[Doc]) -> Counter[str]:
    """How many of each type (leaving out any an older version stored with a type no filter
    can ask for)."""
    return Counter(
        str(activity["type"]) for activity in activities if activity.get("type") in _TYPES
    )


def _write_page(uid: str, number: int, activities: list[Doc]) -> None:
    counts = _counts(activities)
    # A writer spilling the same activities at the same moment may insert it first.
    with contextlib.suppress(DuplicateKeyError):
        # index: activity_page_lead_page (unique)
        leads().update_one(
            {"type": ACTIVITY_PAGE, "lead": uid, "page": number},
            {
                "$setOnInsert": {
                    "uid": page_uid(uid, number),
                    "activities": activities,
                    "counts": dict(counts),
                }
            },
            upsert=True,
            hint=PAGE_INDEX,
        )


def _trim(uid: str, paged: int, oldest: list[Doc]) -> Doc | None:
    """Drop the paged activities from the lead, if they are still its oldest; the lead's
    spill fields as they are now (to go on when it is still full), or None when another
    spill moved them or the lead is gone."""
    counts = _counts(oldest)
    query: Doc = {
        "type": LEAD,
        "uid": uid,
        # No field: a lead that never spilled.
        PAGED: paged if paged else {"$in": [0, None]},
        # Only a spill removes from the front, so the count alone says these are still the
        # oldest; their uids say it too, should anything else ever rewrite the list.
        "activities.0.uid": oldest[0].get("uid"),
        f"activities.{PAGE_SIZE - 1}.uid": oldest[-1].get("uid"),
    }
    fields: Doc = {
        "activities": {"$slice": ["$activities", PAGE_SIZE, {"$size": "$activities"}]},
        PAGED: paged + PAGE_SIZE,
        **{
            f"{PAGED_TYPES}.{kind}": {"$add": [{"$ifNull": [f"${PAGED_TYPES}.{kind}", 0]}, n]}
            for kind, n in counts.items()
        },
    }
    # index: type_uid
    document: Doc | None = leads().find_one_and_update(
        query,
        [{"$set": fields}],
        projection={"_id": 0, **SPILL_PROJECTION},
        return_document=ReturnDocument.AFTER,
    )
    return document


def _after_lost_trim(uid: str) -> None:
    """Another writer's spill moved the activities (nothing to do), or the lead was deleted
    while this one spilled: then the page just written belongs to no lead, and goes."""
    # index: type_uid (covered)
    if leads().find_one({"type": LEAD, "uid": uid}, {"_id": 0, "uid": 1}) is None:
        delete_pages(uid)


def delete_pages(uid: str, session: Session | None = None) -> None:
    # index: activity_page_lead_page
    leads().delete_many({"type": ACTIVITY_PAGE, "lead": uid}, session=session, hint=PAGE_INDEX)


@dataclass(frozen=True)
class TimelinePage:
    """Activities newest first, the position to read on from (None: these are the oldest),
    and how many match in all."""

    items: list[Activity]
    before: int | None
    total: int


def _type_of(index: Any) -> Doc:
    return {"$let": {"vars": {"a": {"$arrayElemAt": ["$acts", index]}}, "in": "$$a.type"}}


def timeline(
    *, uid: str, types: list[str] | None, before: int | None, limit: int
) -> TimelinePage | None:
    """Up to `limit` activities (of `types`) older than position `before`, newest first; None
    when there is no such lead.

    The newest come from the lead (one round trip; a first page always does, as the lead
    embeds at least EMBEDDED_MAX - PAGE_SIZE >= any limit); older ones from the pages below
    them (a second). Without `types` that is at most two pages, found by number; with
    `types`, pages are walked back (skipping those with none of the types) until the page is
    full, so a rare type costs as many pages as it takes to fill one."""
    end: Any = "$all" if before is None else {"$min": [before, "$all"]}
    # Embedded indexes (from the oldest embedded) that are candidates: below `end`, of `types`.
    indexes: Any = {"$range": [0, {"$max": [0, {"$subtract": ["$end", "$paged"]}]}]}
    if types:
        indexes = {
            "$filter": {"input": indexes, "as": "i", "cond": {"$in": [_type_of("$$i"), types]}}
        }
    # Without types, knowing that older ones exist is arithmetic; with them, one more tells.
    wanted = limit if not types else limit + 1
    matching_embedded: Any = {"$size": "$acts"}
    if types:
        matching_embedded = {
            "$size": {"$filter": {"input": "$acts", "cond": {"$in": ["$$this.type", types]}}}
        }
    pipeline: list[Doc] = [
        {"$match": {"type": LEAD, "uid": uid}},
        {
            "$project": {
                "_id": 0,
                "acts": _EMBEDDED,
                "paged": {"$ifNull": [f"${PAGED}", 0]},
                "paged_types": {"$ifNull": [f"${PAGED_TYPES}", {}]},
            }
        },
        {"$set": {"all": {"$add": ["$paged", {"$size": "$acts"}]}}},
        {"$set": {"end": end}},
        {
            "$project": {
                "paged": 1,
                "paged_types": 1,
                "end": 1,
                "all": 1,
                "matching_embedded": matching_embedded,
                "found": {
                    "$map": {
                        "input": {"$slice": [indexes, -wanted]},
                        "as": "i",
                        "in": {
                            "p": {"$add": ["$paged", "$$i"]},
                            "a": {"$arrayElemAt": ["$acts", "$$i"]},
                        },
                    }
                },
            }
        },
    ]
    # index: type_uid
    rows = list(leads().aggregate(pipeline))
    if not rows:
        return None
    head = rows[0]
    paged, end_position = int(head["paged"]), int(head["end"])
    if types:
        total = int(head["matching_embedded"]) + sum(
            int(head["paged_types"].get(kind, 0)) for kind in types
        )
    else:
        total = int(head["all"])
    # (position, stored activity), newest first.
    found: list[tuple[int, Doc]] = [(int(row["p"]), row["a"]) for row in reversed(head["found"])]
    below = min(end_position, paged)
    if len(found) < wanted and below > 0:
        found += _from_pages(uid, types, below=below, wanted=wanted - len(found))
    if types:
        more = len(found) > limit
        found = found[:limit]
    else:
        more = bool(found) and found[-1][0] > 0
    items = from_documents(Activity, (activity for _, activity in found))
    return TimelinePage(items=items, before=found[-1][0] if more else None, total=total)


def _from_pages(
    uid: str, types: list[str] | None, *, below: int, wanted: int
) -> list[tuple[int, Doc]]:
    """Up to `wanted` activities (of `types`) at positions below `below` (at most the lead's
    paged count, so a page a crashed spill left is never read), newest first."""
    last_page = (below - 1) // PAGE_SIZE
    query: Doc = {"type": ACTIVITY_PAGE, "lead": uid, "page": {"$lte": last_page}}
    indexes: Any = {"$range": [0, {"$size": "$acts"}]}
    if types:
        query["$or"] = [{f"counts.{kind}": {"$gt": 0}} for kind in types]
        indexes = {
            "$filter": {"input": indexes, "as": "i", "cond": {"$in": [_type_of("$$i"), types]}}
        }
    else:
        query["page"]["$gte"] = max(0, below - wanted) // PAGE_SIZE
    pipeline: list[Doc] = [
        {"$match": query},
        {"$sort": {"page": -1}},
        {"$project": {"_id": 0, "page": 1, "acts": "$activities"}},
        {
            "$project": {
                "page": 1,
                "found": {
                    "$map": {
                        "input": indexes,
                        "as": "i",
                        "in": {"i": "$$i", "a": {"$arrayElemAt": ["$acts", "$$i"]}},
                    }
                },
            }
        },
    ]
    found: list[tuple[int, Doc]] = []
    # index: activity_page_lead_page (walked back from `last_page`)
    with leads().aggregate(pipeline, batchSize=4, hint=PAGE_INDEX) as pages:
        for page in pages:
            first = int(page["page"]) * PAGE_SIZE
            for row in reversed(page["found"]):
                position = first + int(row["i"])
                if position < below:
                    found.append((position, row["a"]))
            if len(found) >= wanted:
                break
    return found[:wanted]


def delete_pages_of(uids: list[str], session: Session) -> None:
    """The activity pages of every lead in `uids`, in one delete (a bulk delete's)."""
    # index: activity_page_lead_page
    leads().delete_many(
        {"type": ACTIVITY_PAGE, "lead": {"$in": uids}}, session=session, hint=PAGE_INDEX
    )
