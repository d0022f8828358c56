"""The summaries the change-stream reader keeps: one fact per lead (`lead_facts`, domain/facts.py),
the count and value sum per stage and status (`stage_totals`) and the reports' daily rows
(`report_rollups`, domain/report_rollups.py), both always the sum of the facts; and the
`summaries` state that says what they were built for.

Only the reader (or a rebuild holding its lease) writes them; the board reads the totals."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from bson.decimal128 import Decimal128
from pymongo import DeleteOne, ReplaceOne, UpdateOne
from pymongo.collection import Collection

from leads.domain.facts import SOURCE_FIELDS, TotalsChange, totals_difference, totals_key
from leads.domain.models import WorkItemConfig, WorkStage
from leads.domain.report_rollups import (
    LENGTH_KINDS,
    Contribution,
    RollupChange,
    lead_rollups,
    merged_changes,
    rollups_difference,
)
from leads.domain.reports import LOGGED_ACTIVITY_TYPES

from .connection import Doc, Session, database, deadline, in_transaction, leads
from .documents import CONFIG, LEAD, STAGE, from_document
from .events import EVENT_READER, READER_ROLE

LEAD_FACTS = "lead_facts"
STAGE_TOTALS = "stage_totals"
REPORT_ROLLUPS = "report_rollups"
SUMMARIES = "summaries"
SUMMARIES_STATE = "board"
_STATE = SUMMARIES_STATE

# A rebuild reads every lead: far beyond a request's deadline at a million leads.
REBUILD_SECONDS = 3600
REBUILD_BATCH = 1000

FactOf = Callable[[Doc], Doc]

# The reader's reads of leads name their index: a value-field change swaps the board's totals
# index (store/indexes.py), and a query the planner was trying it for is killed
# (QueryPlanKilled) when it is dropped, which would stop the reader's batch or rebuild.
_NEVER_SWAPPED = "type_uid"


def lead_facts() -> Collection[Doc]:
    return database()[LEAD_FACTS]


def stage_totals() -> Collection[Doc]:
    return database()[STAGE_TOTALS]


def report_rollups() -> Collection[Doc]:
    return database()[REPORT_ROLLUPS]


def summaries() -> Collection[Doc]:
    return database()[SUMMARIES]


def _stage_visits() -> Doc:
    history = {"$cond": [{"$isArray": "$history"}, "$history", []]}
    return {
        "$filter": {
            "input": history,
            "as": "entry",
            "cond": {"$eq": ["$$entry.kind", "stage_visit"]},
        }
    }


def _counted_activities() -> Doc:
    """Of the activities, those the activity report counts (a seller's, or a task completed),
    with what it reads of them: the rest never leaves the server."""
    activities = {"$cond": [{"$isArray": "$activities"}, "$activities", []]}
    counted = {
        "$or": [
            {"$in": ["$$activity.type", list(LOGGED_ACTIVITY_TYPES)]},
            {
                "$and": [
                    {"$eq": ["$$activity.type", "task"]},
                    {"$eq": ["$$activity.details.event", "completed"]},
                ]
            },
        ]
    }
    return {
        "$map": {
            "input": {"$filter": {"input": activities, "as": "activity", "cond": counted}},
            "as": "activity",
            "in": {
                "type": "$$activity.type",
                "actor": "$$activity.actor",
                "created_at": "$$activity.created_at",
                "details": {"event": "$$activity.details.event"},
            },
        }
    }


# What a fact is made of, and no more: never the tasks or field changes, nor the activities
# the reports do not count.
_SOURCE_PROJECTION: Doc = {
    "_id": 0,
    **{name: 1 for name in SOURCE_FIELDS},
    "history": {
        "$map": {
            "input": _stage_visits(),
            "as": "visit",
            "in": {
                "kind": "$$visit.kind",
                "stage": "$$visit.stage",
                "name": "$$visit.name",
                "entered_at": "$$visit.entered_at",
                "exited_at": "$$visit.exited_at",
            },
        }
    },
    "activities": _counted_activities(),
}


def _decimal(value: Decimal) -> Decimal128:
    return Decimal128(value)


def _totals_updates(changes: Iterable[TotalsChange]) -> list[UpdateOne]:
    return [
        UpdateOne(
            {"_id": totals_key(change.stage, change.status)},
            {
                "$setOnInsert": {"stage": change.stage, "status": change.status},
                "$inc": {"count": change.count, "value_sum": _decimal(change.value)},
            },
            upsert=True,
        )
        for change in changes
    ]


def _stored(value: Any) -> Any:
    return _decimal(value) if isinstance(value, Decimal) else value


def _rollup_update(change: RollupChange) -> UpdateOne:
    """The write that adds `change` to its row (created when missing). A row that keeps
    lengths takes out one of each removed length and adds the new ones, kept sorted; a pipeline
    update, as no update operator removes one of several equal values."""
    if change.key["k"] not in LENGTH_KINDS:
        update: Doc = {
            "$setOnInsert": change.key,
            "$inc": {"n": change.count, "value": _decimal(change.value)},
        }
        if change.latest is not None:
            update["$max"] = {"latest": change.latest}
        return UpdateOne({"_id": change.row_id}, update, upsert=True)
    # One of each removed length taken out, in ONE expression over the list: nesting an
    # expression per removed length doubled the command's size with each (a batch of moves made
    # a 26 MB update, refused).
    taken_out = {
        "$let": {
            "vars": {"at": {"$indexOfArray": ["$$value", "$$this"]}},
            "in": {
                "$cond": [
                    {"$lt": ["$$at", 0]},
                    "$$value",
                    {
                        "$concatArrays": [
                            {"$slice": ["$$value", "$$at"]},
                            {
                                "$slice": [
                                    "$$value",
                                    {"$add": ["$$at", 1]},
                                    {"$max": [1, {"$size": "$$value"}]},
                                ]
                            },
                        ]
                    },
                ]
            },
        }
    }
    kept: Doc = {
        "$reduce": {
            "input": {"$literal": change.removed},
            "initialValue": {"$ifNull": ["$lengths", []]},
            "in": taken_out,
        }
    }
    fields: Doc = {name: {"$literal": value} for name, value in change.key.items()}
    latest: Doc = {"$ifNull": ["$latest", None]}
    if change.latest is not None:
        latest = {"$max": [latest, {"$literal": change.latest}]}
    return UpdateOne(
        {"_id": change.row_id},
        [
            {
                "$set": {
                    **fields,
                    "n": {"$add": [{"$ifNull": ["$n", 0]}, change.count]},
                    "lengths": {
                        "$sortArray": {
                            "input": {"$concatArrays": [kept, {"$literal": change.added}]},
                            "sortBy": 1,
                        }
                    },
                    "latest": latest,
                }
            }
        ],
        upsert=True,
    )


def _rollup_document(row_id: str, total: Contribution) -> Doc:
    document: Doc = {
        "_id": row_id,
        **{name: _stored(value) for name, value in total.key.items()},
        "n": total.count,
        "latest": total.latest,
    }
    if total.key["k"] in LENGTH_KINDS:
        document["lengths"] = sorted(total.lengths)
    else:
        document["value"] = _decimal(total.value)
    return document


def apply_lead_facts(uids: list[str], fact_of: FactOf, session: Session | None = None) -> int:
    """Make the facts of `uids` those of the leads as they are now (removing those of leads
    gone) and add the difference to the totals and the report rollups, in ONE transaction: a
    change applied again adds nothing, and two readers applying the same lead conflict (one
    retries on the other's result). Returns how many totals documents changed."""
    if not uids:
        return 0

    def apply(session: Session) -> int:
        # index: type_uid
        current = {
            document["uid"]: fact_of(document)
            for document in leads().aggregate(
                [
                    {"$match": {"type": LEAD, "uid": {"$in": uids}}},
                    {"$project": _SOURCE_PROJECTION},
                ],
                session=session,
                batchSize=len(uids) + 1,
                hint=_NEVER_SWAPPED,
            )
        }
        # index: _id
        before = {
            fact["_id"]: fact
            for fact in lead_facts()
            .find({"_id": {"$in": uids}}, session=session)
            .batch_size(len(uids) + 1)
        }
        writes: list[ReplaceOne[Doc] | DeleteOne] = []
        changes: list[TotalsChange] = []
        rollup_changes: list[RollupChange] = []
        for uid in uids:
            old, new = before.get(uid), current.get(uid)
            if new is not None and new != old:
                writes.append(ReplaceOne({"_id": uid}, new, upsert=True))
            elif new is None and old is not None:
                writes.append(DeleteOne({"_id": uid}))
            changes += totals_difference(old, new)
            if new != old:
                rollup_changes += rollups_difference(old, new)
        if writes:
            # index: _id
            lead_facts().bulk_write(writes, ordered=False, session=session)
        totals = _totals_updates(_merged(changes))
        if totals:
            # index: _id
            stage_totals().bulk_write(totals, ordered=False, session=session)
        rollups = [_rollup_update(change) for change in merged_changes(rollup_changes)]
        if rollups:
            # index: _id
            report_rollups().bulk_write(rollups, ordered=False, session=session)
        return len(totals)

    return in_transaction(apply, session)


def _merged(changes: list[TotalsChange]) -> list[TotalsChange]:
    """One change per totals document (several leads of a batch moving between the same two
    stages make one $inc each way)."""
    merged: dict[tuple[str | None, str], tuple[int, Decimal]] = {}
    for change in changes:
        count, value = merged.get((change.stage, change.status), (0, Decimal(0)))
        merged[(change.stage, change.status)] = (count + change.count, value + change.value)
    return [
        TotalsChange(stage=stage, status=status, count=count, value=value)
        for (stage, status), (count, value) in merged.items()
        if count != 0 or value != 0
    ]


@dataclass(frozen=True)
class SummariesState:
    built_at: datetime | None
    value_field: str | None
    close_field: str | None
    definition: int | None
    # the funnel's steps the facts' visits are counted by (domain/report_facts.py)
    funnel: list[str] | None = None


def summaries_state() -> SummariesState | None:
    """What the summaries were last built for; None when they never were, or a rebuild is
    under way (or was asked for)."""
    # index: _id
    state = summaries().find_one({"_id": _STATE})
    return _state_of(state)


def _state_of(state: Doc | None) -> SummariesState | None:
    if state is None or state.get("built_at") is None:
        return None
    return SummariesState(
        built_at=state["built_at"],
        value_field=state.get("value_field"),
        close_field=state.get("close_field"),
        definition=state.get("definition"),
        funnel=state.get("funnel"),
    )


def forget_summaries() -> None:
    """Say the summaries are not to be trusted (a rebuild starts, or is asked for): the board
    falls back to counting the leads until the next rebuild completes."""
    # index: _id
    summaries().update_one({"_id": _STATE}, {"$set": {"built_at": None}}, upsert=True)


def rebuild(
    *,
    fact_of: FactOf,
    config: WorkItemConfig | None,
    funnel: list[str],
    definition: int,
    built_at: datetime,
    heartbeat: Callable[[], None],
) -> int:
    """Build every fact from the leads as they are (streamed, written in bulk), then the totals
    as a $group over the facts, and mark them built. The caller holds the reader's lease, so no
    change is applied meanwhile; the changes that happen during the rebuild are applied by the
    reader afterwards (idempotently). Returns how many facts were built."""
    forget_summaries()
    built = 0
    with deadline(REBUILD_SECONDS):
        # index: none (every fact goes)
        lead_facts().delete_many({})
        # index: type_uid (every lead)
        cursor = leads().aggregate(
            [{"$match": {"type": LEAD}}, {"$project": _SOURCE_PROJECTION}],
            batchSize=REBUILD_BATCH,
            hint=_NEVER_SWAPPED,
        )
        batch: list[Doc] = []
        rollups: dict[str, Contribution] = {}
        for document in cursor:
            fact = fact_of(document)
            batch.append(fact)
            for row, contribution in lead_rollups(fact).items():
                if row in rollups:
                    rollups[row].add(contribution)
                else:
                    rollups[row] = contribution
            if len(batch) == REBUILD_BATCH:
                built += _insert_facts(batch)
                batch = []
                heartbeat()
        built += _insert_facts(batch)
        # index: none (every row goes)
        report_rollups().delete_many({})
        documents = [_rollup_document(row, total) for row, total in rollups.items()]
        for start in range(0, len(documents), REBUILD_BATCH):
            report_rollups().insert_many(documents[start : start + REBUILD_BATCH], ordered=False)
        # index: none (every fact, once per rebuild)
        lead_facts().aggregate(
            [
                {
                    "$group": {
                        "_id": {"$concat": [{"$ifNull": ["$stage", ""]}, ":", "$status"]},
                        "stage": {"$first": "$stage"},
                        "status": {"$first": "$status"},
                        "count": {"$sum": 1},
                        "value_sum": {"$sum": {"$toDecimal": {"$ifNull": ["$value", 0]}}},
                    }
                },
                {"$out": STAGE_TOTALS},
            ]
        )
    # index: _id
    summaries().replace_one(
        {"_id": _STATE},
        {
            "built_at": built_at,
            "value_field": config.value_field if config is not None else None,
            "close_field": config.forecast_date_field if config is not None else None,
            "definition": definition,
            "funnel": funnel,
            "facts": built,
        },
        upsert=True,
    )
    return built


def _insert_facts(batch: list[Doc]) -> int:
    if not batch:
        return 0
    # Upserts: a lead the stream applied while the batch was read is written once.
    # index: _id
    lead_facts().bulk_write(
        [ReplaceOne({"_id": fact["_id"]}, fact, upsert=True) for fact in batch], ordered=False
    )
    return len(batch)


def all_facts() -> list[Doc]:
    """Every fact (tests and checks; a report reads them through its own query)."""
    # index: _id
    return list(lead_facts().find({}).sort("_id", 1))


def count_facts() -> int:
    # index: _id
    return lead_facts().count_documents({})


def all_rollups() -> dict[str, Doc]:
    """Every report rollup row with something counted, by `_id` (tests and checks)."""
    # index: _id
    return {document["_id"]: document for document in report_rollups().find({"n": {"$ne": 0}})}


def all_totals() -> dict[str, Doc]:
    """Every totals document by `_id`, value sums as decimals."""
    # index: _id
    return {
        document["_id"]: {**document, "value_sum": document["value_sum"].to_decimal()}
        for document in stage_totals().find({})
    }


@dataclass(frozen=True)
class BoardContext:
    """What the board decides on: the workflow, and whether the summaries can serve it."""

    config: WorkItemConfig | None
    stages: list[WorkStage]
    summaries: SummariesState | None
    reader_lease_until: datetime | None


def board_context() -> BoardContext:
    """The config, every stage, the summaries' state and the reader's lease, in one round
    trip."""
    pipeline: list[Doc] = [
        {"$match": {"type": {"$in": [CONFIG, STAGE]}}},
        {"$unset": "_id"},
        {
            "$unionWith": {
                "coll": SUMMARIES,
                "pipeline": [{"$match": {"_id": _STATE}}, {"$set": {"type": SUMMARIES}}],
            }
        },
        {
            "$unionWith": {
                "coll": EVENT_READER,
                "pipeline": [
                    {"$match": {"_id": READER_ROLE}},
                    {"$project": {"_id": 0, "type": EVENT_READER, "lease_until": 1}},
                ],
            }
        },
    ]
    config: WorkItemConfig | None = None
    stages: list[WorkStage] = []
    state: SummariesState | None = None
    lease_until: datetime | None = None
    # index: type_uid (type $in, then every stage); _id for the state and the lease
    for document in leads().aggregate(pipeline):
        kind = document.get("type")
        if kind == CONFIG:
            config = from_document(WorkItemConfig, document)
        elif kind == STAGE:
            stages.append(WorkStage.model_validate(document))
        elif kind == SUMMARIES:
            state = _state_of(document)
        elif kind == EVENT_READER:
            lease_until = document.get("lease_until")
    stages.sort(key=lambda stage: (stage.order, stage.uid))
    return BoardContext(
        config=config, stages=stages, summaries=state, reader_lease_until=lease_until
    )


def board_totals_rows(statuses: list[str], stage: str | None = None) -> list[Doc]:
    """The start of the board's aggregation on stage_totals: each stage's count and value
    total over `statuses` (only `stage`'s when given), as rows `_id` the stage."""
    match: Doc = {"status": {"$in": statuses}}
    if stage is not None:
        match["stage"] = stage
    return [
        {"$match": match},
        {
            "$group": {
                "_id": "$stage",
                "count": {"$sum": "$count"},
                "value_total": {"$sum": "$value_sum"},
            }
        },
        {"$set": {"value_total": {"$toDouble": "$value_total"}, "row": "totals"}},
    ]


def fact_sources(uids: list[str]) -> list[Doc]:
    """The stored leads of `uids` as a fact is made from them (tests and checks)."""
    # index: type_uid
    return list(
        leads().aggregate(
            [{"$match": {"type": LEAD, "uid": {"$in": uids}}}, {"$project": _SOURCE_PROJECTION}]
        )
    )


def all_fact_sources() -> list[Doc]:
    """Every stored lead as a fact is made from it (tests and checks)."""
    # index: type_uid (every lead)
    return list(leads().aggregate([{"$match": {"type": LEAD}}, {"$project": _SOURCE_PROJECTION}]))
