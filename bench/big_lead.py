"""One lead with 100,000 activities: its detail, a note logged on it and its timeline pages
(first, middle, last), next to the raw driver's floor measured in the same run.

    .venv/bin/python bench/big_lead.py [--activities 100000] [--sample 300] [--repeat 40]

The lead is created through the API; all but `--sample` of its activities are then written
straight into the layout the store keeps (activity pages of PAGE_SIZE, store/activities.py),
and the last `--sample` are logged through the API, so that sample crosses the boundary where
the lead's oldest embedded activities move into a page as the service does it. The whole
timeline is then walked through the API once (every activity exactly once, newest first)
before anything is timed.

Each operation runs through Django's in-process test client (HTTP parsing left out) and
alternates with its floor: a find_one of the lead (detail, first timeline page), a find of the
page documents that hold the answer (older timeline pages), a find_one_and_update pushing a
note onto a copy of the lead (a note). Service round trips include 1 for the bearer token.
Compare ratios, not milliseconds: the machine is shared (see RESULTS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from bench_api import PASSWORD, Response  # also sets Django up
from django.core.management import call_command
from pymongo import ReturnDocument
from rest_framework.test import APIClient

import leads
from leads.domain.enums import ActivityType, UserRole
from leads.domain.inputs import UserCreate
from leads.domain.models import Activity, utcnow
from leads.services.users import auth_login, user_create
from leads.store import connection
from leads.store.activities import ACTIVITY_PAGE, EMBEDDED_MAX, PAGE_SIZE, page_uid
from leads.store.documents import to_value
from leads.store.indexes import ensure_indexes
from leads.store.mongod import LocalMongod

Doc = dict[str, Any]
LATEST = 20
# The built history's mix: one in four a call, one in four an email.
KINDS = (ActivityType.NOTE, ActivityType.CALL, ActivityType.EMAIL, ActivityType.NOTE)
TARGET_MS = {"detail": 10.0, "note": 10.0, "timeline": 20.0}


# --- data ------------------------------------------------------------------------------------


def _activity(n: int, actor: str, start: Any) -> Doc:
    kind = KINDS[n % len(KINDS)]
    return to_value(
        Activity(
            uid=f"act-bench-{n:07d}",
            type=kind,
            actor=actor,
            created_at=start + timedelta(minutes=n),
            body=f"Activity {n}: spoke with the buyer about the renewal and next steps" * 2,
            outcome="reached" if kind is ActivityType.CALL else None,
            duration_minutes=12 if kind is ActivityType.CALL else None,
        )
    )


def build_history(uid: str, activities: int, actor: str) -> None:
    """The lead's first `activities` activities as full pages, written straight in (the
    lead's own first activity, `created`, stays first): what its history would look like after
    years of writes, built in seconds. `activities` must be a multiple of PAGE_SIZE."""
    assert activities % PAGE_SIZE == 0
    lead = connection.leads().find_one({"type": "lead", "uid": uid}, {"activities": 1})
    assert lead is not None and len(lead["activities"]) == 1
    start = utcnow() - timedelta(minutes=activities + 10)
    # Dated back with the rest, so the timeline's order is also the order of its dates.
    history = [{**lead["activities"][0], "created_at": start}] + [
        _activity(n, actor, start) for n in range(1, activities)
    ]
    pages: list[Doc] = []
    by_type: Counter[str] = Counter()
    for number in range(activities // PAGE_SIZE):
        chunk = history[number * PAGE_SIZE : (number + 1) * PAGE_SIZE]
        counts = Counter(str(activity["type"]) for activity in chunk)
        by_type += counts
        pages.append(
            {
                "type": ACTIVITY_PAGE,
                "uid": page_uid(uid, number),
                "lead": uid,
                "page": number,
                "activities": chunk,
                "counts": dict(counts),
            }
        )
        if len(pages) == 100:
            connection.leads().insert_many(pages)
            pages = []
    if pages:
        connection.leads().insert_many(pages)
    connection.leads().update_one(
        {"type": "lead", "uid": uid},
        {
            "$set": {
                "activities": [],
                "paged_activities": activities,
                "paged_activity_types": dict(by_type),
            }
        },
    )


# --- timing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p95_ms: float
    max_ms: float
    round_trips: str


@dataclass(frozen=True)
class Row:
    name: str
    target_ms: float | None
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
        p95_ms=statistics.quantiles(times, n=20, method="inclusive")[-1],
        max_ms=max(times),
        round_trips=str(low) if low == high else f"{low}-{high}",
    )


def _timed(call: Callable[[], Any]) -> tuple[float, int, Any]:
    with connection.count_round_trips() as counter:
        started = time.perf_counter()
        result = call()
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, counter.count, result


def compare(
    name: str,
    repeat: int,
    service: Callable[[], Response],
    floor: Callable[[], object],
    agree: Callable[[Any, Any], bool] | None = None,
    target_ms: float | None = None,
) -> Row:
    """`service` and `floor` `repeat` times each after a warm-up (where `agree` checks that
    both answered the same), taking turns at going first."""

    def serve() -> Response:
        response = service()
        assert response.status_code < 300, (name, response.status_code, response.content[:300])
        return response

    warm = serve()
    answer = floor()
    if agree is not None:
        assert agree(json.loads(warm.content), answer), f"{name}: the floor answers otherwise"
    times: dict[str, list[float]] = {"service": [], "floor": []}
    trips: dict[str, set[int]] = {"service": set(), "floor": set()}
    size = 0
    for run in range(repeat):
        for which in ("service", "floor") if run % 2 == 0 else ("floor", "service"):
            elapsed, count, result = _timed(serve if which == "service" else floor)
            times[which].append(elapsed)
            trips[which].add(count)
            if which == "service":
                size = len(result.content)
    return Row(
        name=name,
        target_ms=target_ms,
        service=_timing(times["service"], trips["service"]),
        floor=_timing(times["floor"], trips["floor"]),
        response_kb=size / 1024,
    )


# --- floors ----------------------------------------------------------------------------------


def floor_lead(uid: str) -> Doc:
    # index: type_uid
    lead = connection.leads().find_one(
        {"type": "lead", "uid": uid},
        {
            "_id": 0,
            "uid": 1,
            "version": 1,
            "activities": {"$slice": -LATEST},
            "activity_count": {
                "$add": [{"$ifNull": ["$paged_activities", 0]}, {"$size": "$activities"}]
            },
        },
    )
    assert lead is not None
    return lead


def floor_pages(uid: str, first: int, last: int) -> list[Doc]:
    # index: activity_page_lead_page
    return list(
        connection.leads()
        .find(
            {"type": ACTIVITY_PAGE, "lead": uid, "page": {"$gte": first, "$lte": last}},
            {"_id": 0, "page": 1, "activities": 1},
        )
        .sort("page", 1)
    )


def floor_note(uid: str, actor: str) -> Doc:
    """A note pushed onto the copy of the lead, its count and latest activities asked back."""
    note = to_value(Activity(type=ActivityType.NOTE, body="Floor note", actor=actor))
    # index: type_uid
    lead = connection.leads().find_one_and_update(
        {"type": "lead", "uid": uid},
        {"$push": {"activities": note}, "$inc": {"version": 1}},
        projection={"_id": 0, "version": 1},
        return_document=ReturnDocument.AFTER,
    )
    assert lead is not None
    return lead


def same_detail(detail: Any, lead: Doc) -> bool:
    latest = [activity["uid"] for activity in reversed(lead["activities"])]
    return bool(
        detail["activity_count"] == lead["activity_count"]
        and [activity["uid"] for activity in detail["activities"]] == latest
    )


def same_first_page(page: Any, lead: Doc) -> bool:
    latest = [activity["uid"] for activity in reversed(lead["activities"])]
    return bool([a["uid"] for a in page["results"]] == latest[: len(page["results"])])


def same_positions(before: int) -> Callable[[Any, list[Doc]], bool]:
    """Whether a timeline page read back from `before` is what the floor's pages hold there."""

    def agree(page: Any, pages: list[Doc]) -> bool:
        by_position = {
            row["page"] * PAGE_SIZE + index: activity["uid"]
            for row in pages
            for index, activity in enumerate(row["activities"])
        }
        wanted = [by_position[before - 1 - n] for n in range(len(page["results"]))]
        return [activity["uid"] for activity in page["results"]] == wanted

    return agree


# --- the run ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Walk:
    seconds: float
    requests: int
    cursors: dict[int, str]  # position read back from -> its cursor


def walk_timeline(client: APIClient, uid: str, total: int) -> Walk:
    """The whole timeline through the API (50, then 100 a page), checked: every activity once,
    newest first, the total on every page."""
    started = time.perf_counter()
    url: str | None = f"/api/leads/{uid}/activities/?limit=50"
    seen: list[str] = []
    stamps: list[datetime] = []
    cursors: dict[int, str] = {}
    requests = 0
    while url is not None:
        page = client.get(url).json()
        requests += 1
        assert page["total"] == total, page["total"]
        seen += [activity["uid"] for activity in page["results"]]
        stamps += [datetime.fromisoformat(a["created_at"]) for a in page["results"]]
        if page["next_cursor"] is not None:
            cursors[total - len(seen)] = page["next_cursor"]
            url = f"/api/leads/{uid}/activities/?limit=100&cursor={page['next_cursor']}"
        else:
            url = None
    assert len(seen) == len(set(seen)) == total, (len(seen), len(set(seen)), total)
    assert stamps == sorted(stamps, reverse=True), "the timeline is not newest first"
    return Walk(seconds=time.perf_counter() - started, requests=requests, cursors=cursors)


def _print_rows(rows: list[Row]) -> None:
    print(
        "| operation | median ms | p95 ms | max ms | round trips | floor median ms "
        "| floor p95 ms | floor round trips | ratio | target | response KB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        target = f"≤ {row.target_ms:.0f} ms" if row.target_ms else ""
        print(
            f"| {row.name} | {row.service.median_ms:.1f} | {row.service.p95_ms:.1f} "
            f"| {row.service.max_ms:.1f} | {row.service.round_trips} "
            f"| {row.floor.median_ms:.1f} | {row.floor.p95_ms:.1f} | {row.floor.round_trips} "
            f"| {row.ratio:.1f}x | {target} | {row.response_kb:.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=300, help="logged through the API")
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    built = args.activities - args.sample
    if built % PAGE_SIZE or args.sample < EMBEDDED_MAX or built < 2 * PAGE_SIZE:
        parser.error(
            f"--activities minus --sample must be a multiple of {PAGE_SIZE} (at least "
            f"{2 * PAGE_SIZE}), and --sample at least {EMBEDDED_MAX} (to cross a spill)"
        )
    with tempfile.TemporaryDirectory() as data, LocalMongod(dbpath=data) as mongod:
        connection.configure(uri=mongod.uri, db_name="bench")
        ensure_indexes()
        call_command("init_lead_data", verbosity=0)
        user = user_create(
            data=UserCreate(username="bench", password=PASSWORD, role=UserRole.ADMIN)
        )
        client = APIClient()
        token = auth_login(username=user.username, password=PASSWORD).token
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        created = client.post(
            "/api/leads/",
            {"name": "A lead with a long past", "data": {"budget": 50_000}},
            format="json",
        )
        assert created.status_code == 201, created.content
        uid = created.json()["uid"]

        def log_note(body: str, on: str = uid) -> Response:
            note = {"type": "note", "body": body}
            return client.post(f"/api/leads/{on}/activities/", note, format="json")

        small = client.post(
            "/api/leads/", {"name": "A young lead", "data": {"budget": 1}}, format="json"
        ).json()["uid"]
        for n in range(29):
            log_note(f"Note {n}", small)

        started = time.perf_counter()
        build_history(uid, built, user.uid)
        build_seconds = time.perf_counter() - started

        note_times: list[float] = []
        note_trips: list[int] = []

        for n in range(args.sample):
            elapsed, trips, response = _timed(partial(log_note, f"Sample note {n}"))
            assert response.status_code == 201, response.content
            note_times.append(elapsed)
            note_trips.append(trips)
        spills = [t for t, trips in zip(note_times, note_trips, strict=True) if trips > 2]
        plain = [t for t, trips in zip(note_times, note_trips, strict=True) if trips <= 2]

        total = args.activities
        walk = walk_timeline(client, uid, total)
        lead = connection.leads().find_one({"type": "lead", "uid": uid}, {"_id": 0})
        assert lead is not None
        twin = {**lead, "uid": f"{uid}-floor"}
        connection.leads().insert_one(twin)
        lead_kb = len(json.dumps(lead, default=str)) / 1024
        middle = max(position for position in walk.cursors if position <= total // 2)
        last = min(walk.cursors)

        def timeline(cursor: str | None, limit: int) -> Response:
            params = {"limit": str(limit), **({"cursor": cursor} if cursor else {})}
            return client.get(f"/api/leads/{uid}/activities/", params)

        def pages_of(before: int, limit: int) -> tuple[int, int]:
            return max(0, before - limit) // PAGE_SIZE, (before - 1) // PAGE_SIZE

        rows = [
            compare(
                "lead detail",
                args.repeat,
                lambda: client.get(f"/api/leads/{uid}/"),
                lambda: floor_lead(uid),
                same_detail,
                TARGET_MS["detail"],
            ),
            compare(
                f"timeline first page (limit {LATEST})",
                args.repeat,
                lambda: timeline(None, LATEST),
                lambda: floor_lead(uid),
                same_first_page,
                TARGET_MS["timeline"],
            ),
            compare(
                f"timeline middle page (limit {LATEST}, cursor at {middle:,})",
                args.repeat,
                lambda: timeline(walk.cursors[middle], LATEST),
                lambda: floor_pages(uid, *pages_of(middle, LATEST)),
                same_positions(middle),
                TARGET_MS["timeline"],
            ),
            compare(
                f"timeline middle page (limit 100, cursor at {middle:,}: two pages)",
                args.repeat,
                lambda: timeline(walk.cursors[middle], 100),
                lambda: floor_pages(uid, *pages_of(middle, 100)),
                same_positions(middle),
                TARGET_MS["timeline"],
            ),
            compare(
                f"timeline last page (limit {LATEST}, cursor at {last})",
                args.repeat,
                lambda: timeline(walk.cursors[last], LATEST),
                lambda: floor_pages(uid, *pages_of(last, LATEST)),
                same_positions(last),
                TARGET_MS["timeline"],
            ),
            compare(
                "timeline type=call, middle (limit 20)",
                args.repeat,
                lambda: client.get(
                    f"/api/leads/{uid}/activities/",
                    {"type": "call", "limit": "20", "cursor": walk.cursors[middle]},
                ),
                lambda: floor_pages(uid, *pages_of(middle, 4 * LATEST)),
                None,
                TARGET_MS["timeline"],
            ),
            compare(
                "log a note",
                args.repeat,
                lambda: log_note("Benchmark note"),
                lambda: floor_note(twin["uid"], user.uid),
                None,
                TARGET_MS["note"],
            ),
            # The same requests on a lead with 30 activities: what a big lead costs more.
            compare(
                "for reference: detail of a lead with 30 activities",
                args.repeat,
                lambda: client.get(f"/api/leads/{small}/"),
                lambda: floor_lead(small),
                same_detail,
            ),
            compare(
                "for reference: a note on a lead with 30 activities",
                args.repeat,
                lambda: log_note("Benchmark note", small),
                lambda: floor_note(twin["uid"], user.uid),
            ),
        ]
        version = connection.database().command("buildInfo")["version"]
        stored = connection.leads().find_one({"type": "lead", "uid": uid}, {"activities": 1})
        assert stored is not None
        print(
            f"\ncode: {Path(leads.__file__).parent.parent}; MongoDB {version}; "
            f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}\n"
            f"one lead, {total:,} activities: {built:,} written as pages in "
            f"{build_seconds:.1f} s, {args.sample} logged through the API "
            f"({len(spills)} of them spilled a page)\n"
            f"the lead document: {lead_kb:.0f} KB as JSON with {len(lead['activities'])} "
            f"activities embedded; {len(stored['activities'])} after the timed notes\n"
            f"whole timeline walked through the API: {walk.requests} requests in "
            f"{walk.seconds:.1f} s, every activity once, newest first\n"
            f"API notes of the build: median {statistics.median(plain):.1f} ms, p95 "
            f"{statistics.quantiles(plain, n=20, method='inclusive')[-1]:.1f} ms; the ones "
            f"that spilled: {', '.join(f'{t:.1f}' for t in spills)} ms\n"
            f"{args.repeat} runs each, service and floor taking turns; service round trips "
            "include 1 for the bearer token\n"
        )
        _print_rows(rows)
        connection.close()


if __name__ == "__main__":
    main()
