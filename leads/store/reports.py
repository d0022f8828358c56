"""Pipeline reports: each ONE aggregation, one round trip.

The aggregation starts from the workflow (the config and the stages, by type_uid), then runs the
report over the matching leads inside a `$lookup` whose `let` hands it the value field, the
forecast date field and the stages in pipeline order: what a report needs of the workflow is
read in the same round trip as the leads. Each lead pipeline begins with a `$match` that an
index serves where a filter allows (named at each one); what no index can narrow (a value
field, an expected-close date) is read from the documents the index found.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as time_of_day
from typing import Any, TypeVar

from pydantic import BaseModel

from leads.domain.enums import WorkItemStatus
from leads.domain.facts import FACTS_VERSION
from leads.domain.fields import MAX_AMOUNT
from leads.domain.models import WorkItemConfig, WorkStage
from leads.domain.report_facts import TASK_COMPLETED
from leads.domain.report_rollups import (
    ACTIVITY,
    FUNNEL,
    LOST,
    OPEN_VALUE,
    OUTCOMES,
    VISIT_DAYS,
    WAITS,
    later_name,
)
from leads.domain.reports import (
    LOGGED_ACTIVITY_TYPES,
    ActivityCount,
    ActivityGroup,
    ForecastCount,
    FunnelCount,
    LostCount,
    OutcomeCount,
    ReportFilter,
    VisitTimes,
    WinRateGroup,
    Workflow,
)

from .connection import Doc, leads, users
from .documents import CONFIG, LEAD, STAGE, from_documents
from .events import EVENT_READER, READER_ROLE
from .facts import LEAD_FACTS, REPORT_ROLLUPS, SUMMARIES, SUMMARIES_STATE

Row = TypeVar("Row", bound=BaseModel)

DAY_MS = 86_400_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# --- building blocks ---------------------------------------------------------------------------


def _lead_match(report_filter: ReportFilter) -> Doc:
    query: Doc = {"type": LEAD}
    if report_filter.assigned_to is not None:
        query["assigned_to"] = report_filter.assigned_to
    if report_filter.source is not None:
        query["source"] = report_filter.source
    if report_filter.tag is not None:
        query["tags"] = report_filter.tag
    return query


def _fact_match(report_filter: ReportFilter) -> Doc:
    """The filters on lead_facts. No `status` here: the lookup keys the facts' side by it.
    A filter by seller, source or tag (the reports the rollups do not count) reads that
    fraction of the facts: index facts_status_assignee, facts_status_source or facts_status_tag
    (the planner picks it over the period's index when it finds fewer facts)."""
    query = _lead_match(report_filter)
    del query["type"]
    return query


def _period(report_filter: ReportFilter) -> Doc | None:
    """The period as a query condition on a date field; None when it is unbounded."""
    bounds: Doc = {}
    if report_filter.start is not None:
        bounds["$gte"] = report_filter.start
    if report_filter.end is not None:
        bounds["$lt"] = report_filter.end
    return bounds or None


def _in_period(value: Any, report_filter: ReportFilter) -> Doc:
    """The period as an expression on `value`: a date in the period (any date when it is
    unbounded; a missing or null value never is)."""
    conditions: list[Doc] = [{"$eq": [{"$type": value}, "date"]}]
    if report_filter.start is not None:
        conditions.append({"$gte": [value, report_filter.start]})
    if report_filter.end is not None:
        conditions.append({"$lt": [value, report_filter.end]})
    return {"$and": conditions}


def _array(path: str) -> Doc:
    # Not $ifNull: a stored value that is not a list (bad data) must not fail the report.
    return {"$cond": [{"$isArray": path}, path, []]}


def _stage_visits() -> Doc:
    return {
        "$filter": {
            "input": _array("$history"),
            "as": "entry",
            "cond": {"$eq": ["$$entry.kind", "stage_visit"]},
        }
    }


def _data_value(field_var: str) -> Doc:
    """The lead's custom field named by the variable `field_var` (a field key chosen in the
    config, so not known when the pipeline is built)."""
    data = {"$cond": [{"$eq": [{"$type": "$data"}, "object"]}, "$data", {}]}
    found = {
        "$filter": {
            "input": {"$objectToArray": data},
            "as": "pair",
            "cond": {"$eq": ["$$pair.k", field_var]},
        }
    }
    return {"$let": {"vars": {"pair": {"$first": found}}, "in": "$$pair.v"}}


def _amount(value: Any) -> Doc:
    """A stored value as an amount: text, a non-finite number or one beyond ±MAX_AMOUNT counts
    0 (as on the board), so a sum stays finite. NaN sorts below every number in MongoDB, so the
    lower bound refuses it too."""
    return {
        "$let": {
            "vars": {"value": value},
            "in": {
                "$cond": [
                    {
                        "$and": [
                            {"$isNumber": "$$value"},
                            {"$gte": ["$$value", -MAX_AMOUNT]},
                            {"$lte": ["$$value", MAX_AMOUNT]},
                        ]
                    },
                    {"$toDouble": "$$value"},
                    0.0,
                ]
            },
        }
    }


def _lead_value() -> Doc:
    return _amount(_data_value("$$value_field"))


def _latest_name() -> Doc:
    """Per group: the stage name the latest named visit recorded (null when none did)."""
    return {
        "$top": {
            "sortBy": {"named": -1, "entered_at": -1},
            "output": "$name",
        }
    }


def _percentile(array: str, fraction: float) -> Doc:
    """The `fraction` percentile of a sorted, non-empty array, interpolated linearly between
    the two nearest ranks."""
    position = {"$multiply": [{"$subtract": [{"$size": array}, 1]}, fraction]}
    low = {"$arrayElemAt": [array, {"$toInt": {"$floor": "$$position"}}]}
    high = {"$arrayElemAt": [array, {"$toInt": {"$ceil": "$$position"}}]}
    return {
        "$let": {
            "vars": {"position": position},
            "in": {
                "$add": [
                    low,
                    {
                        "$multiply": [
                            {"$subtract": [high, low]},
                            {"$subtract": ["$$position", {"$floor": "$$position"}]},
                        ]
                    },
                ]
            },
        }
    }


def _with_user_names(key: str = "_id") -> list[Doc]:
    """Stages that add `label`, the display name (else username) of the user whose uid is
    `key`, from the users collection."""
    return [
        {
            "$lookup": {
                # index: users uid_unique
                "from": users().name,
                "localField": key,
                "foreignField": "uid",
                "as": "user",
            }
        },
        {
            "$set": {
                "label": {
                    "$let": {
                        "vars": {"user": {"$first": "$user"}},
                        "in": {
                            "$cond": [
                                {
                                    "$gt": [
                                        {"$strLenCP": {"$ifNull": ["$$user.display_name", ""]}},
                                        0,
                                    ]
                                },
                                "$$user.display_name",
                                "$$user.username",
                            ]
                        },
                    }
                }
            }
        },
        {"$unset": "user"},
    ]


def _usable() -> Doc:
    """Whether the summaries answer for the workflow just read (`config`, `funnel`): built for
    its value field, close-date field and funnel steps, and kept: a reader holds its lease (with
    no reader running, a write would never reach them). Evaluated in the report's aggregation,
    so choosing costs no round trip."""
    state = {"$first": "$summaries_state"}
    lease = {"$first": "$reader_lease"}
    return {
        "$let": {
            "vars": {"state": state, "lease": lease},
            "in": {
                "$and": [
                    {"$eq": [{"$type": "$$state.built_at"}, "date"]},
                    {"$eq": ["$$state.definition", FACTS_VERSION]},
                    {"$eq": ["$$state.value_field", {"$ifNull": ["$config.value_field", None]}]},
                    {
                        "$eq": [
                            "$$state.close_field",
                            {"$ifNull": ["$config.forecast_date_field", None]},
                        ]
                    },
                    {"$eq": ["$$state.funnel", "$funnel"]},
                    {"$ne": [{"$ifNull": ["$$lease.owner", None]}, None]},
                    {"$gt": ["$$lease.lease_until", "$$NOW"]},
                ]
            },
        }
    }


# What a lookup's key is when its side must read nothing: no document has it, so the index
# finds no key (a `$match` on a variable would scan the whole collection to find nothing).
_NOTHING = "\u0000none"
_FACT_STATUSES = [status.value for status in WorkItemStatus]


@dataclass(frozen=True)
class Summaries:
    """Where a report reads the summaries: `collection`, the field its lookup is keyed by and
    the values that find the report's documents there (so the index finds none when the leads
    are read instead), the pipeline over them, and how its rows become the report's (rows the
    aggregation cannot finish, e.g. percentiles MongoDB 6.0 has no operator for)."""

    collection: str
    key_field: str
    keys: list[str]
    pipeline: list[Doc]
    finish: Callable[[list[Doc]], list[Doc]] | None = None


def over_facts(pipeline: list[Doc]) -> Summaries:
    """A report over lead_facts: every fact, found by its status."""
    return Summaries(LEAD_FACTS, "status", _FACT_STATUSES, pipeline)


def over_rollups(
    kinds: list[str],
    pipeline: list[Doc],
    finish: Callable[[list[Doc]], list[Doc]] | None = None,
) -> Summaries:
    """A report over the report rollups of `kinds` (domain/report_rollups.py)."""
    return Summaries(REPORT_ROLLUPS, "k", kinds, pipeline, finish)


def report_pipeline(lead_pipeline: list[Doc], summaries: Summaries | list[Doc]) -> list[Doc]:
    """The aggregation (on `leads`) that reads the workflow, then runs the summaries' pipeline
    (a list: over lead_facts) when the summaries are usable, else `lead_pipeline` over the
    leads. Each side's lookup is keyed so that the side not chosen reads no document."""
    if isinstance(summaries, list):
        summaries = over_facts(summaries)

    def of_type(doc_type: str) -> Doc:
        return {
            "$filter": {
                "input": "$workflow",
                "as": "doc",
                "cond": {"$eq": ["$$doc.type", doc_type]},
            }
        }

    variables: Doc = {
        "value_field": {"$ifNull": ["$config.value_field", None]},
        "date_field": {"$ifNull": ["$config.forecast_date_field", None]},
        "stage_uids": "$stages.uid",
        "funnel_uids": "$funnel",
        "stage_kinds": "$stages.kind",
        "probabilities": "$stages.probability",
    }
    return [
        {"$match": {"type": {"$in": [CONFIG, STAGE]}}},
        {"$unset": "_id"},
        {"$sort": {"order": 1, "uid": 1}},
        {"$group": {"_id": None, "workflow": {"$push": "$$ROOT"}}},
        {"$set": {"config": {"$first": of_type(CONFIG)}, "stages": of_type(STAGE)}},
        {
            "$set": {
                # the funnel's steps: the open and won stages, in pipeline order
                "funnel": {
                    "$map": {
                        "input": {
                            "$filter": {
                                "input": "$stages",
                                "as": "stage",
                                "cond": {"$ne": ["$$stage.kind", "lost"]},
                            }
                        },
                        "as": "stage",
                        "in": "$$stage.uid",
                    }
                }
            }
        },
        {
            "$lookup": {
                # index: _id
                "from": SUMMARIES,
                "pipeline": [{"$match": {"_id": SUMMARIES_STATE}}],
                "as": "summaries_state",
            }
        },
        {
            "$lookup": {
                # index: _id
                "from": EVENT_READER,
                "pipeline": [{"$match": {"_id": READER_ROLE}}],
                "as": "reader_lease",
            }
        },
        {"$set": {"from_summaries": _usable()}},
        {
            "$set": {
                "lead_type": {"$cond": ["$from_summaries", _NOTHING, LEAD]},
                "summary_keys": {"$cond": ["$from_summaries", summaries.keys, [_NOTHING]]},
            }
        },
        {
            "$lookup": {
                # the leads' pipeline when the summaries are not usable (its `type` is
                # lead_type): the index its own $match names
                "from": leads().name,
                "localField": "lead_type",
                "foreignField": "type",
                "let": variables,
                "pipeline": lead_pipeline,
                "as": "lead_rows",
            }
        },
        {
            "$lookup": {
                # the summaries' pipeline when they are usable (its key field among
                # summary_keys): the index its own $match names
                "from": summaries.collection,
                "localField": "summary_keys",
                "foreignField": summaries.key_field,
                "let": variables,
                "pipeline": summaries.pipeline,
                "as": "summary_rows",
            }
        },
        {
            "$project": {
                "_id": 0,
                "config": 1,
                "stages": 1,
                "from_summaries": 1,
                "lead_rows": 1,
                "summary_rows": 1,
            }
        },
    ]


def _report(
    lead_pipeline: list[Doc], summaries: Summaries, row_model: type[Row]
) -> tuple[Workflow, list[Row]]:
    """The workflow and the rows the report makes, in ONE aggregation (report_pipeline)."""
    pipeline = report_pipeline(lead_pipeline, summaries)
    # index: type_uid (the config and the stages); the lookups name their own
    found = list(leads().aggregate(pipeline))
    if not found:
        return Workflow(config=None, stages=[]), []
    result = found[0]
    config = result.get("config")
    workflow = Workflow(
        config=WorkItemConfig.model_validate(config) if config else None,
        stages=from_documents(WorkStage, result.get("stages") or []),
        from_summaries=bool(result.get("from_summaries")),
    )
    rows = result["summary_rows"] if workflow.from_summaries else result["lead_rows"]
    if workflow.from_summaries and summaries.finish is not None:
        rows = summaries.finish(rows)
    return workflow, from_documents(row_model, rows)


# --- the reports -------------------------------------------------------------------------------


def funnel_pipeline(report_filter: ReportFilter) -> list[Doc]:
    match = _lead_match(report_filter)
    period = _period(report_filter)
    if period is not None:
        # index: type_visit_entered
        match["history"] = {"$elemMatch": {"entered_at": period}}
    # A visit's place in the funnel: its stage's position among the funnel's steps; -1 for
    # lost and deleted stages, which are no steps. History is in time order (append-only), so
    # a visit moved on when a visit after it in the array has a greater position.
    visit_at = {"$range": [0, {"$size": "$steps"}]}
    hit = {
        "stage": {"$arrayElemAt": ["$stages", "$$i"]},
        "step": {"$arrayElemAt": ["$steps", "$$i"]},
        "at": {"$arrayElemAt": ["$entered", "$$i"]},
        "later": {"$max": {"$slice": ["$steps", {"$add": ["$$i", 1]}, {"$size": "$steps"}]}},
    }
    counted = {"$and": [{"$gte": ["$$hit.step", 0]}, _in_period("$$hit.at", report_filter)]}
    hits = {
        "$filter": {
            "input": {"$map": {"input": visit_at, "as": "i", "in": hit}},
            "as": "hit",
            "cond": counted,
        }
    }
    moved = {
        "$filter": {"input": "$hits", "as": "hit", "cond": {"$gt": ["$$hit.later", "$$hit.step"]}}
    }
    return [
        {"$match": match},
        {"$project": {"_id": 0, "won": {"$eq": ["$status", "won"]}, "visits": _stage_visits()}},
        {
            "$project": {
                "won": 1,
                "stages": "$visits.stage",
                "entered": "$visits.entered_at",
                "steps": {
                    "$map": {
                        "input": "$visits.stage",
                        "as": "stage",
                        "in": {"$indexOfArray": ["$$funnel_uids", "$$stage"]},
                    }
                },
            }
        },
        {"$set": {"hits": hits}},
        *_funnel_tail(moved),
    ]


def _funnel_tail(moved: Doc) -> list[Doc]:
    """From each lead's `won` and `hits` (its counted visits, with `stage`) and the `moved` of
    them: the funnel's counts per stage."""
    return [
        {
            "$project": {
                "won": 1,
                # each stage once per lead, however often it was entered
                "entered": {"$setUnion": ["$hits.stage"]},
                "moved": {"$setUnion": [{"$map": {"input": moved, "in": "$$this.stage"}}]},
            }
        },
        {"$unwind": "$entered"},
        {
            "$group": {
                "_id": "$entered",
                "entered": {"$sum": 1},
                "moved_on": {"$sum": {"$cond": [{"$in": ["$entered", "$moved"]}, 1, 0]}},
                "won": {"$sum": {"$cond": ["$won", 1, 0]}},
            }
        },
        {"$project": {"_id": 0, "stage": "$_id", "entered": 1, "moved_on": 1, "won": 1}},
    ]


def funnel_fact_pipeline(report_filter: ReportFilter) -> list[Doc]:
    """The funnel over lead_facts: each visit's step and whether it moved on were worked out
    when the fact was written (domain/report_facts.py), so a lead costs one $filter."""
    match = _fact_match(report_filter)
    period = _period(report_filter)
    if period is not None:
        # index: facts_status_visit_entered
        match["visits"] = {"$elemMatch": {"entered_at": period}}
    # else index: facts_status_closed (every fact: the status range keyed by the lookup)
    counted = {
        "$and": [{"$gte": ["$$visit.step", 0]}, _in_period("$$visit.entered_at", report_filter)]
    }
    if period is None:
        # The whole history: the steps each lead entered are kept with its fact.
        return [
            {"$match": match},
            {"$unwind": "$funnel"},
            {
                "$group": {
                    "_id": "$funnel.stage",
                    "entered": {"$sum": 1},
                    "moved_on": {"$sum": {"$cond": ["$funnel.moved", 1, 0]}},
                    "won": {"$sum": {"$cond": [{"$eq": ["$status", "won"]}, 1, 0]}},
                }
            },
            {"$project": {"_id": 0, "stage": "$_id", "entered": 1, "moved_on": 1, "won": 1}},
        ]
    hits = {"$filter": {"input": _array("$visits"), "as": "visit", "cond": counted}}
    moved = {"$filter": {"input": "$hits", "cond": {"$eq": ["$$this.moved", True]}}}
    return [
        {"$match": match},
        {"$project": {"_id": 0, "won": {"$eq": ["$status", "won"]}, "hits": hits}},
        *_funnel_tail(moved),
    ]


def funnel_summaries(report_filter: ReportFilter) -> Summaries:
    return _chosen(
        report_filter,
        lambda: funnel_rollups(report_filter),
        lambda: funnel_fact_pipeline(report_filter),
    )


def funnel_counts(report_filter: ReportFilter) -> tuple[Workflow, list[FunnelCount]]:
    return _report(funnel_pipeline(report_filter), funnel_summaries(report_filter), FunnelCount)


def stage_times_pipeline(report_filter: ReportFilter, now: datetime) -> list[Doc]:
    match = _lead_match(report_filter)
    period = _period(report_filter)
    if period is not None:
        # index: type_status (open leads: their current visits) and type_visit_exited (visits
        # that ended in the period), one per branch of the $or
        match["$or"] = [
            {"status": "open"},
            {"history": {"$elemMatch": {"exited_at": period}}},
        ]
    # The visits counted, picked before unwinding: those that ended in the period, and the
    # open one of an open lead (where it waits now); a closed lead's open visit is no wait.
    exited = {"$eq": [{"$type": "$$visit.exited_at"}, "date"]}
    counted = {
        "$or": [
            {"$and": [{"$not": [exited]}, {"$eq": ["$status", "open"]}]},
            _in_period("$$visit.exited_at", report_filter),
        ]
    }
    visits = {
        "$filter": {
            "input": _array("$history"),
            "as": "visit",
            "cond": {"$and": [{"$eq": ["$$visit.kind", "stage_visit"]}, counted]},
        }
    }
    return [
        {"$match": match},
        {"$project": {"_id": 0, "visit": visits}},
        *_visit_times(now),
    ]


def _visit_times(now: datetime) -> list[Doc]:
    """From one document per lead with the `visit`s counted: the count, mean, median, p90 and
    longest days per stage, apart for the visits completed and those open now."""
    done = {"$eq": [{"$type": "$visit.exited_at"}, "date"]}
    return [
        {"$unwind": "$visit"},
        {
            "$project": {
                "stage": "$visit.stage",
                "name": "$visit.name",
                "named": {"$eq": [{"$type": "$visit.name"}, "string"]},
                "entered_at": "$visit.entered_at",
                "done": done,
                "days": {
                    "$divide": [
                        {
                            "$subtract": [
                                {"$cond": [done, "$visit.exited_at", {"$literal": now}]},
                                "$visit.entered_at",
                            ]
                        },
                        DAY_MS,
                    ]
                },
            }
        },
        {"$match": {"days": {"$type": "number"}}},
        {
            "$group": {
                "_id": {"stage": "$stage", "done": "$done"},
                "count": {"$sum": 1},
                "mean_days": {"$avg": "$days"},
                "max_days": {"$max": "$days"},
                "days": {"$push": "$days"},
                "recorded_name": _latest_name(),
            }
        },
        {"$set": {"days": {"$sortArray": {"input": "$days", "sortBy": 1}}}},
        {
            "$project": {
                "_id": 0,
                "stage": "$_id.stage",
                "done": "$_id.done",
                "recorded_name": 1,
                "count": 1,
                "mean_days": 1,
                "max_days": 1,
                "median_days": _percentile("$days", 0.5),
                "p90_days": _percentile("$days", 0.9),
            }
        },
    ]


def stage_times_fact_pipeline(report_filter: ReportFilter, now: datetime) -> list[Doc]:
    """Stage times over lead_facts: a completed visit carries its days, so each visit costs
    one step through the $group (mean and longest come from the sorted days per stage)."""
    match = _fact_match(report_filter)
    period = _period(report_filter)
    if period is not None:
        # index: facts_status_closed (open leads: their current visits) and
        # facts_status_visit_exited (visits that ended in the period), one per branch
        match["$or"] = [
            {"status": "open"},
            {"visits": {"$elemMatch": {"exited_at": period}}},
        ]
    # else index: facts_status_closed (every fact: the status range keyed by the lookup)
    done = {"$isNumber": "$$visit.days"}
    counted = {
        "$and": [
            {"$eq": [{"$type": "$$visit.entered_at"}, "date"]},
            {
                "$or": [
                    # where an open lead waits now; a closed lead's open visit is no wait
                    {"$and": [{"$not": [done]}, {"$eq": ["$status", "open"]}]},
                    {"$and": [done, _in_period("$$visit.exited_at", report_filter)]},
                ]
            },
        ]
    }
    visits = {"$filter": {"input": _array("$visits"), "as": "visit", "cond": counted}}
    days = {
        "$ifNull": [
            "$visit.days",
            {"$divide": [{"$subtract": [{"$literal": now}, "$visit.entered_at"]}, DAY_MS]},
        ]
    }
    named = {"$eq": [{"$type": "$visit.name"}, "string"]}
    return [
        {"$match": match},
        {"$project": {"_id": 0, "visit": visits}},
        {"$unwind": "$visit"},
        {
            "$group": {
                "_id": {"stage": "$visit.stage", "done": {"$isNumber": "$visit.days"}},
                "days": {"$push": days},
                # the name the latest named visit recorded: objects compare field by field
                "latest": {
                    "$max": {
                        "$cond": [named, {"at": "$visit.entered_at", "name": "$visit.name"}, None]
                    }
                },
            }
        },
        {"$set": {"days": {"$sortArray": {"input": "$days", "sortBy": 1}}}},
        {
            "$project": {
                "_id": 0,
                "stage": "$_id.stage",
                "done": "$_id.done",
                "recorded_name": "$latest.name",
                "count": {"$size": "$days"},
                "mean_days": {"$avg": "$days"},
                "max_days": {"$last": "$days"},
                "median_days": _percentile("$days", 0.5),
                "p90_days": _percentile("$days", 0.9),
            }
        },
    ]


def stage_times_summaries(report_filter: ReportFilter, now: datetime) -> Summaries:
    return _chosen(
        report_filter,
        lambda: stage_times_rollups(report_filter, now),
        lambda: stage_times_fact_pipeline(report_filter, now),
    )


def stage_times(report_filter: ReportFilter, now: datetime) -> tuple[Workflow, list[VisitTimes]]:
    return _report(
        stage_times_pipeline(report_filter, now),
        stage_times_summaries(report_filter, now),
        VisitTimes,
    )


@dataclass(frozen=True)
class _Side:
    """Where a report reads a lead's figures: the lead document or its fact (lead_facts)."""

    match: Callable[[ReportFilter], Doc]
    value: Callable[[], Doc]
    stage: str
    close_day: Callable[[], Doc]
    visits: Callable[[], Doc]


def _closed_match(
    report_filter: ReportFilter, statuses: Sequence[str], side: _Side | None = None
) -> Doc:
    match = (side or _LEADS).match(report_filter)
    match["status"] = {"$in": list(statuses)}
    period = _period(report_filter)
    if period is not None:
        match["closed_at"] = period
    return match


def win_rate_pipeline(
    report_filter: ReportFilter, group_by: WinRateGroup, side: _Side | None = None
) -> list[Doc]:
    side = side or _LEADS
    # index: type_status_closed (leads), facts_status_closed (facts)
    match = _closed_match(report_filter, ["won", "lost"], side)
    keys: dict[str, Any] = {
        "month": {"$dateToString": {"format": "%Y-%m", "date": "$closed_at"}},
        "assignee": "$assigned_to",
        "source": "$source",
    }
    pipeline: list[Doc] = [
        {"$match": match},
        {
            "$project": {
                "_id": 0,
                "won": {"$eq": ["$status", "won"]},
                "value": side.value(),
                "assigned_to": {
                    "$cond": [
                        {"$gt": [{"$size": _array("$assigned_to")}, 0]},
                        _array("$assigned_to"),
                        [None],
                    ]
                },
                "source": {"$ifNull": ["$source", None]},
                "closed_at": 1,
            }
        },
    ]
    if group_by == "assignee":
        pipeline.append({"$unwind": "$assigned_to"})
    pipeline += [
        {
            "$group": {
                "_id": keys[group_by],
                "won": {"$sum": {"$cond": ["$won", 1, 0]}},
                "lost": {"$sum": {"$cond": ["$won", 0, 1]}},
                "won_value": {"$sum": {"$cond": ["$won", "$value", 0]}},
                "lost_value": {"$sum": {"$cond": ["$won", 0, "$value"]}},
            }
        },
    ]
    if group_by == "assignee":
        pipeline += _with_user_names()
    pipeline.append({"$set": {"key": "$_id"}})
    pipeline.append({"$unset": "_id"})
    return pipeline


def win_rate_summaries(report_filter: ReportFilter, group_by: WinRateGroup) -> Summaries:
    return _chosen(
        report_filter,
        lambda: win_rate_rollups(report_filter, group_by),
        lambda: win_rate_pipeline(report_filter, group_by, FACTS),
        by_assignee_and_source=True,
    )


def win_rate(
    report_filter: ReportFilter, group_by: WinRateGroup
) -> tuple[Workflow, list[OutcomeCount]]:
    return _report(
        win_rate_pipeline(report_filter, group_by),
        win_rate_summaries(report_filter, group_by),
        OutcomeCount,
    )


def _close_day(value: Any) -> Doc:
    """The open lead's expected close date `value` as "YYYY-MM-DD" (from a date or a datetime
    field); null when it has none or what is stored is no date."""
    return {
        "$let": {
            "vars": {"value": value},
            "in": {
                "$switch": {
                    "branches": [
                        {
                            "case": {"$eq": [{"$type": "$$value"}, "date"]},
                            "then": {"$dateToString": {"format": "%Y-%m-%d", "date": "$$value"}},
                        },
                        {
                            "case": {
                                "$and": [
                                    {"$eq": [{"$type": "$$value"}, "string"]},
                                    {
                                        "$regexMatch": {
                                            "input": "$$value",
                                            "regex": r"^\d{4}-\d{2}-\d{2}",
                                        }
                                    },
                                ]
                            },
                            "then": {"$substrCP": ["$$value", 0, 10]},
                        },
                    ],
                    "default": None,
                }
            },
        }
    }


_LEADS = _Side(
    match=_lead_match,
    value=_lead_value,
    stage="$current_stage",
    close_day=lambda: _close_day(_data_value("$$date_field")),
    visits=_stage_visits,
)
# A fact holds the value and the close date as stored (domain/facts.py): the same rules apply.
FACTS = _Side(
    match=lambda report_filter: _fact_match(report_filter),
    value=lambda: _amount("$value"),
    stage="$stage",
    close_day=lambda: _close_day("$expected_close"),
    visits=lambda: _array("$visits"),
)


def forecast_pipeline(report_filter: ReportFilter, side: _Side | None = None) -> list[Doc]:
    side = side or _LEADS
    won = _closed_match(report_filter, ["won"], side)
    open_leads = side.match(report_filter)
    open_leads["status"] = "open"
    # index: type_status (open leads) and type_status_closed (won in the period), one per
    # branch; facts: facts_status_closed for both
    match: Doc = {"$or": [open_leads, won]}
    position = {"$indexOfArray": ["$$stage_uids", side.stage]}
    probability = {
        "$cond": [
            {"$gte": [position, 0]},
            {"$arrayElemAt": ["$$probabilities", position]},
            0,
        ]
    }
    day_bounds: list[Doc] = []
    if report_filter.start is not None:
        day_bounds.append({"$gte": ["$day", report_filter.start.strftime("%Y-%m-%d")]})
    if report_filter.end is not None:
        day_bounds.append({"$lt": ["$day", report_filter.end.strftime("%Y-%m-%d")]})
    open_in_period: Doc = {"$or": [{"$eq": ["$day", None]}, {"$and": day_bounds}]}
    return [
        {"$match": match},
        {
            "$project": {
                "_id": 0,
                "open": {"$eq": ["$status", "open"]},
                "value": side.value(),
                "probability": {"$ifNull": [probability, 0]},
                "day": {
                    "$cond": [
                        {"$eq": ["$status", "open"]},
                        side.close_day(),
                        {"$dateToString": {"format": "%Y-%m-%d", "date": "$closed_at"}},
                    ]
                },
            }
        },
        # Open leads whose expected close falls in the period, or that have none (a last row).
        *(
            [{"$match": {"$expr": {"$or": [{"$not": ["$open"]}, open_in_period]}}}]
            if day_bounds
            else []
        ),
        {
            "$group": {
                "_id": {"$cond": [{"$eq": ["$day", None]}, None, {"$substrCP": ["$day", 0, 7]}]},
                "open_count": {"$sum": {"$cond": ["$open", 1, 0]}},
                "open_value": {"$sum": {"$cond": ["$open", "$value", 0]}},
                "weighted_value": {
                    "$sum": {
                        "$cond": [
                            "$open",
                            {"$divide": [{"$multiply": ["$value", "$probability"]}, 100]},
                            0,
                        ]
                    }
                },
                "won_count": {"$sum": {"$cond": ["$open", 0, 1]}},
                "won_value": {"$sum": {"$cond": ["$open", 0, "$value"]}},
            }
        },
        {"$set": {"month": "$_id"}},
        {"$unset": "_id"},
    ]


def forecast_summaries(report_filter: ReportFilter) -> Summaries:
    return _chosen(
        report_filter,
        lambda: forecast_rollups(report_filter),
        lambda: forecast_pipeline(report_filter, FACTS),
    )


def forecast(report_filter: ReportFilter) -> tuple[Workflow, list[ForecastCount]]:
    return _report(
        forecast_pipeline(report_filter), forecast_summaries(report_filter), ForecastCount
    )


def lost_reasons_pipeline(report_filter: ReportFilter, side: _Side | None = None) -> list[Doc]:
    side = side or _LEADS
    # index: type_status_closed (leads), facts_status_closed (facts)
    match = _closed_match(report_filter, ["lost"], side)
    return [
        {"$match": match},
        {
            "$project": {
                "_id": 0,
                "reason": {"$ifNull": ["$lost_reason", None]},
                "value": side.value(),
                # the visit before the lost one: the stage the lead was lost from
                "from": {"$arrayElemAt": [side.visits(), -2]},
            }
        },
        {
            "$set": {
                "name": "$from.name",
                "named": {"$eq": [{"$type": "$from.name"}, "string"]},
                "entered_at": "$from.entered_at",
            }
        },
        {
            "$group": {
                "_id": {"reason": "$reason", "stage": {"$ifNull": ["$from.stage", None]}},
                "count": {"$sum": 1},
                "value": {"$sum": "$value"},
                "recorded_name": _latest_name(),
            }
        },
        {
            "$project": {
                "_id": 0,
                "reason": "$_id.reason",
                "stage": "$_id.stage",
                "count": 1,
                "value": 1,
                "recorded_name": 1,
            }
        },
    ]


def lost_reasons_summaries(report_filter: ReportFilter) -> Summaries:
    return _chosen(
        report_filter,
        lambda: lost_reasons_rollups(report_filter),
        lambda: lost_reasons_pipeline(report_filter, FACTS),
    )


def lost_reasons(report_filter: ReportFilter) -> tuple[Workflow, list[LostCount]]:
    return _report(
        lost_reasons_pipeline(report_filter), lost_reasons_summaries(report_filter), LostCount
    )


def _activity_stream(report_filter: ReportFilter) -> list[Doc]:
    """THE one place that reads activities for reports: one document per activity a seller
    logged or task completion in the period, as {activity: the stored activity}.

    Reads each lead's embedded `activities` only. When old activities move to overflow
    documents (`type: "activity_page"`), those join here, e.g. a `$unionWith` of the pages of
    the matched leads unwound the same way; nothing after this stream changes."""
    match = _lead_match(report_filter)
    if report_filter.start is not None:
        # A lead's latest activity is its last_activity_at: one before the period has no
        # activity in it. index: type_last_activity
        match["last_activity_at"] = {"$gte": report_filter.start}
    counted = {
        "$and": [
            _in_period("$$activity.created_at", report_filter),
            {
                "$or": [
                    {"$in": ["$$activity.type", list(LOGGED_ACTIVITY_TYPES)]},
                    {
                        "$and": [
                            {"$eq": ["$$activity.type", "task"]},
                            {"$eq": ["$$activity.details.event", "completed"]},
                        ]
                    },
                ]
            },
        ]
    }
    return [
        {"$match": match},
        {
            "$project": {
                "_id": 0,
                "activity": {
                    "$filter": {"input": _array("$activities"), "as": "activity", "cond": counted}
                },
            }
        },
        {"$unwind": "$activity"},
    ]


def activity_pipeline(report_filter: ReportFilter, group_by: ActivityGroup) -> list[Doc]:
    key = {"$ifNull": ["$activity.actor", None]} if group_by == "user" else "$activity.type"
    completed = {"$eq": ["$activity.type", "task"]}
    pipeline: list[Doc] = [
        *_activity_stream(report_filter),
        {
            "$group": {
                "_id": {
                    "week": {
                        "$dateTrunc": {
                            "date": "$activity.created_at",
                            "unit": "week",
                            "startOfWeek": "monday",
                        }
                    },
                    "key": key,
                },
                "activities": {"$sum": {"$cond": [completed, 0, 1]}},
                "tasks_completed": {"$sum": {"$cond": [completed, 1, 0]}},
            }
        },
        {"$set": {"week": "$_id.week", "key": "$_id.key"}},
        {"$unset": "_id"},
    ]
    if group_by == "user":
        pipeline += _with_user_names("key")
    return pipeline


def activity_fact_pipeline(report_filter: ReportFilter, group_by: ActivityGroup) -> list[Doc]:
    """The activity report over lead_facts: each fact counts its lead's activities per UTC
    day, actor and type (domain/report_facts.py), so a period of whole days is exact."""
    match = _fact_match(report_filter)
    period = _period(report_filter)
    if period is not None:
        # index: facts_status_activity_day
        match["activity"] = {"$elemMatch": {"day": period}}
    # else index: facts_status_closed (every fact: the status range keyed by the lookup)
    counted = _in_period("$$count.day", report_filter)
    key = {"$ifNull": ["$count.actor", None]} if group_by == "user" else "$count.type"
    completed = {"$eq": ["$count.type", TASK_COMPLETED]}
    counts = (
        {"$filter": {"input": _array("$activity"), "as": "count", "cond": counted}}
        if period is not None
        else _array("$activity")
    )
    return [
        {"$match": match},
        {"$project": {"_id": 0, "count": counts}},
        {"$unwind": "$count"},
        *_activity_weeks("$count.week", key, completed, "$count.count", group_by),
    ]


def _activity_weeks(
    week: Any, key: Any, completed: Doc, count: str, group_by: ActivityGroup
) -> list[Doc]:
    """The activity report's rows from entries with a `week`, a `key`, whether the entry is a
    task `completed` and its `count`."""
    pipeline: list[Doc] = [
        {
            "$group": {
                "_id": {"week": week, "key": key},
                "activities": {"$sum": {"$cond": [completed, 0, count]}},
                "tasks_completed": {"$sum": {"$cond": [completed, count, 0]}},
            }
        },
        {"$set": {"week": "$_id.week", "key": "$_id.key"}},
        {"$unset": "_id"},
    ]
    if group_by == "user":
        pipeline += _with_user_names("key")
    return pipeline


def activity_summaries(report_filter: ReportFilter, group_by: ActivityGroup) -> Summaries:
    return _chosen(
        report_filter,
        lambda: activity_rollups(report_filter, group_by),
        lambda: activity_fact_pipeline(report_filter, group_by),
    )


def activity(
    report_filter: ReportFilter, group_by: ActivityGroup
) -> tuple[Workflow, list[ActivityCount]]:
    return _report(
        activity_pipeline(report_filter, group_by),
        activity_summaries(report_filter, group_by),
        ActivityCount,
    )


# --- the reports over the rollups (domain/report_rollups.py) ---------------------------------
# Each reads the daily rows of its kinds in the period: index rollups_kind_day (the lookup keys
# the kind, the $match the days). Rows whose count went back to 0 count nothing.


def _chosen(
    report_filter: ReportFilter,
    rollups: Callable[[], Summaries],
    facts: Callable[[], list[Doc]],
    by_assignee_and_source: bool = False,
) -> Summaries:
    """Where a report reads the summaries: its rollups when they count the filter, else its
    facts."""
    if rollups_answer(report_filter, by_assignee_and_source=by_assignee_and_source):
        return rollups()
    return over_facts(facts())


def rollups_answer(report_filter: ReportFilter, *, by_assignee_and_source: bool = False) -> bool:
    """Whether the rollups count this filter: a period of whole UTC days and no lead filter
    (win rate's rows carry the assignees and the source, so those filters too)."""
    whole_days = all(
        bound is None or bound.astimezone(UTC).time() == time_of_day.min
        for bound in (report_filter.start, report_filter.end)
    )
    by_lead = report_filter.assigned_to is not None or report_filter.source is not None
    return whole_days and report_filter.tag is None and (by_assignee_and_source or not by_lead)


def _rollup_match(report_filter: ReportFilter) -> Doc:
    match: Doc = {"n": {"$ne": 0}}
    period = _period(report_filter)
    if period is not None:
        match["day"] = period
    return match


def _first_in_period(previous: str, report_filter: ReportFilter) -> Doc:
    """A visit is a lead's first of its stage in the period when the lead's previous one (the
    day in `previous`, null when none) was before the period began."""
    if report_filter.start is None:
        return {"$eq": [{"$ifNull": [previous, None]}, None]}
    return {
        "$or": [
            {"$eq": [{"$ifNull": [previous, None]}, None]},
            {"$lt": [previous, report_filter.start]},
        ]
    }


def funnel_rollups(report_filter: ReportFilter) -> Summaries:
    entered = _first_in_period("$prev", report_filter)
    moved = {"$and": ["$moved", _first_in_period("$prev_moved", report_filter)]}
    return over_rollups(
        [FUNNEL],
        [
            {"$match": _rollup_match(report_filter)},
            {
                "$group": {
                    "_id": "$stage",
                    "entered": {"$sum": {"$cond": [entered, "$n", 0]}},
                    "moved_on": {"$sum": {"$cond": [moved, "$n", 0]}},
                    "won": {"$sum": {"$cond": [{"$and": ["$won", entered]}, "$n", 0]}},
                }
            },
            {"$match": {"entered": {"$gt": 0}}},
            {"$project": {"_id": 0, "stage": "$_id", "entered": 1, "moved_on": 1, "won": 1}},
        ],
    )


def _percentile_of(ordered: list[float], fraction: float) -> float:
    """As `_percentile` computes it in the aggregation, on a sorted, non-empty list."""
    position = (len(ordered) - 1) * fraction
    low, high = ordered[math.floor(position)], ordered[math.ceil(position)]
    return low + (high - low) * (position - math.floor(position))


def _visit_times_of(rows: list[Doc], now: datetime) -> list[Doc]:
    """The lengths of each stage's visits, ended (days) and open (entry moments, aged at
    `now` as the aggregation would: whole milliseconds), as VisitTimes rows."""
    now_ms = (now - EPOCH) // timedelta(milliseconds=1)
    grouped: dict[tuple[str, bool], tuple[list[float], Doc | None]] = {}
    for row in rows:
        done = row["k"] == VISIT_DAYS
        lengths, latest = grouped.get((row["stage"], done), ([], None))
        if done:
            lengths += row["lengths"]
        else:
            lengths += [
                (now_ms - (entered - EPOCH) // timedelta(milliseconds=1)) / DAY_MS
                for entered in row["lengths"]
            ]
        grouped[(row["stage"], done)] = (lengths, later_name(latest, row.get("latest")))
    times = []
    for (stage, done), (lengths, latest) in grouped.items():
        if not lengths:
            continue
        lengths.sort()
        times.append(
            {
                "stage": stage,
                "done": done,
                "recorded_name": latest["name"] if latest else None,
                "count": len(lengths),
                "mean_days": math.fsum(lengths) / len(lengths),
                "max_days": lengths[-1],
                "median_days": _percentile_of(lengths, 0.5),
                "p90_days": _percentile_of(lengths, 0.9),
            }
        )
    return times


def stage_times_rollups(report_filter: ReportFilter, now: datetime) -> Summaries:
    match = _rollup_match(report_filter)
    period = match.pop("day", None)
    if period is not None:
        # the open visits whatever the period: where leads wait now
        match["$or"] = [{"k": WAITS}, {"day": period}]
    return over_rollups(
        [VISIT_DAYS, WAITS],
        [
            {"$match": match},
            {"$project": {"_id": 0, "k": 1, "stage": 1, "lengths": 1, "latest": 1}},
        ],
        lambda rows: _visit_times_of(rows, now),
    )


def win_rate_rollups(report_filter: ReportFilter, group_by: WinRateGroup) -> Summaries:
    match = _rollup_match(report_filter)
    if report_filter.assigned_to is not None:
        match["assigned_to"] = report_filter.assigned_to
    if report_filter.source is not None:
        match["source"] = report_filter.source
    keys: dict[str, Any] = {
        "month": {"$dateToString": {"format": "%Y-%m", "date": "$day"}},
        "assignee": "$assigned_to",
        "source": {"$ifNull": ["$source", None]},
    }
    pipeline: list[Doc] = [
        {"$match": match},
        {
            "$set": {
                "assigned_to": {
                    "$cond": [
                        {"$gt": [{"$size": _array("$assigned_to")}, 0]},
                        _array("$assigned_to"),
                        [None],
                    ]
                }
            }
        },
    ]
    if group_by == "assignee":
        pipeline.append({"$unwind": "$assigned_to"})
    pipeline += [
        {
            "$group": {
                "_id": keys[group_by],
                "won": {"$sum": {"$cond": ["$won", "$n", 0]}},
                "lost": {"$sum": {"$cond": ["$won", 0, "$n"]}},
                "won_value": {"$sum": {"$cond": ["$won", "$value", 0]}},
                "lost_value": {"$sum": {"$cond": ["$won", 0, "$value"]}},
            }
        },
        {"$match": {"$expr": {"$gt": [{"$add": ["$won", "$lost"]}, 0]}}},
        {
            "$set": {
                "won_value": {"$toDouble": "$won_value"},
                "lost_value": {"$toDouble": "$lost_value"},
            }
        },
    ]
    if group_by == "assignee":
        pipeline += _with_user_names()
    pipeline.append({"$set": {"key": "$_id"}})
    pipeline.append({"$unset": "_id"})
    return over_rollups([OUTCOMES], pipeline)


def forecast_rollups(report_filter: ReportFilter) -> Summaries:
    period = _period(report_filter)
    open_leads: Doc = {"k": OPEN_VALUE}
    won: Doc = {"k": OUTCOMES, "won": True}
    if period is not None:
        won["day"] = period
        days: Doc = {}
        if report_filter.start is not None:
            days["$gte"] = report_filter.start.strftime("%Y-%m-%d")
        if report_filter.end is not None:
            days["$lt"] = report_filter.end.strftime("%Y-%m-%d")
        # open leads whose expected close falls in the period, or that have none (a last row)
        open_leads["$or"] = [{"close": None}, {"close": days}]
    position = {"$indexOfArray": ["$$stage_uids", "$stage"]}
    probability = {
        "$cond": [{"$gte": [position, 0]}, {"$arrayElemAt": ["$$probabilities", position]}, 0]
    }
    is_open = {"$eq": ["$k", OPEN_VALUE]}
    month = {
        "$cond": [
            is_open,
            {"$cond": [{"$eq": ["$close", None]}, None, {"$substrCP": ["$close", 0, 7]}]},
            {"$dateToString": {"format": "%Y-%m", "date": "$day"}},
        ]
    }
    weighted = {"$divide": [{"$multiply": ["$value", {"$ifNull": [probability, 0]}]}, 100]}
    return over_rollups(
        [OPEN_VALUE, OUTCOMES],
        [
            {"$match": {"n": {"$ne": 0}, "$or": [open_leads, won]}},
            {
                "$group": {
                    "_id": month,
                    "open_count": {"$sum": {"$cond": [is_open, "$n", 0]}},
                    "open_value": {"$sum": {"$cond": [is_open, "$value", 0]}},
                    "weighted_value": {"$sum": {"$cond": [is_open, weighted, 0]}},
                    "won_count": {"$sum": {"$cond": [is_open, 0, "$n"]}},
                    "won_value": {"$sum": {"$cond": [is_open, 0, "$value"]}},
                }
            },
            {
                "$set": {
                    "month": "$_id",
                    "open_value": {"$toDouble": "$open_value"},
                    "weighted_value": {"$toDouble": "$weighted_value"},
                    "won_value": {"$toDouble": "$won_value"},
                }
            },
            {"$unset": "_id"},
        ],
    )


def lost_reasons_rollups(report_filter: ReportFilter) -> Summaries:
    return over_rollups(
        [LOST],
        [
            {"$match": _rollup_match(report_filter)},
            {
                "$group": {
                    "_id": {"reason": "$reason", "stage": "$from"},
                    "count": {"$sum": "$n"},
                    "value": {"$sum": "$value"},
                    "latest": {"$max": "$latest"},
                }
            },
            {
                "$project": {
                    "_id": 0,
                    "reason": "$_id.reason",
                    "stage": "$_id.stage",
                    "count": 1,
                    "value": {"$toDouble": "$value"},
                    "recorded_name": "$latest.name",
                }
            },
        ],
    )


def activity_rollups(report_filter: ReportFilter, group_by: ActivityGroup) -> Summaries:
    completed = {"$eq": ["$type", TASK_COMPLETED]}
    week = {"$dateTrunc": {"date": "$day", "unit": "week", "startOfWeek": "monday"}}
    key = {"$ifNull": ["$actor", None]} if group_by == "user" else "$type"
    return over_rollups(
        [ACTIVITY],
        [
            {"$match": _rollup_match(report_filter)},
            *_activity_weeks(week, key, completed, "$n", group_by),
        ],
    )
