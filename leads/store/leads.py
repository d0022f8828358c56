"""Lead documents: reads, conditional writes and the keyset-paginated list."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from pymongo import DeleteOne, ReturnDocument, UpdateOne
from pymongo.errors import DuplicateKeyError, OperationFailure

from leads.domain.changes import LeadChange, StageEntry, next_due_at
from leads.domain.contacts import email_key, phone_key
from leads.domain.enums import DONE_TASK_STATUSES, WorkItemStatus
from leads.domain.errors import DuplicateKey
from leads.domain.events import WriteStamp
from leads.domain.fields import MAX_AMOUNT
from leads.domain.models import (
    CONFIG_UID,
    Activity,
    BoardCard,
    LeadHit,
    LeadRecord,
    LeadSummary,
    TaskInstance,
    WorkItem,
    WorkItemConfig,
    WorkStage,
)
from leads.domain.queries import LeadFilter, PageRequest
from leads.domain.search import (
    SEARCH_TERMS_VERSION,
    SearchQuery,
    exact_keys,
    query_terms,
    search_terms,
)

from . import activities as activity_store
from . import facts as facts_store
from .activities import ACTIVITY_COUNT, SPILL_PROJECTION
from .connection import Doc, Session, in_transaction, leads
from .documents import (
    CONFIG,
    LAST_WRITE,
    LEAD,
    STAGE,
    from_document,
    readable_documents,
    stamp_expression,
    stamp_text,
    to_document,
    to_value,
)

LATEST_ACTIVITIES = 20

_SUMMARY_FIELDS = list(LeadSummary.model_fields)
_EMBEDDED_FIELDS = ("tasks", "history", "last_move")
# Summaries leave the embedded lists on the server.
SUMMARY_PROJECTION: Doc = {"_id": 0, **{name: 1 for name in _SUMMARY_FIELDS}}
# A lead's detail carries its latest activities and their count, never the whole timeline
# (the lead embeds only its newest ones, store/activities.py, and always the latest 20).
DETAIL_PROJECTION: Doc = {
    **SUMMARY_PROJECTION,
    **{name: 1 for name in _EMBEDDED_FIELDS},
    "activities": {"$slice": -LATEST_ACTIVITIES},
    "activity_count": ACTIVITY_COUNT,
}
# What a write that records an activity asks back: the detail, and what paging out the
# oldest activities needs when the write left the lead full.
WRITTEN_PROJECTION: Doc = {**DETAIL_PROJECTION, **SPILL_PROJECTION}


def _record_from(document: Doc | None) -> LeadRecord | None:
    if document is None:
        return None
    # Storage bookkeeping, no part of the lead.
    for name in SPILL_PROJECTION:
        document.pop(name, None)
    activity_count = int(document.pop("activity_count", 0))
    if "activities" in document:
        # Stored oldest first (append-only); shown newest first.
        document["activities"].reverse()
    return LeadRecord(lead=WorkItem.model_validate(document), activity_count=activity_count)


def get_lead(uid: str) -> LeadRecord | None:
    # index: type_uid
    return _record_from(leads().find_one({"type": LEAD, "uid": uid}, DETAIL_PROJECTION))


def lead_exists(uid: str) -> bool:
    # index: type_uid (covered)
    return leads().find_one({"type": LEAD, "uid": uid}, {"_id": 0, "uid": 1}) is not None


def insert_lead(lead: WorkItem, stamp: WriteStamp) -> None:
    try:
        leads().insert_one({**to_document(lead, LEAD), LAST_WRITE: stamp_text(stamp)})
    except DuplicateKeyError as exc:
        raise DuplicateKey(f"a lead {lead.uid} exists already") from exc


def _stored(value: Any) -> Any:
    """A value as stored: models (a task list, say) become documents."""
    if isinstance(value, BaseModel):
        return to_value(value)
    if isinstance(value, list):
        return [_stored(item) for item in value]
    return value


def _earlier_due(added: list[TaskInstance]) -> Doc:
    """The lead's next due date once `added` (open) tasks join the ones it has: the earlier of
    its stored one, which holds for its tasks (domain.changes.next_due_at keeps it), and
    theirs. $min passes over nulls."""
    return {"$min": ["$next_due_at", {"$literal": next_due_at(added)}]}


def _appended(name: str, values: list[Doc]) -> Doc:
    return {"$concatArrays": [{"$ifNull": [f"${name}", []]}, {"$literal": values}]}


def _enter_stage(entry: StageEntry, moved_at: datetime, history_before: list[Doc]) -> Doc:
    """The $set of an update pipeline that moves a lead: close its open visit, record
    `history_before` and the new visit, add the target's tasks."""
    open_visit = {
        "$and": [{"$eq": ["$$entry.kind", "stage_visit"]}, {"$eq": ["$$entry.exited_at", None]}]
    }
    closed_visit = {
        "$mergeObjects": [
            "$$entry",
            {
                "exited_at": moved_at,
                "exited_by": entry.visit.entered_by,
                "duration_seconds": {
                    "$dateDiff": {
                        "startDate": "$$entry.entered_at",
                        "endDate": moved_at,
                        "unit": "second",
                    }
                },
            },
        ]
    }
    closed_history = {
        "$map": {
            "input": {"$ifNull": ["$history", []]},
            "as": "entry",
            "in": {"$cond": [open_visit, closed_visit, "$$entry"]},
        }
    }
    new_history = {"$literal": [*history_before, to_value(entry.visit)]}
    return {
        "current_stage": entry.stage.uid,
        "rank": entry.rank,
        "stage_entered_at": moved_at,
        "history": {"$concatArrays": [closed_history, new_history]},
        "tasks": _appended("tasks", [to_value(task) for task in entry.tasks]),
    }


def _change_pipeline(change: LeadChange, write_id: str | None) -> list[Doc]:
    """ONE update pipeline for any change of one lead. Stored values go in as $literal so none
    is read as an operator."""
    history = [to_value(entry) for entry in change.history]
    fields: Doc = {name: {"$literal": _stored(value)} for name, value in change.set_fields.items()}
    fields["updated_at"] = change.at
    fields["write_id"] = {"$literal": write_id}
    if change.stamp is not None:
        fields[LAST_WRITE] = {"$literal": stamp_text(change.stamp)}
    fields["version"] = {"$add": ["$version", 1]}
    if change.enter is not None:
        fields.update(_enter_stage(change.enter, change.at, history))
    else:
        if history:
            fields["history"] = _appended("history", history)
        if change.tasks:
            fields["tasks"] = _appended("tasks", [to_value(task) for task in change.tasks])
    if change.activities:
        fields["activities"] = _appended(
            "activities", [to_value(activity) for activity in change.activities]
        )
    return [{"$set": fields}]


def write_lead(
    *, uid: str, expected_version: int, change: LeadChange, write_id: str | None = None
) -> LeadRecord | None:
    """Apply `change` in ONE conditional write if the lead is still at `expected_version`;
    None when it is not (or is gone). `write_id` stays on the lead until its next write, so
    the writer can tell later that this write landed (lead_written_by)."""
    # index: type_uid
    document = leads().find_one_and_update(
        {"type": LEAD, "uid": uid, "version": expected_version},
        _change_pipeline(change, write_id),
        projection=WRITTEN_PROJECTION,
        return_document=ReturnDocument.AFTER,
    )
    if document is not None:
        activity_store.spill_if_full(uid, document)
    return _record_from(document)


def lead_written_by(*, uid: str, version: int, write_id: str) -> bool:
    """Whether the lead is at `version` through the write `write_id`."""
    # index: type_uid
    found = leads().find_one(
        {"type": LEAD, "uid": uid, "version": version, "write_id": write_id}, {"_id": 0, "uid": 1}
    )
    return found is not None


def delete_lead(*, uid: str, expected_version: int | None, stamp: WriteStamp) -> bool:
    """Delete a lead and its activity pages, together or not at all."""
    query: Doc = {"type": LEAD, "uid": uid}
    if expected_version is not None:
        query["version"] = expected_version

    def delete(session: Session) -> bool:
        # The stamp first, in the same transaction: a deletion's change event names no uid.
        # index: type_uid
        if (
            leads()
            .update_one(query, {"$set": {LAST_WRITE: stamp_text(stamp)}}, session=session)
            .matched_count
            != 1
        ):
            return False
        # index: type_uid
        if leads().delete_one({"type": LEAD, "uid": uid}, session=session).deleted_count != 1:
            return False
        activity_store.delete_pages(uid, session)
        return True

    return in_transaction(delete)


def _filter_query(lead_filter: LeadFilter) -> Doc:
    query: Doc = {"type": LEAD}
    if lead_filter.stage is not None:
        query["current_stage"] = lead_filter.stage
    if lead_filter.status is not None:
        query["status"] = lead_filter.status.value
    elif lead_filter.hide_archived:
        query["status"] = {"$ne": WorkItemStatus.ARCHIVED.value}
    if lead_filter.assigned_to is not None:
        query["assigned_to"] = lead_filter.assigned_to
    if lead_filter.tag is not None:
        query["tags"] = lead_filter.tag
    if lead_filter.source is not None:
        query["source"] = lead_filter.source
    if lead_filter.entered_stage is not None:
        visit: Doc = {"stage": lead_filter.entered_stage}
        entered: Doc = {}
        if lead_filter.entered_after is not None:
            entered["$gte"] = lead_filter.entered_after
        if lead_filter.entered_before is not None:
            entered["$lt"] = lead_filter.entered_before
        if entered:
            visit["entered_at"] = entered
        # index: type_visit_stage_entered (both bounds on the same visit)
        query["history"] = {"$elemMatch": visit}
    # Compared as duplicates are (domain/contacts.py): any case of an address, any way of
    # writing a number.
    if lead_filter.email is not None:
        query["email_key"] = email_key(lead_filter.email)
    if lead_filter.phone is not None:
        query["phone_key"] = phone_key(lead_filter.phone)
    created: Doc = {}
    if lead_filter.created_after is not None:
        created["$gte"] = lead_filter.created_after
    if lead_filter.created_before is not None:
        created["$lt"] = lead_filter.created_before
    if created:
        query["created_at"] = created
    for key, value in lead_filter.data_equals.items():
        # Keys were checked against the field definitions; values are coerced scalars.
        query[f"data.{key}"] = value
    if lead_filter.due_before is not None:
        # Overdue is for open leads only (domain/attention.py).
        query["status"] = WorkItemStatus.OPEN.value
        query["next_due_at"] = {"$lt": lead_filter.due_before}
    either: list[list[Doc]] = []
    if lead_filter.stale_since is not None:
        query["status"] = WorkItemStatus.OPEN.value
        either.append(
            [
                {"current_stage": stage, "last_activity_at": {"$lt": moment}}
                for stage, moment in lead_filter.stale_since.items()
            ]
            # No stage rots: nothing is stale.
            or [{"current_stage": {"$in": []}}]
        )
    if lead_filter.search:
        query.update(search_match(query_terms(lead_filter.search)))
    if len(either) == 1:
        query["$or"] = either[0]
    elif either:
        query["$and"] = [{"$or": branches} for branches in either]
    return query


def search_match(search: SearchQuery) -> Doc:
    """The filter of a search (domain/search.py): every term stored, the most selective first
    (the index walks the first term's keys and checks the others on each lead), and every
    checked word the start of a stored word: a term with no '@' or '-' (not an address or a
    uid) starting with it, tested on the leads found, never walked. No term finds nothing."""
    if not search.terms:
        return {"search_terms": {"$in": []}}
    match: Doc = {"search_terms": {"$all": list(search.terms)}}
    if search.starts:
        match["$expr"] = {
            "$and": [
                {
                    "$anyElementTrue": [
                        {
                            "$map": {
                                "input": "$search_terms",
                                "in": {
                                    "$regexMatch": {
                                        "input": "$$this",
                                        "regex": f"^{re.escape(word)}[^@-]*$",
                                    }
                                },
                            }
                        }
                    ]
                }
                for word in search.starts
            ]
        }
    return match


def find_leads(lead_filter: LeadFilter, page: PageRequest) -> list[LeadSummary]:
    """Up to `page.limit` leads beyond `page.after`, in the sort order.

    Served by type_created_uid / type_updated_uid / type_name_uid (the sort, walked from the
    cursor, so a late page costs what the first does), or by the filter's own index
    (type_stage_rank, type_status, type_assigned, type_tags, type_search_created,
    type_visit_stage_entered) when that is more selective. With `q` and the default sort,
    type_search_created gives both: one term's leads, newest first.
    """
    query = _filter_query(lead_filter)
    walk = -1 if page.descending else 1
    if page.backward:
        walk = -walk
    if page.after is not None:
        key_value, uid = page.after
        op = "$lt" if walk == -1 else "$gt"
        beyond = {
            "$or": [{page.sort_key: {op: key_value}}, {page.sort_key: key_value, "uid": {op: uid}}]
        }
        query = {"$and": [query, beyond]}
    cursor = (
        leads()
        .find(query, SUMMARY_PROJECTION)
        .sort([(page.sort_key, walk), ("uid", walk)])
        .limit(page.limit)
        # One batch for the whole page: the server's default first batch (101) would cost a
        # getMore round trip on large pages.
        .batch_size(page.limit)
    )
    rows = readable_documents(LeadSummary, cursor)
    if page.backward:
        rows.reverse()
    return rows


def count_leads_in_stage(stage_uid: str, session: Session | None = None) -> int:
    # index: type_stage_rank
    return leads().count_documents({"type": LEAD, "current_stage": stage_uid}, session=session)


def move_stage_leads(
    *,
    from_stage: str,
    entry: StageEntry,
    activity: Activity,
    status: WorkItemStatus,
    closed_at: datetime | None,
    stamp: WriteStamp,
    session: Session,
) -> int:
    """Move every lead of a stage into another (the stage is being deleted); their status
    follows the target's kind, and `closed_at` applies to those whose status changes."""
    moved_at = activity.created_at
    fields = _enter_stage(entry, moved_at, [])
    fields.update(
        {
            "status": status.value,
            "updated_at": moved_at,
            "version": {"$add": ["$version", 1]},
            "activities": _appended("activities", [to_value(activity)]),
            "last_activity_at": moved_at,
            "next_due_at": _earlier_due(entry.tasks),
            "closed_at": {
                "$cond": [{"$eq": ["$status", status.value]}, "$closed_at", {"$literal": closed_at}]
            },
            LAST_WRITE: stamp_expression(stamp),
        }
    )
    # index: type_stage_rank
    result = leads().update_many(
        {"type": LEAD, "current_stage": from_stage}, [{"$set": fields}], session=session
    )
    return result.modified_count


@dataclass(frozen=True)
class LeadContext:
    """A lead (with its latest activities) with what deciding a change needs."""

    record: LeadRecord | None
    config: WorkItemConfig | None
    stages: list[WorkStage]
    neighbours: dict[str, LeadSummary]


def get_lead_with_workflow(uid: str, neighbour_uids: tuple[str, ...] = ()) -> LeadContext:
    """The lead (as its detail shows it), the config, every stage and the given other leads
    (as summaries), in one round trip."""
    wanted: list[Doc] = [
        {"type": LEAD, "uid": uid},
        {"type": CONFIG, "uid": CONFIG_UID},
        {"type": STAGE},
    ]
    if neighbour_uids:
        wanted.append({"type": LEAD, "uid": {"$in": list(neighbour_uids)}})
    pipeline: list[Doc] = [
        {"$match": {"$or": wanted}},
        # Only the lead has activities; the others count 0, which nothing reads.
        {
            "$set": {
                "activity_count": ACTIVITY_COUNT,
                "activities": {"$slice": [{"$ifNull": ["$activities", []]}, -LATEST_ACTIVITIES]},
            }
        },
        {"$unset": "_id"},
    ]
    record: LeadRecord | None = None
    config: WorkItemConfig | None = None
    stages: list[WorkStage] = []
    neighbours: dict[str, LeadSummary] = {}
    # index: type_uid (each branch of the $or)
    for document in leads().aggregate(pipeline):
        if document["type"] == CONFIG:
            config = from_document(WorkItemConfig, document)
        elif document["type"] == STAGE:
            stages.append(WorkStage.model_validate(document))
        elif document["uid"] == uid:
            record = _record_from(document)
        else:
            neighbours[document["uid"]] = LeadSummary.model_validate(document)
    stages.sort(key=lambda stage: (stage.order, stage.uid))
    return LeadContext(record=record, config=config, stages=stages, neighbours=neighbours)


def _card_projection(value_field: str | None, data_keys: list[str]) -> Doc:
    in_stage = {"$eq": ["$$task.stage", "$current_stage"]}
    # Not $ifNull: a stored `tasks` that is not a list (bad data) must not fail the board.
    tasks = {"$cond": [{"$isArray": "$tasks"}, "$tasks", []]}
    stage_tasks = {"$filter": {"input": tasks, "as": "task", "cond": in_stage}}
    done = {"$in": ["$$task.status", sorted(DONE_TASK_STATUSES)]}
    blocking = {"$and": [{"$eq": ["$$task.required", True]}, {"$not": [done]}]}
    return {
        "_id": 0,
        "uid": 1,
        "name": 1,
        "email": 1,
        "company": 1,
        "assigned_to": 1,
        "status": 1,
        "rank": 1,
        "version": 1,
        "updated_at": 1,
        "stage_entered_at": 1,
        "current_stage": 1,
        "value": f"$data.{value_field}" if value_field else {"$literal": None},
        "next_due_at": 1,
        "last_activity_at": 1,
        # What deciding the card's moves reads: only the fields some stage requires.
        **{f"data.{key}": 1 for key in data_keys},
        "tasks_total": {"$size": stage_tasks},
        "tasks_done": {"$size": {"$filter": {"input": stage_tasks, "as": "task", "cond": done}}},
        "blocking_tasks": {
            "$map": {
                "input": {"$filter": {"input": stage_tasks, "as": "task", "cond": blocking}},
                "as": "task",
                "in": {"uid": "$$task.uid", "title": "$$task.title"},
            }
        },
    }


BOARD_TOTALS = "board_totals"
# What the board-totals index holds besides the value and the entry time: a filter on nothing
# else is summed from its keys.
_BOARD_TOTALS_KEYS = {"type", "current_stage", "status"}


def board_totals_index_name(value_field: str | None) -> str:
    """The name of the board-totals index made for `value_field` (indexes.py builds it)."""
    # Field keys are snake_case (domain/fields.py), so the name is a plain word.
    return f"{BOARD_TOTALS}__{value_field}" if value_field is not None else BOARD_TOTALS


def _totals_rows(pipeline: list[Doc], hint: str | None, batch_size: int) -> Iterator[Doc]:
    if hint is not None:
        try:
            # Hinted: on a small collection the planner's trial can end in a tie that a
            # fetching plan wins.
            return leads().aggregate(pipeline, batchSize=batch_size, hint=hint)
        except OperationFailure as exc:
            # Not built yet (a value field changed moments ago, a build that ran out of
            # time): the same answer from the planner's choice, one round trip later.
            if exc.code != _BAD_VALUE or "hint" not in str(exc):
                raise
    return leads().aggregate(pipeline, batchSize=batch_size)


_BAD_VALUE = 2
_STATUSES = [status.value for status in WorkItemStatus]


def _summary_rows(base: Doc) -> list[Doc]:
    """The board's totals rows from stage_totals for a filter on type, stage and status only:
    the counts and sums, and each stage's oldest entry per status (an index probe each)."""
    wanted = base.get("status")
    if isinstance(wanted, str):
        statuses = [wanted]
    elif isinstance(wanted, dict):  # {"$ne": "archived"}: every status but the one hidden
        statuses = [status for status in _STATUSES if status != wanted["$ne"]]
    else:
        statuses = list(_STATUSES)
    stage = base.get("current_stage")
    pipeline = facts_store.board_totals_rows(statuses, stage)
    for status in statuses:
        match: Doc = {"type": LEAD, "status": status}
        if stage is not None:
            match["current_stage"] = stage
        pipeline.append(
            {
                "$unionWith": {
                    "coll": leads().name,
                    "pipeline": [
                        {"$match": match},
                        {
                            "$sort": {
                                "type": 1,
                                "status": 1,
                                "current_stage": 1,
                                "stage_entered_at": 1,
                            }
                        },
                        {
                            "$group": {
                                "_id": "$current_stage",
                                "oldest_entered_at": {"$first": "$stage_entered_at"},
                            }
                        },
                        {"$set": {"row": "oldest"}},
                    ],
                }
            }
        )
    return pipeline


def kanban(
    *,
    lead_filter: LeadFilter,
    stage_uids: list[str],
    per_column: int,
    value_field: str | None,
    data_keys: list[str],
    after: dict[str, tuple[str, str]] | None = None,
    summaries: bool = False,
) -> tuple[dict[str, Doc], dict[str, list[BoardCard]]]:
    """Column totals (count, value sum, oldest entry) for every stage and the first
    `per_column` cards of each listed stage in rank order, in ONE aggregation.

    Totals come from one $group over the filtered leads (only the fields it sums are read;
    unfiltered, or by stage or status, from the keys of board_totals__<value field> alone);
    each column's cards come from its own $unionWith branch, an index walk of type_stage_rank
    that stops after `per_column` cards, so no stage's leads are all loaded and empty stages
    simply have no rows.

    With `summaries` (the reader keeps them for the config's value field) a filter on stage
    and status alone reads its counts and sums from stage_totals instead (store/facts.py: a
    few documents whatever the number of leads) and each column's oldest entry from one index
    probe per status; the aggregation then runs on stage_totals, still one round trip.
    """
    base = _filter_query(lead_filter)
    value = f"$data.{value_field}" if value_field else 0
    # Stored values are not trusted to be amounts (an import, an older version): text, a
    # non-finite number or one beyond ±MAX_AMOUNT counts 0, so a sum stays finite. NaN sorts
    # below every number in MongoDB, so the lower bound refuses it too.
    amount = {
        "$cond": [
            {
                "$and": [
                    {"$isNumber": value},
                    {"$gte": [value, -MAX_AMOUNT]},
                    {"$lte": [value, MAX_AMOUNT]},
                ]
            },
            {"$toDouble": value},
            0,
        ]
    }
    covered = set(base) <= _BOARD_TOTALS_KEYS
    from_summaries = summaries and covered
    pipeline: list[Doc] = (
        _summary_rows(base)
        if from_summaries
        else [
            {"$match": base},
            {
                "$group": {
                    "_id": "$current_stage",
                    "count": {"$sum": 1},
                    "value_total": {"$sum": amount},
                    "oldest_entered_at": {"$min": "$stage_entered_at"},
                }
            },
            {"$set": {"row": "totals"}},
        ]
    )
    card = {**_card_projection(value_field, data_keys), "row": {"$literal": "card"}}
    for stage_uid in stage_uids:
        column: Doc = {**base, "current_stage": stage_uid}
        if after and stage_uid in after:
            rank, uid = after[stage_uid]
            column = {
                "$and": [
                    column,
                    {"$or": [{"rank": {"$gt": rank}}, {"rank": rank, "uid": {"$gt": uid}}]},
                ]
            }
        pipeline.append(
            {
                "$unionWith": {
                    "coll": leads().name,
                    "pipeline": [
                        {"$match": column},
                        {"$sort": {"rank": 1, "uid": 1}},
                        {"$limit": per_column},
                        {"$project": card},
                    ],
                }
            }
        )
    totals: dict[str, Doc] = {}
    cards: dict[str, list[BoardCard]] = {uid: [] for uid in stage_uids}
    batch_size = max(101, per_column * (len(stage_uids) + 1))
    if from_summaries:
        # index: _id (every totals document: stages x statuses); type_status_stage_entered
        # (DISTINCT_SCAN, one key per stage) for the oldest entries; type_stage_rank (each
        # card branch)
        rows: Iterator[Doc] = facts_store.stage_totals().aggregate(pipeline, batchSize=batch_size)
    else:
        # index: type_stage_rank (each branch); for the totals board_totals__<value field>
        # (covered, hinted), or the index of a filter on other fields (the planner's choice)
        rows = _totals_rows(
            pipeline, board_totals_index_name(value_field) if covered else None, batch_size
        )
    card_rows: list[Doc] = []
    oldest: dict[str, datetime] = {}
    for row in rows:
        kind = row.pop("row")
        if kind == "totals":
            totals[row.pop("_id")] = row
        elif kind == "oldest":
            stage, entered = row["_id"], row["oldest_entered_at"]
            if stage not in oldest or entered < oldest[stage]:
                oldest[stage] = entered
        else:
            card_rows.append(row)
    for stage, entered in oldest.items():
        if stage in totals:
            totals[stage]["oldest_entered_at"] = entered
    for board_card in readable_documents(BoardCard, card_rows):
        cards[board_card.current_stage].append(board_card)
    return totals, cards


def append_activity(*, uid: str, activity: Activity, stamp: WriteStamp) -> bool:
    """Log an activity; appending is safe without a version check."""
    # index: type_uid
    document = leads().find_one_and_update(
        {"type": LEAD, "uid": uid},
        {
            "$push": {"activities": to_value(activity)},
            "$inc": {"version": 1},
            "$set": {
                "updated_at": activity.created_at,
                "last_activity_at": activity.created_at,
                LAST_WRITE: stamp_text(stamp),
            },
        },
        projection={"_id": 0, **SPILL_PROJECTION},
        return_document=ReturnDocument.AFTER,
    )
    if document is None:
        return False
    activity_store.spill_if_full(uid, document)
    return True


def add_task(
    *, uid: str, task: TaskInstance, activity: Activity, stamp: WriteStamp
) -> LeadRecord | None:
    """Add a task to the lead's current stage (read inside the update, so it cannot be stale)."""
    stored = {**to_value(task), "stage": "$current_stage"}
    literal = {
        key: value if key == "stage" else {"$literal": value} for key, value in stored.items()
    }
    # index: type_uid
    document = leads().find_one_and_update(
        {"type": LEAD, "uid": uid},
        [
            {
                "$set": {
                    "tasks": {"$concatArrays": [{"$ifNull": ["$tasks", []]}, [literal]]},
                    "activities": {
                        "$concatArrays": [
                            {"$ifNull": ["$activities", []]},
                            [{"$literal": to_value(activity)}],
                        ]
                    },
                    "version": {"$add": ["$version", 1]},
                    "updated_at": activity.created_at,
                    "last_activity_at": activity.created_at,
                    "next_due_at": _earlier_due([task]),
                    LAST_WRITE: {"$literal": stamp_text(stamp)},
                }
            }
        ],
        projection=WRITTEN_PROJECTION,
        return_document=ReturnDocument.AFTER,
    )
    if document is not None:
        activity_store.spill_if_full(uid, document)
    return _record_from(document)


SEARCH_CANDIDATES = 50
_HIT_PROJECTION: Doc = {"_id": 0, **{name: 1 for name in LeadHit.model_fields}}


def search_hits(query: str) -> list[LeadHit]:
    """Up to SEARCH_CANDIDATES leads holding every term of `query`, newest first, and after
    them the leads whose email, phone or uid the whole query equals; in one round trip. A lead
    may come twice (the caller ranks and drops repeats)."""
    search = query_terms(query)
    if not search.terms:
        return []
    email, phone, uid = exact_keys(query)
    exact: list[Doc] = []
    if email is not None:
        exact.append({"email_key": email})
    if phone is not None:
        exact.append({"phone_key": phone})
    if uid is not None:
        exact.append({"uid": uid})
    pipeline: list[Doc] = [
        {"$match": {"type": LEAD, **search_match(search)}},
        {"$sort": {"created_at": -1, "uid": -1}},
        {"$limit": SEARCH_CANDIDATES},
        {"$project": _HIT_PROJECTION},
    ]
    if exact:
        exact_branch = [
            {"$match": {"type": LEAD, "$or": exact}},
            {"$limit": 10},
            {"$project": _HIT_PROJECTION},
        ]
        pipeline.append({"$unionWith": {"coll": leads().name, "pipeline": exact_branch}})
    # index: type_search_created (hinted: a term's leads newest first, stopping after the
    # candidates; when every lead holds the term, type_created_uid would tie, never win);
    # type_email_key / type_phone_key / type_uid for the arms of the exact branch's $or
    rows = leads().aggregate(pipeline, batchSize=SEARCH_CANDIDATES + 20, hint="type_search_created")
    return readable_documents(LeadHit, rows)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _fill_missing(query: Doc, projection: Doc, derived: Callable[[Doc], Doc], batch: int) -> int:
    """$set `derived(document)` on every lead `query` finds, in bulk writes of `batch`; returns
    how many changed. What leads written by an older version lack, filled in at start-up."""
    filled = 0
    updates: list[UpdateOne] = []
    for document in leads().find(query, {"_id": 1, **projection}, batch_size=batch):
        updates.append(UpdateOne({"_id": document["_id"]}, {"$set": derived(document)}))
        if len(updates) == batch:
            filled += leads().bulk_write(updates, ordered=False).modified_count
            updates = []
    if updates:
        filled += leads().bulk_write(updates, ordered=False).modified_count
    return filled


def fill_missing_search_terms(batch_size: int = 1000) -> int:
    """Give leads stored without search terms, or with terms of an older definition
    (SEARCH_TERMS_VERSION), the current ones; returns how many were written. Idempotent, and
    cheap once done: lookups of a missing array and of older versions on their indexes."""

    def terms(document: Doc) -> Doc:
        return {
            "search_terms": search_terms(
                uid=str(document.get("uid", "")),
                name=_text(document.get("name")) or "",
                company=_text(document.get("company")),
                email=_text(document.get("email")),
                phone=_text(document.get("phone")),
            ),
            "search_terms_v": SEARCH_TERMS_VERSION,
        }

    # index: type_search_created for the missing array (indexed as null), type_search_version
    # for the older definitions (a missing version, from before versions, is indexed as null)
    return _fill_missing(
        {
            "type": LEAD,
            "$or": [
                {"search_terms": {"$exists": False}},
                {"search_terms_v": {"$exists": False}},
                {"search_terms_v": {"$lt": SEARCH_TERMS_VERSION}},
            ],
        },
        {"uid": 1, "name": 1, "company": 1, "email": 1, "phone": 1},
        terms,
        batch_size,
    )


def fill_missing_contact_keys(batch_size: int = 1000) -> int:
    """Give leads stored before contact keys existed their `email_key`/`phone_key`; returns how
    many were written. Idempotent, and cheap once done: a lookup of missing keys on the indexes."""

    def keys_of(key_name: str, value_name: str, derive: Callable[[str], str | None]) -> int:
        def derived(document: Doc) -> Doc:
            return {key_name: derive(document[value_name])}

        # index: type_email_key / type_phone_key (a missing key is indexed as null)
        return _fill_missing(
            {"type": LEAD, key_name: {"$exists": False}, value_name: {"$type": "string"}},
            {value_name: 1},
            derived,
            batch_size,
        )

    return keys_of("email_key", "email", email_key) + keys_of("phone_key", "phone", phone_key)


def write_lead_changes(changes: list[tuple[str, int, LeadChange]]) -> set[str]:
    """Apply each (uid, version read, change) in ONE bulk write of conditional updates, each
    `write_lead`'s pipeline (an import updates thousands of leads); returns the uids that
    changed meanwhile, which were not written.

    No write here moves a full lead's oldest activities into a page (activities.spill_if_full
    reads the written document, which a bulk write does not return): an import adds one
    activity per lead, and the lead's next single write spills it."""
    if not changes:
        return set()
    # Tells our writes from another writer's that took a lead to the same version first.
    write_id = uuid.uuid4().hex
    requests = [
        UpdateOne(
            {"type": LEAD, "uid": uid, "version": version}, _change_pipeline(change, write_id)
        )
        for uid, version, change in changes
    ]
    # index: type_uid
    result = leads().bulk_write(requests, ordered=False)
    if result.matched_count == len(requests):
        return set()
    expected = {uid: version + 1 for uid, version, _ in changes}
    # index: type_uid
    cursor = leads().find(
        {"type": LEAD, "uid": {"$in": list(expected)}},
        {"_id": 0, "uid": 1, "version": 1, "write_id": 1},
    )
    # A lead another write changed first is not at the version ours would give it, or is at it
    # through their write. (One changed by us AND someone after us looks the same: its retry
    # then finds nothing to change.)
    written = {
        doc["uid"]
        for doc in cursor
        if doc.get("version") == expected[doc["uid"]] and doc.get("write_id") == write_id
    }
    return set(expected) - written


@dataclass(frozen=True)
class LeadsContext:
    """Leads (without their activities) with the workflow that decides changes of them."""

    records: dict[str, LeadRecord]
    config: WorkItemConfig | None
    stages: list[WorkStage]


def get_leads_with_workflow(uids: list[str]) -> LeadsContext:
    """The leads of `uids` that exist, the config and every stage, in one round trip (more
    only when the leads fill several 16 MB batches). A bulk change decides on these: no
    decision reads the timeline, so it stays on the server."""
    pipeline: list[Doc] = [
        {
            "$match": {
                "$or": [
                    {"type": LEAD, "uid": {"$in": uids}},
                    {"type": CONFIG, "uid": CONFIG_UID},
                    {"type": STAGE},
                ]
            }
        },
        {"$unset": ["_id", "activities"]},
    ]
    records: dict[str, LeadRecord] = {}
    config: WorkItemConfig | None = None
    stages: list[WorkStage] = []
    # index: type_uid (each branch of the $or)
    for document in leads().aggregate(pipeline, batchSize=len(uids) + 200):
        if document["type"] == CONFIG:
            config = from_document(WorkItemConfig, document)
        elif document["type"] == STAGE:
            stages.append(WorkStage.model_validate(document))
        else:
            record = _record_from(document)
            assert record is not None
            records[record.lead.uid] = record
    stages.sort(key=lambda stage: (stage.order, stage.uid))
    return LeadsContext(records=records, config=config, stages=stages)


def lead_versions(uids: list[str]) -> dict[str, int]:
    """uid -> version of the leads of `uids` that exist."""
    # index: type_uid
    cursor = (
        leads()
        .find({"type": LEAD, "uid": {"$in": uids}}, {"_id": 0, "uid": 1, "version": 1})
        .batch_size(len(uids) + 1)
    )
    return {document["uid"]: int(document["version"]) for document in cursor}


def delete_leads(targets: list[tuple[str, int | None]], stamp: WriteStamp) -> set[str]:
    """Delete each (uid, version it must still have, or None: any) and the activity pages of
    those deleted, in one transaction of a few round trips however many; returns the uids
    deleted. Each is stamped with `stamp` (under its own uid) first: a deletion's change event
    names no uid."""
    uids = [uid for uid, _ in targets]
    filters = [
        {"type": LEAD, "uid": uid, **({} if version is None else {"version": version})}
        for uid, version in targets
    ]
    stamped = [{"$set": {LAST_WRITE: stamp_expression(stamp)}}]

    def delete(session: Session) -> set[str]:
        # index: type_uid
        leads().bulk_write(
            [UpdateOne(query, stamped) for query in filters], ordered=False, session=session
        )
        # index: type_uid
        result = leads().bulk_write(
            [DeleteOne(query) for query in filters], ordered=False, session=session
        )
        deleted = set(uids)
        if result.deleted_count != len(filters):
            # index: type_uid
            remaining = leads().find(
                {"type": LEAD, "uid": {"$in": uids}}, {"_id": 0, "uid": 1}, session=session
            )
            deleted -= {document["uid"] for document in remaining}
        if deleted:
            activity_store.delete_pages_of(sorted(deleted), session)
        return deleted

    return in_transaction(delete)
