"""Server-side cost of the hot endpoints on a realistic data set, against a real local mongod.

    .venv/bin/python bench/bench_api.py [--leads 20000] [--repeat 30]

Prints, per request: median and p90 wall time (in-process Django test client, so HTTP parsing
is left out) and the MongoDB round trips. The point is the ratios inside one run (page 1 vs a
deep page, an empty vs a full board), not absolute numbers: these machines are shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lead_crm.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from leads.domain.enums import UserRole  # noqa: E402
from leads.domain.inputs import UserCreate  # noqa: E402
from leads.domain.models import utcnow  # noqa: E402
from leads.domain.ranks import rank_for_arrival  # noqa: E402
from leads.services.users import auth_login, user_create  # noqa: E402
from leads.store import connection  # noqa: E402
from leads.store.indexes import ensure_indexes  # noqa: E402
from leads.store.mongod import LocalMongod  # noqa: E402

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PASSWORD = "benchmark-password"


def _seed(count: int, stages: list[str]) -> None:
    """`count` leads spread over the stages, each with a few tasks and activities."""
    now = utcnow()
    batch: list[dict[str, Any]] = []
    for n in range(1, count + 1):
        created = now - timedelta(minutes=n)
        stage = stages[n % len(stages)]
        batch.append(
            {
                "type": "lead",
                "uid": f"LEAD-202601-{n:05d}",
                "name": f"Lead {n:05d}",
                "email": f"lead{n}@example.com",
                "company": f"Company {n % 997}",
                "status": "open",
                "current_stage": stage,
                "rank": rank_for_arrival(created),
                "stage_entered_at": created,
                "assigned_to": [],
                "data": {"budget": float(n % 50 * 1000), "industry": "saas"},
                "tags": ["hot"] if n % 7 == 0 else [],
                "tasks": [
                    {
                        "uid": f"t{k}",
                        "stage": stage,
                        "title": f"Task {k}",
                        "required": k == 0,
                        "status": "completed" if k else "pending",
                        "created_at": created,
                    }
                    for k in range(3)
                ],
                "activities": [
                    {"uid": f"a{k}", "type": "note", "created_at": created, "body": "x" * 200}
                    for k in range(30)
                ],
                "history": [{"kind": "stage_visit", "stage": stage, "entered_at": created}],
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


def _measure(name: str, repeat: int, call: Callable[[], Any]) -> dict[str, Any]:
    call()  # warm caches
    times = []
    trips = 0
    for _ in range(repeat):
        with connection.count_round_trips() as counter:
            started = time.perf_counter()
            response = call()
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code < 300, (name, response.status_code, response.content[:300])
        trips = counter.count
    times.sort()
    return {
        "name": name,
        "median_ms": statistics.median(times),
        "p90_ms": times[int(len(times) * 0.9) - 1],
        "round_trips": trips,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data, LocalMongod(dbpath=data) as mongod:
        connection.configure(uri=mongod.uri, db_name="bench")
        ensure_indexes()
        from django.core.management import call_command

        call_command("init_lead_data", verbosity=0)
        stages = [s["uid"] for s in connection.leads().find({"type": "stage"}, {"uid": 1})]
        seed_started = time.perf_counter()
        _seed(args.leads, stages)
        seeded = time.perf_counter() - seed_started
        user = user_create(
            data=UserCreate(username="bench", password=PASSWORD, role=UserRole.ADMIN)
        )
        client = APIClient()
        token = auth_login(username=user.username, password=PASSWORD).token
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

        # The cursor of the last-but-one page (page 1,000 of 20,000 leads by 20).
        pages_walked = min(1000, args.leads // 20)
        deep = client.get("/api/leads/", {"limit": "20"}).json()
        for _ in range(pages_walked - 2):
            deep = client.get(deep["next"]).json()
        deep_next = deep["next"]
        lead_uid = "LEAD-202601-00042"
        results = [
            _measure(
                "list page 1 (limit 20)",
                args.repeat,
                lambda: client.get("/api/leads/", {"limit": "20"}),
            ),
            _measure(
                f"list page {pages_walked} (limit 20, cursor)",
                args.repeat,
                lambda: client.get(deep_next),
            ),
            _measure(
                "list filtered by tag, page 1",
                args.repeat,
                lambda: client.get("/api/leads/", {"tag": "hot", "limit": "20"}),
            ),
            _measure(
                "list search q, page 1",
                args.repeat,
                lambda: client.get("/api/leads/", {"q": "company 5", "limit": "20"}),
            ),
            _measure("lead detail", args.repeat, lambda: client.get(f"/api/leads/{lead_uid}/")),
            _measure(
                f"kanban board {len(stages)} columns x 50",
                args.repeat,
                lambda: client.get("/api/leads/kanban/", {"per_column": "50"}),
            ),
            _measure(
                f"kanban board {len(stages)} columns x 200",
                args.repeat,
                lambda: client.get("/api/leads/kanban/", {"per_column": "200"}),
            ),
            _measure(
                "timeline page (20 of 30)",
                args.repeat,
                lambda: client.get(f"/api/leads/{lead_uid}/activities/"),
            ),
        ]
        print(
            f"\n{args.leads} leads seeded in {seeded:.1f} s; {args.repeat} runs each; "
            "round trips include 1 for the bearer token\n"
        )
        print("| request | median ms | p90 ms | round trips |")
        print("|---|---:|---:|---:|")
        for row in results:
            print(
                f"| {row['name']} | {row['median_ms']:.1f} | {row['p90_ms']:.1f} "
                f"| {row['round_trips']} |"
            )
        connection.close()


if __name__ == "__main__":
    main()
