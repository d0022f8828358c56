"""Server-side cost of the hot endpoints against a real local mongod, next to their floor.

    .venv/bin/python bench/bench_api.py [--leads 20000] [--repeat 30] [--profile-board]

Each row times one request through Django's in-process test client (HTTP parsing left out)
and, alternating with it on the same data, its floor: the raw PyMongo work that answers the
same question with no Django, DRF or Pydantic. Watch the ratio (service median / floor
median): these machines are shared and noisy, so milliseconds drift from run to run while the
ratios inside one run hold. Round trips are counted for both; the service's include the one
that looks the bearer token up, the floor has no token to look up.

`--profile-board` prints where one 200-per-column board request spends its time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lead_crm.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from pymongo import ReturnDocument  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

import leads  # noqa: E402
from leads.domain.enums import UserRole  # noqa: E402
from leads.domain.inputs import KanbanMove, UserCreate  # noqa: E402
from leads.domain.models import utcnow  # noqa: E402
from leads.domain.ranks import rank_between, rank_for_arrival  # noqa: E402
from leads.services.users import auth_login, user_create  # noqa: E402
from leads.store import connection  # noqa: E402
from leads.store.indexes import ensure_indexes  # noqa: E402
from leads.store.mongod import LocalMongod  # noqa: E402

Doc = dict[str, Any]

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PASSWORD = "benchmark-password"
PAGE = 20  # leads per list page
LATEST_ACTIVITIES = 20  # what a detail and a timeline page show
OPEN_TASK_STATUSES = ["pending", "in_progress"]
DONE_TASK_STATUSES = ["completed", "skipped"]

# The floors name what they read themselves (the service's projections may change under them),
# so a floor is the same work in every tree the benchmark runs against.
SUMMARY_FIELDS = [
    "uid", "name", "email", "phone", "company", "source", "status", "current_stage", "rank",
    "stage_entered_at", "assigned_to", "data", "tags", "version", "created_at", "updated_at",
    "created_by", "closed_at",
]  # fmt: skip
SUMMARY: Doc = {"_id": 0, **{name: 1 for name in SUMMARY_FIELDS}}
DETAIL: Doc = {
    **SUMMARY,
    "tasks": 1,
    "history": 1,
    "activities": {"$slice": -LATEST_ACTIVITIES},
    "activity_count": {"$size": "$activities"},
}
CARD_FIELDS = [
    "uid", "name", "email", "company", "assigned_to", "status", "rank", "version", "updated_at",
    "stage_entered_at", "current_stage",
]  # fmt: skip


class Response(Protocol):
    status_code: int
    content: bytes


# --- data --------------------------------------------------------------------------------


def seed(count: int, stages: list[Doc]) -> None:
    """`count` leads spread over the stages, shaped as the service writes them: the tasks of
    their stage with uids of their own (so no two cards are held by the same task), every
    other lead's tasks done, some of the fields later stages require, 30 notes each."""
    now = utcnow()
    batch: list[Doc] = []
    for n in range(1, count + 1):
        created = now - timedelta(minutes=n)
        stage = stages[n % len(stages)]
        done = n % 2 == 0
        data: Doc = {"budget": float(n % 50 * 1000), "industry": "saas"}
        if n % 3 == 0:
            data["expected_close_date"] = "2027-03-31"
        if n % 5 == 0:
            data["decision_maker"] = "Dana Lee, CFO"
        batch.append(
            {
                "type": "lead",
                "uid": f"LEAD-202601-{n:05d}",
                "name": f"Lead {n:05d}",
                "email": f"lead{n}@example.com",
                "company": f"Company {n % 997}",
                "status": "open",
                "current_stage": stage["uid"],
                "rank": rank_for_arrival(created),
                "stage_entered_at": created,
                "assigned_to": [],
                "data": data,
                "tags": ["hot"] if n % 10 == 0 else [],
                "tasks": [
                    {
                        "uid": f"task-{n:05d}-{k}",
                        "template_uid": template["uid"],
                        "stage": stage["uid"],
                        "title": template["title"],
                        "required": template["required"],
                        "status": "completed" if done else "pending",
                        "created_at": created,
                        **({"completed_at": created} if done else {}),
                    }
                    for k, template in enumerate(stage["task_templates"])
                ],
                "activities": [
                    {"uid": f"a{k}", "type": "note", "created_at": created, "body": "x" * 200}
                    for k in range(30)
                ],
                "history": [{"kind": "stage_visit", "stage": stage["uid"], "entered_at": created}],
                "version": 1,
                "created_at": created,
                "updated_at": created,
            }
        )
        if len(batch) == 2_000:
            connection.leads().insert_many(batch)
            batch = []
    if batch:
        connection.leads().insert_many(batch)


def workflow() -> tuple[Doc, list[Doc]]:
    """The config and the stages in pipeline order, as stored."""
    documents = list(connection.leads().find({"type": {"$in": ["config", "stage"]}}, {"_id": 0}))
    config = next(d for d in documents if d["type"] == "config")
    stages = [d for d in documents if d["type"] == "stage"]
    return config, sorted(stages, key=lambda stage: (stage["order"], stage["uid"]))


@dataclass
class Drops:
    """Cards dropped one after another right under a column's top card: each lands between two
    cards that are next to each other at that moment, as a drag does."""

    stage: str
    top: str
    under_top: str
    movers: Iterator[str]

    def take(self) -> tuple[str, str, str]:
        """(the card to move, the card above its drop, the card below it)."""
        lead = next(self.movers)
        drop = (lead, self.top, self.under_top)
        self.under_top = lead
        return drop


def _drops(stage: str, needed: int) -> Drops:
    column = [
        row["uid"]
        for row in connection.leads()
        .find({"type": "lead", "current_stage": stage}, {"_id": 0, "uid": 1})
        .sort([("rank", 1), ("uid", 1)])
        .limit(needed + 2)
    ]
    assert len(column) == needed + 2, f"the column {stage} is too short; seed more leads"
    return Drops(stage=stage, top=column[0], under_top=column[1], movers=iter(column[2:]))


def _open_tasks(needed: int, not_in_stage: str) -> Iterator[tuple[str, str]]:
    """(lead, task) pairs of open tasks, each lead once, from the end of the seed."""
    rows = (
        connection.leads()
        .find(
            {"type": "lead", "current_stage": {"$ne": not_in_stage}, "tasks.status": "pending"},
            {"_id": 0, "uid": 1, "tasks": 1},
        )
        .sort([("uid", -1)])
        .limit(needed)
    )
    pairs = [
        (row["uid"], next(t["uid"] for t in row["tasks"] if t["status"] == "pending"))
        for row in rows
    ]
    assert len(pairs) == needed, "too few open tasks; seed more leads"
    return iter(pairs)


# --- floors: the raw driver doing the same work -------------------------------------------


def _list_query(*, tag: str | None = None, search: str | None = None) -> Doc:
    query: Doc = {"type": "lead"}
    if tag is not None:
        query["tags"] = tag
    if search is not None:
        pattern = {"$regex": re.escape(search), "$options": "i"}
        query["$or"] = [{name: pattern} for name in ("name", "email", "phone", "company")]
    return query


def floor_list(query: Doc) -> list[Doc]:
    """A page newest first (one more row than shown, as the service asks, to know if more)."""
    # index: type_created_uid
    cursor = (
        connection.leads()
        .find(query, SUMMARY)
        .sort([("created_at", -1), ("uid", -1)])
        .limit(PAGE + 1)
        .batch_size(PAGE + 1)
    )
    return list(cursor)


def beyond(uid: str) -> Doc:
    """The keyset condition of the page after lead `uid` in the default order."""
    row = connection.leads().find_one({"type": "lead", "uid": uid}, {"created_at": 1})
    assert row is not None
    created = row["created_at"]
    later = {
        "$or": [{"created_at": {"$lt": created}}, {"created_at": created, "uid": {"$lt": uid}}]
    }
    return {"$and": [{"type": "lead"}, later]}


def floor_detail(uid: str) -> Doc:
    # index: type_uid
    lead = connection.leads().find_one({"type": "lead", "uid": uid}, DETAIL)
    assert lead is not None
    return lead


def floor_timeline(uid: str) -> Doc:
    # index: type_uid
    page = connection.leads().find_one(
        {"type": "lead", "uid": uid},
        {
            "_id": 0,
            "total": {"$size": "$activities"},
            "page": {"$slice": ["$activities", -LATEST_ACTIVITIES]},
        },
    )
    assert page is not None
    return page


def _card_projection(value_field: str, data_keys: list[str]) -> Doc:
    """What a card shows (its tasks counted) and what deciding its moves reads."""
    stage_tasks = {
        "$filter": {
            "input": "$tasks",
            "as": "task",
            "cond": {"$eq": ["$$task.stage", "$current_stage"]},
        }
    }
    done = {"$in": ["$$task.status", DONE_TASK_STATUSES]}
    blocking = {"$and": ["$$task.required", {"$not": [done]}]}
    return {
        "_id": 0,
        **{name: 1 for name in CARD_FIELDS},
        **{f"data.{key}": 1 for key in data_keys},
        "value": f"$data.{value_field}",
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


def floor_board(per_column: int) -> dict[str, list[Doc]]:
    """The stages, the column totals, and each column's first cards (one more than shown)."""
    config, stages = workflow()
    value = f"$data.{config['value_field']}"
    # index: type_uid, then every lead fetched, as for the service's $group
    totals = connection.leads().aggregate(
        [
            {"$match": {"type": "lead"}},
            {
                "$group": {
                    "_id": "$current_stage",
                    "count": {"$sum": 1},
                    "value_total": {"$sum": {"$cond": [{"$isNumber": value}, value, 0]}},
                    "oldest_entered_at": {"$min": "$stage_entered_at"},
                }
            },
        ]
    )
    columns: dict[str, list[Doc]] = {row["_id"]: [] for row in totals}
    data_keys = sorted({key for stage in stages for key in stage["required_fields"]})
    projection = _card_projection(config["value_field"], data_keys)
    for stage in stages:
        # index: type_stage_rank
        cards = (
            connection.leads()
            .find({"type": "lead", "current_stage": stage["uid"]}, projection)
            .sort([("rank", 1), ("uid", 1)])
            .limit(per_column + 1)
            .batch_size(per_column + 1)
        )
        columns[stage["uid"]] = list(cards)
    return columns


def floor_task_complete(lead_uid: str, task_uid: str, actor_uid: str) -> Doc:
    """Complete an open task, log it, and return the lead's detail: one write."""
    now = utcnow()
    # index: type_uid
    lead = connection.leads().find_one_and_update(
        {
            "type": "lead",
            "uid": lead_uid,
            "tasks": {"$elemMatch": {"uid": task_uid, "status": {"$in": OPEN_TASK_STATUSES}}},
        },
        {
            "$set": {
                "tasks.$.status": "completed",
                "tasks.$.completed_at": now,
                "tasks.$.completed_by": actor_uid,
                "updated_at": now,
            },
            "$push": {
                "activities": {
                    "uid": f"act-{task_uid}",
                    "type": "task",
                    "created_at": now,
                    "created_by": actor_uid,
                    "body": f"Completed task {task_uid}",
                }
            },
            "$inc": {"version": 1},
        },
        projection=DETAIL,
        return_document=ReturnDocument.AFTER,
    )
    assert lead is not None, "the floor must write as the service does"
    return lead


def floor_kanban_move(lead_uid: str, above: str, below: str) -> Doc:
    """Read the two neighbours' ranks, then rank the card between them and return its detail."""
    # index: type_uid
    neighbours = connection.leads().find(
        {"type": "lead", "uid": {"$in": [above, below]}}, {"_id": 0, "uid": 1, "rank": 1}
    )
    ranks = {row["uid"]: row["rank"] for row in neighbours}
    # index: type_uid
    lead = connection.leads().find_one_and_update(
        {"type": "lead", "uid": lead_uid},
        {
            "$set": {"rank": rank_between(ranks[above], ranks[below]), "updated_at": utcnow()},
            "$inc": {"version": 1},
        },
        projection=DETAIL,
        return_document=ReturnDocument.AFTER,
    )
    assert lead is not None
    return lead


# --- measuring -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p90_ms: float
    round_trips: str  # "3", or "3-4" when it varied between runs


@dataclass(frozen=True)
class Row:
    name: str
    service: Timing
    floor: Timing
    response_kb: float

    @property
    def ratio(self) -> float:
        return self.service.median_ms / self.floor.median_ms


def _timing(times: list[float], trips: set[int]) -> Timing:
    low, high = min(trips), max(trips)
    return Timing(
        median_ms=statistics.median(times),
        p90_ms=statistics.quantiles(times, n=10, method="inclusive")[-1],
        round_trips=str(low) if low == high else f"{low}-{high}",
    )


def _timed(call: Callable[[], Any]) -> tuple[float, int, Any]:
    with connection.count_round_trips() as counter:
        started = time.perf_counter()
        result = call()
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, counter.count, result


# Whether the service's JSON and the floor's documents say the same thing.
Agree = Callable[[Any, Any], bool]


def compare(
    name: str,
    repeat: int,
    service: Callable[[], Response],
    floor: Callable[[], object],
    agree: Agree | None = None,
) -> Row:
    """Time `service` and `floor` `repeat` times each after one warm-up (where `agree` checks
    that both answered the same), alternating which goes first so that a change in the
    machine's load falls on both."""

    def serve() -> Response:
        response = service()
        assert response.status_code < 300, (name, response.status_code, response.content[:300])
        return response

    warm = serve()
    answer = floor()
    if agree is not None:
        assert agree(json.loads(warm.content), answer), f"{name}: the floor answers otherwise"
    service_times: list[float] = []
    floor_times: list[float] = []
    service_trips: set[int] = set()
    floor_trips: set[int] = set()
    size = 0
    for run in range(repeat):
        for which in ("service", "floor") if run % 2 == 0 else ("floor", "service"):
            if which == "service":
                elapsed, trips, response = _timed(serve)
                service_times.append(elapsed)
                service_trips.add(trips)
                size = len(response.content)
            else:
                elapsed, trips, _ = _timed(floor)
                floor_times.append(elapsed)
                floor_trips.add(trips)
    return Row(
        name=name,
        service=_timing(service_times, service_trips),
        floor=_timing(floor_times, floor_trips),
        response_kb=size / 1024,
    )


def same_page(page: Any, rows: list[Doc]) -> bool:
    return [lead["uid"] for lead in page["results"]] == [row["uid"] for row in rows[:PAGE]]


def same_lead(lead: Any, row: Doc) -> bool:
    return bool(lead["uid"] == row["uid"] and lead["version"] == row["version"])


def same_board(board: Any, columns: dict[str, list[Doc]]) -> bool:
    return all(
        [card["uid"] for card in column["leads"]]
        == [row["uid"] for row in columns[column["uid"]][: len(column["leads"])]]
        for column in board["columns"]
    )


def same_timeline(page: Any, row: Doc) -> bool:
    newest_first = [activity["uid"] for activity in reversed(row["page"])]
    return (
        bool(page["total"] == row["total"])
        and [activity["uid"] for activity in page["results"]] == newest_first
    )


def _move_body(lead_uid: str, stage: str, above: str, below: str) -> Doc:
    # The first release named the neighbours `after` and `before`; the same benchmark runs
    # against it for before/after comparisons.
    if "above" in KanbanMove.model_fields:
        return {"lead_uid": lead_uid, "to_stage": stage, "above": above, "below": below}
    return {"lead_uid": lead_uid, "to_stage": stage, "after": above, "before": below}


def _rows(client: APIClient, *, leads_seeded: int, repeat: int, actor_uid: str) -> list[Row]:
    _, stages = workflow()
    columns = len(stages)
    # The cursor of the last-but-one page of a deep walk (page 1,000 of 20,000 leads by 20).
    pages_walked = min(1000, leads_seeded // PAGE)
    deep = client.get("/api/leads/", {"limit": str(PAGE)}).json()
    for _ in range(pages_walked - 2):
        deep = client.get(deep["next"]).json()
    deep_next = deep["next"]
    deep_query = beyond(deep["results"][-1]["uid"])
    lead_uid = "LEAD-202601-00042"
    # Writes last, each run on a card or task of its own: two per run (service, floor) and
    # one each to warm up.
    needed = 2 * (repeat + 1)
    drops = _drops(stages[1]["uid"], needed)
    tasks = _open_tasks(needed, not_in_stage=drops.stage)

    def board(per_column: int) -> Response:
        return client.get("/api/leads/kanban/", {"per_column": str(per_column)})

    def task_complete() -> Response:
        lead, task = next(tasks)
        return client.post(f"/api/leads/{lead}/tasks/{task}/complete/")

    def floor_task() -> Doc:
        lead, task = next(tasks)
        return floor_task_complete(lead, task, actor_uid)

    def move() -> Response:
        lead, above, below = drops.take()
        body = _move_body(lead, drops.stage, above, below)
        return client.post("/api/leads/kanban/move/", body, format="json")

    return [
        compare(
            f"list page 1 (limit {PAGE})",
            repeat,
            lambda: client.get("/api/leads/", {"limit": str(PAGE)}),
            lambda: floor_list({"type": "lead"}),
            same_page,
        ),
        compare(
            f"list page {pages_walked} (limit {PAGE}, cursor)",
            repeat,
            lambda: client.get(deep_next),
            lambda: floor_list(deep_query),
            same_page,
        ),
        compare(
            "list filtered by tag, page 1",
            repeat,
            lambda: client.get("/api/leads/", {"tag": "hot", "limit": str(PAGE)}),
            lambda: floor_list(_list_query(tag="hot")),
            same_page,
        ),
        compare(
            "list search q, page 1",
            repeat,
            lambda: client.get("/api/leads/", {"q": "company 5", "limit": str(PAGE)}),
            lambda: floor_list(_list_query(search="company 5")),
            same_page,
        ),
        compare(
            "lead detail",
            repeat,
            lambda: client.get(f"/api/leads/{lead_uid}/"),
            lambda: floor_detail(lead_uid),
            same_lead,
        ),
        compare(
            f"kanban board {columns} columns x 50",
            repeat,
            lambda: board(50),
            lambda: floor_board(50),
            same_board,
        ),
        compare(
            f"kanban board {columns} columns x 200",
            repeat,
            lambda: board(200),
            lambda: floor_board(200),
            same_board,
        ),
        compare(
            f"timeline page ({LATEST_ACTIVITIES} of 30)",
            repeat,
            lambda: client.get(f"/api/leads/{lead_uid}/activities/"),
            lambda: floor_timeline(lead_uid),
            same_timeline,
        ),
        compare("task complete (a fresh task each run)", repeat, task_complete, floor_task),
        compare(
            "kanban move within a column",
            repeat,
            move,
            lambda: floor_kanban_move(*drops.take()),
        ),
    ]


def _print_table(rows: list[Row]) -> None:
    print(
        "| request | median ms | p90 ms | round trips | floor median ms | floor round trips "
        "| ratio | response KB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row.name} | {row.service.median_ms:.1f} | {row.service.p90_ms:.1f} "
            f"| {row.service.round_trips} | {row.floor.median_ms:.1f} | {row.floor.round_trips} "
            f"| {row.ratio:.1f}x | {row.response_kb:.0f} |"
        )


def _profile_board(client: APIClient, per_column: int) -> None:
    profile = cProfile.Profile()
    profile.enable()
    response = client.get("/api/leads/kanban/", {"per_column": str(per_column)})
    profile.disable()
    assert response.status_code == 200
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)
    print(f"\nOne board request, {per_column} per column, under cProfile:\n{out.getvalue()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--profile-board", action="store_true")
    args = parser.parse_args()
    # The write rows take fresh cards from one column: 2 per run, and 2 more to warm up.
    smallest = 7 * (2 * (args.repeat + 1) + 2)
    if args.leads < smallest:
        parser.error(f"--repeat {args.repeat} needs --leads {smallest} or more")
    with tempfile.TemporaryDirectory() as data, LocalMongod(dbpath=data) as mongod:
        connection.configure(uri=mongod.uri, db_name="bench")
        ensure_indexes()
        call_command("init_lead_data", verbosity=0)
        _, stages = workflow()
        seed_started = time.perf_counter()
        seed(args.leads, stages)
        seeded = time.perf_counter() - seed_started
        user = user_create(
            data=UserCreate(username="bench", password=PASSWORD, role=UserRole.ADMIN)
        )
        client = APIClient()
        token = auth_login(username=user.username, password=PASSWORD).token
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        version = connection.database().command("buildInfo")["version"]
        rows = _rows(client, leads_seeded=args.leads, repeat=args.repeat, actor_uid=user.uid)
        print(
            f"\ncode: {Path(leads.__file__).parent.parent}; MongoDB {version}; "
            f"{os.cpu_count()} cores\n{args.leads} leads seeded in {seeded:.1f} s; "
            f"{args.repeat} runs each, service and floor alternating; service round trips "
            "include 1 for the bearer token\n"
        )
        _print_table(rows)
        if args.profile_board:
            _profile_board(client, per_column=200)
        connection.close()


if __name__ == "__main__":
    main()
