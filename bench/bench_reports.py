"""Server-side cost of every pipeline report at 100k leads with six months of history, next to
the raw cost of reading the same fields of the same leads.

    .venv/bin/python bench/bench_reports.py [--leads 100000] [--repeat 7] [--cache-gb 1]

The leads are the sample generator's (leads/management/sample_history.py): the same plans
`init_lead_data --leads N` replays through the services, turned here straight into the
documents those services would store (history with stage names, tasks done or skipped,
activities, won / lost with reasons) and inserted with insert_many, which takes minutes where
the replay would take hours.

Each report is timed through Django's in-process test client with a bearer token (median and
p90 of `--repeat` runs after one warm-up), alternating with two floors measured on the same data
in the same run: `$group floor`, an aggregation with the report's own `$match`, a `$project` of
the fields the report reads and a `$group` that only counts (the server reads what the report
reads and computes nothing); and `find floor`, a find of those fields with that filter, every
document shipped to Python and decoded. Watch the ratios: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lead_crm.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

import leads  # noqa: E402
from leads.domain.enums import StageKind, UserRole  # noqa: E402
from leads.domain.facts import FACTS_VERSION  # noqa: E402
from leads.domain.inputs import UserCreate  # noqa: E402
from leads.domain.models import WorkStage, new_uid  # noqa: E402
from leads.domain.ranks import rank_for_arrival  # noqa: E402
from leads.domain.reports import ReportFilter  # noqa: E402
from leads.management.sample_history import (  # noqa: E402
    HISTORY_DAYS,
    Finish,
    LeadPlan,
    Log,
    Workflow,
    plan_leads,
)
from leads.selectors.workflow import config_get, stage_list  # noqa: E402
from leads.services.summaries import summaries_rebuild  # noqa: E402
from leads.services.users import auth_login, user_create  # noqa: E402
from leads.store import connection  # noqa: E402
from leads.store import events as event_store  # noqa: E402
from leads.store import facts as facts_store  # noqa: E402
from leads.store import reports as report_store  # noqa: E402
from leads.store.facts import LEAD_FACTS, REPORT_ROLLUPS  # noqa: E402
from leads.store.indexes import ensure_indexes  # noqa: E402
from leads.store.mongod import LocalMongod  # noqa: E402
from leads.store.users import get_user_by_username  # noqa: E402

Doc = dict[str, Any]

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PASSWORD = "benchmark-password"
SELLERS = 8
BATCH = 1_000
# With --keep: what was seeded, and when (the history is relative to that moment).
SEEDED = "bench_seeded"


# --- data: the sample generator's plans as stored documents --------------------------------


def _activity(kind: str, at: datetime, actor: str, body: str, **details: Any) -> Doc:
    return {
        "uid": new_uid("act"),
        "type": kind,
        "actor": actor,
        "created_at": at,
        "occurred_at": None,
        "body": body,
        "outcome": None,
        "duration_minutes": None,
        "details": details,
    }


def _visit(stage: WorkStage, at: datetime, actor: str) -> Doc:
    return {
        "kind": "stage_visit",
        "stage": stage.uid,
        "name": stage.name,
        "entered_at": at,
        "entered_by": actor,
        "exited_at": None,
        "exited_by": None,
        "duration_seconds": None,
    }


def _tasks(stage: WorkStage, at: datetime, actor: str) -> list[Doc]:
    return [
        {
            "uid": new_uid("task"),
            "template_uid": template.uid,
            "stage": stage.uid,
            "title": template.title,
            "description": template.description,
            "required": template.required,
            "skippable": template.skippable,
            "status": "pending",
            "priority": template.priority.value,
            "due_at": None
            if template.due_in_hours is None
            else at + timedelta(hours=template.due_in_hours),
            "assigned_to": None,
            "created_at": at,
            "created_by": actor,
            "completed_at": None,
            "completed_by": None,
        }
        for template in sorted(stage.task_templates, key=lambda template: template.order)
    ]


_STATUS = {StageKind.OPEN: "open", StageKind.WON: "won", StageKind.LOST: "lost"}


def document(number: int, plan: LeadPlan, stages: dict[str, WorkStage], creator: str) -> Doc:
    """The lead a replay of `plan` through the services would leave (what reports read is
    exact: visits, names, times, status, reasons, activities, tasks)."""
    created = plan.created_at
    worker = plan.actor or creator
    stage = stages[plan.visited[0]]
    lead = plan.lead
    data = dict(lead.data)
    history = [_visit(stage, created, creator)]
    tasks = _tasks(stage, created, creator)
    activities = [
        _activity("system", created, creator, f"Lead created in {stage.name}", event="created")
    ]
    fields: Doc = {"status": "open", "closed_at": None, "lost_reason": None, "lost_note": None}
    entered_at, last_activity = created, created
    version = 1
    for step in plan.steps:
        version += 1
        last_activity = step.at
        if isinstance(step, Log):
            activities.append(
                _activity(step.activity.type.value, step.at, worker, step.activity.body)
            )
        elif isinstance(step, Finish):
            task = next(
                task
                for task in tasks
                if task["template_uid"] == step.template_uid
                and task["stage"] == step.stage
                and task["status"] == "pending"
            )
            task.update(
                status="skipped" if step.skip else "completed",
                completed_at=step.at,
                completed_by=worker,
            )
            event = "skipped" if step.skip else "completed"
            activities.append(
                _activity("task", step.at, worker, task["title"], task_uid=task["uid"], event=event)
            )
        else:
            target = stages[step.to_stage]
            open_visit = history[-1]
            open_visit.update(
                exited_at=step.at,
                exited_by=worker,
                duration_seconds=int((step.at - open_visit["entered_at"]).total_seconds()),
            )
            history.append(_visit(target, step.at, worker))
            data.update(step.data)
            tasks += _tasks(target, step.at, worker)
            status = _STATUS[target.kind]
            if status != fields["status"]:
                fields["status"] = status
                fields["closed_at"] = step.at if status != "open" else None
            fields["lost_reason"] = step.lost_reason
            fields["lost_note"] = step.lost_note
            activities.append(
                _activity(
                    "stage_change",
                    step.at,
                    worker,
                    f"Moved from {stage.name} to {target.name}",
                    from_stage=stage.uid,
                    to_stage=target.uid,
                )
            )
            stage, entered_at = target, step.at
    open_due = [task["due_at"] for task in tasks if task["status"] == "pending" and task["due_at"]]
    return {
        "type": "lead",
        "uid": f"LEAD-{created:%Y%m}-{number:06d}",
        "name": lead.name,
        "email": lead.email,
        "phone": lead.phone,
        "company": lead.company,
        "source": lead.source,
        "current_stage": stage.uid,
        "rank": rank_for_arrival(entered_at),
        "stage_entered_at": entered_at,
        "assigned_to": list(lead.assigned_to or []),
        "data": data,
        "tags": list(lead.tags),
        "version": version,
        "created_at": created,
        "updated_at": last_activity,
        "created_by": creator,
        **fields,
        "next_due_at": min(open_due, default=None),
        "last_activity_at": last_activity,
        "tasks": tasks,
        "activities": activities,
        "history": history,
        "last_move": None,
    }


def seed(count: int, sellers: list[str], creator: str, now: datetime, copies: int) -> float:
    """Plan `count / copies` sample leads and insert each `copies` times (each copy with its own
    uid, task and activity uids, and seller); the average document size in KB. The indexes
    are built once the documents are in, which is faster than keeping them up row by row."""
    stages = {stage.uid: stage for stage in stage_list()}
    workflow = Workflow.of(config_get(), list(stages.values()))
    rng = random.Random(2024)
    connection.leads().drop_indexes()
    done = 0
    while done < count:
        plans = plan_leads(
            count=min(10_000, count - done) // copies or 1,
            workflow=workflow,
            assignees=sellers,
            now=now,
            rng=rng,
        )
        batch: list[Doc] = []
        for copy in range(copies):
            for plan in plans:
                lead = document(done + len(batch) + 1, plan, stages, creator)
                lead["assigned_to"] = [sellers[(len(batch) + copy) % len(sellers)]]
                batch.append(lead)
        for start in range(0, len(batch), BATCH):
            # A loaded machine may take longer than a request's timeout to index a batch.
            with connection.deadline(600):
                connection.leads().insert_many(batch[start : start + BATCH], ordered=False)
        done += len(batch)
        print(f"  {done} leads", file=sys.stderr)
    with connection.deadline(3600):
        ensure_indexes()
    stats = connection.database().command("collStats", "leads")
    size = stats["avgObjSize"]
    return float(size) / 1024


# --- measuring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    name: str
    path: str
    pipeline: Callable[[], list[Doc]]  # the pipeline the store runs over lead_facts
    fields: list[str]  # what it reads of each fact
    store: Callable[[], Any]  # the store's whole aggregation
    summaries: Callable[[], report_store.Summaries]  # what the store chose to read


@dataclass(frozen=True)
class Row:
    name: str
    median_ms: float | None  # None: every request ran out of the service's timeout (503)
    max_ms: float | None
    trips: str
    store_ms: float
    group_ms: float
    find_ms: float
    leads_read: int
    source: str  # "rollups" or "facts"
    read_ms: float  # the chosen documents found and shipped raw
    documents_read: int


def _ms(call: Callable[[], Any]) -> tuple[float, int]:
    with connection.count_round_trips() as trips:
        started = time.perf_counter()
        call()
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, trips.count


def _floors(report: Report) -> tuple[Callable[[], Any], Callable[[], Any]]:
    # The report's own $match, with the status range its lookup keys the facts by.
    match = {
        "status": {"$in": ["open", "won", "lost", "archived"]},
        **report.pipeline()[0]["$match"],
    }
    projection = {"_id": 0, **{field: 1 for field in report.fields}}
    facts = connection.database()[LEAD_FACTS]

    def group_floor() -> Any:
        with connection.deadline(600):
            return list(
                facts.aggregate(
                    [
                        {"$match": match},
                        {"$project": projection},
                        {"$group": {"_id": None, "n": {"$sum": 1}}},
                    ]
                )
            )

    def find_floor() -> Any:
        with connection.deadline(600):
            return sum(1 for _ in facts.find(match, projection, batch_size=10_000))

    return group_floor, find_floor


def _read_floor(report: Report) -> Callable[[], int]:
    """The raw cost of the documents the report reads: its summaries' first $match with the
    key its lookup adds, found and shipped to Python."""
    chosen = report.summaries()
    query = {chosen.key_field: {"$in": chosen.keys}, **chosen.pipeline[0]["$match"]}

    def read() -> int:
        with connection.deadline(600):
            return sum(1 for _ in connection.database()[chosen.collection].find(query))

    return read


def measure(client: APIClient, report: Report, query: dict[str, str], repeat: int) -> Row:
    def serve() -> bool:
        """One request, with the service's own timeout: False when it ran out (a 503)."""
        response = client.get(report.path, query)
        if response.status_code == 503:
            return False
        assert response.status_code == 200, response.content[:300]
        return True

    def store() -> Any:
        # The same aggregation without Django, given as long as it takes.
        with connection.deadline(600):
            workflow, rows = report.store()
        assert workflow.from_summaries, f"{report.name} did not read the summaries"
        return rows

    group_floor, find_floor = _floors(report)
    read_floor = _read_floor(report)
    answers = serve()
    read = group_floor()
    documents_read = read_floor()
    service, stored, group, find, raw = [], [], [], [], []
    trips: set[int] = set()
    for run in range(repeat):
        order = [0, 1, 2, 3, 4] if run % 2 == 0 else [4, 3, 2, 1, 0]
        for which in order:
            if which == 0 and answers:
                elapsed, count = _ms(serve)
                service.append(elapsed)
                trips.add(count)
            elif which == 1:
                stored.append(_ms(store)[0])
            elif which == 2:
                group.append(_ms(group_floor)[0])
            elif which == 3:
                find.append(_ms(find_floor)[0])
            elif which == 4:
                raw.append(_ms(read_floor)[0])
    return Row(
        name=report.name,
        median_ms=statistics.median(service) if service else None,
        max_ms=max(service) if service else None,
        trips="-".join(str(n) for n in sorted({min(trips), max(trips)})) if trips else "-",
        store_ms=statistics.median(stored),
        group_ms=statistics.median(group),
        find_ms=statistics.median(find),
        leads_read=read[0]["n"] if read else 0,
        source="rollups" if report.summaries().collection == REPORT_ROLLUPS else "facts",
        read_ms=statistics.median(raw),
        documents_read=documents_read,
    )


def reports(report_filter: ReportFilter, now: datetime) -> list[Report]:
    visits = ["status", "visits"]
    return [
        Report(
            "funnel",
            "/api/reports/funnel/",
            lambda: report_store.funnel_fact_pipeline(report_filter),
            visits,
            lambda: report_store.funnel_counts(report_filter),
            lambda: report_store.funnel_summaries(report_filter),
        ),
        Report(
            "stage-times",
            "/api/reports/stage-times/",
            lambda: report_store.stage_times_fact_pipeline(report_filter, now),
            visits,
            lambda: report_store.stage_times(report_filter, now),
            lambda: report_store.stage_times_summaries(report_filter, now),
        ),
        Report(
            "win-rate by month",
            "/api/reports/win-rate/",
            lambda: report_store.win_rate_pipeline(report_filter, "month", report_store.FACTS),
            ["status", "closed_at", "value", "assigned_to", "source"],
            lambda: report_store.win_rate(report_filter, "month"),
            lambda: report_store.win_rate_summaries(report_filter, "month"),
        ),
        Report(
            "forecast",
            "/api/reports/forecast/",
            lambda: report_store.forecast_pipeline(report_filter, report_store.FACTS),
            ["status", "closed_at", "value", "stage", "expected_close"],
            lambda: report_store.forecast(report_filter),
            lambda: report_store.forecast_summaries(report_filter),
        ),
        Report(
            "lost-reasons",
            "/api/reports/lost-reasons/",
            lambda: report_store.lost_reasons_pipeline(report_filter, report_store.FACTS),
            ["lost_reason", "value", "visits"],
            lambda: report_store.lost_reasons(report_filter),
            lambda: report_store.lost_reasons_summaries(report_filter),
        ),
        Report(
            "activity by user",
            "/api/reports/activity/",
            lambda: report_store.activity_fact_pipeline(report_filter, "user"),
            ["activity"],
            lambda: report_store.activity(report_filter, "user"),
            lambda: report_store.activity_summaries(report_filter, "user"),
        ),
    ]


def _print(title: str, rows: list[Row]) -> None:
    print(f"\n{title}\n")
    print(
        "| report | reads | service median ms | service max ms | round trips | store ms "
        "| read floor ms | documents read | store / read floor "
        "| facts $group floor ms | facts find floor ms | facts matched |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        service = "timeout (503)" if row.median_ms is None else f"{row.median_ms:.0f}"
        worst = "-" if row.max_ms is None else f"{row.max_ms:.0f}"
        print(
            f"| {row.name} | {row.source} | {service} | {worst} | {row.trips} "
            f"| {row.store_ms:.0f} | {row.read_ms:.0f} | {row.documents_read} "
            f"| {row.store_ms / row.read_ms:.1f}x | {row.group_ms:.0f} | {row.find_ms:.0f} "
            f"| {row.leads_read} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--cache-gb", type=float, default=1.0)
    parser.add_argument(
        "--copies",
        type=int,
        default=4,
        help="insert each planned lead this many times (planning is the slow part)",
    )
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="keep the database in DIR and reuse it when it already holds --leads leads "
        "(seeding takes many minutes); the summaries are rebuilt only when they were built "
        "for another fact definition",
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="rebuild the summaries of a kept database"
    )
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as scratch,
        LocalMongod(dbpath=args.keep or scratch, cache_size_gb=args.cache_gb) as mongod,
    ):
        connection.configure(uri=mongod.uri, db_name="bench")
        seeded_before = connection.database()[SEEDED].find_one({"leads": args.leads})
        if seeded_before is None:
            connection.client().drop_database("bench")
            ensure_indexes()
            call_command("init_lead_data", verbosity=0)
            admin = user_create(
                data=UserCreate(username="bench", password=PASSWORD, role=UserRole.ADMIN)
            )
            sellers = [
                user_create(data=UserCreate(username=f"seller{n}", password=PASSWORD)).uid
                for n in range(SELLERS)
            ]
            now = datetime.now(UTC).replace(second=0, microsecond=0)
            started = time.perf_counter()
            kb = seed(args.leads, sellers, admin.uid, now, args.copies)
            seeded = time.perf_counter() - started
            connection.database()[SEEDED].insert_one(
                {"leads": args.leads, "now": now, "kb": kb, "seconds": seeded}
            )
        else:
            ensure_indexes()
            found = get_user_by_username("bench")
            assert found is not None, "the kept database has no benchmark user"
            admin = found
            now = seeded_before["now"].replace(tzinfo=UTC)
            kb, seeded = seeded_before["kb"], seeded_before["seconds"]
        started = time.perf_counter()
        state = facts_store.summaries_state()
        stale = state is None or state.definition != FACTS_VERSION
        if seeded_before is None or stale or args.rebuild:
            # What the reader does when it finds no summaries (services/summaries.py).
            summaries_rebuild(owner="bench-reader", lease_seconds=3600, wait_seconds=0)
        built = time.perf_counter() - started
        facts_kb = connection.database().command("collStats", LEAD_FACTS)["avgObjSize"] / 1024
        # The summaries are read while a reader holds its lease; nothing writes meanwhile.
        lease_from = datetime.now(UTC)
        event_store.claim_reader(
            owner="bench-reader", now=lease_from, lease_until=lease_from + timedelta(hours=6)
        )
        client = APIClient()
        token = auth_login(username=admin.username, password=PASSWORD).token
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        version = connection.database().command("buildInfo")["version"]
        print(
            f"\ncode: {Path(leads.__file__).parent.parent}; MongoDB {version}, "
            f"{args.cache_gb} GB cache; {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}\n"
            f"{args.leads} leads over "
            f"{HISTORY_DAYS} days ({args.leads // args.copies} plans, each inserted "
            f"{args.copies} times) seeded in {seeded:.0f} s, {kb:.1f} KB each on average; "
            f"summaries built in {built:.0f} s, {facts_kb:.2f} KB a fact on average; "
            f"{args.repeat} runs each, service, store and floors alternating; service round "
            "trips include 1 for the bearer token; service max is the slowest run"
        )

        def last(days: int, **lead_filter: str) -> tuple[dict[str, str], ReportFilter]:
            """The web app's "last N days" (today included), as a query and as a filter."""
            first = (now - timedelta(days=days - 1)).date()
            query = {"from": first.isoformat(), "to": now.date().isoformat(), **lead_filter}
            return query, ReportFilter(
                start=datetime.combine(first, datetime.min.time(), UTC),
                end=datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC),
                **lead_filter,
            )

        seller = get_user_by_username("seller0")
        assert seller is not None
        periods = {
            "whole history (no period)": ({}, ReportFilter()),
            "last 6 months (the Reports page's default)": last(180),
            "last 30 days": last(30),
            "one seller's leads, last 6 months (reads the facts)": last(
                180, assigned_to=seller.uid
            ),
        }
        for title, (query, report_filter) in periods.items():
            rows = [
                measure(client, report, query, args.repeat)
                for report in reports(report_filter, now)
            ]
            _print(f"### {title} (load {os.getloadavg()[0]:.1f})", rows)
        connection.close()


if __name__ == "__main__":
    main()
