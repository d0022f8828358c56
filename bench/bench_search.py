"""`q` at scale: the quick search and a searched list page, next to their raw-driver floor.

    .venv/bin/python bench/bench_search.py [--sizes 100000,1000000] [--repeat 40]

Starts a fresh local mongod, inserts small leads (the fields search reads, their contact keys
and their `search_terms`, derived by the same domain function the service uses) with
insert_many, and times each query kind at every size, growing the same collection (the index
exists from the start, so the search index is built the way a live service keeps it). The
service is timed through Django's in-process test client (bearer token looked up: 1 round
trip); the floor is one find on the same index with the same filter, sort and limit, no
Django, DRF or Pydantic, taking turns with the service.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import string
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
from rest_framework.test import APIClient  # noqa: E402

from leads.domain.contacts import email_key, phone_key  # noqa: E402
from leads.domain.enums import UserRole  # noqa: E402
from leads.domain.inputs import UserCreate  # noqa: E402
from leads.domain.search import query_terms, search_terms  # noqa: E402
from leads.services.users import auth_login, user_create  # noqa: E402
from leads.store import connection  # noqa: E402
from leads.store.indexes import ensure_indexes  # noqa: E402
from leads.store.leads import SEARCH_CANDIDATES  # noqa: E402
from leads.store.mongod import LocalMongod  # noqa: E402

Doc = dict[str, Any]

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PASSWORD = "benchmark-password"
BASE = datetime(2024, 1, 1, tzinfo=UTC)
FIRST = [
    "Ann", "Ben", "Chloé", "David", "Emma", "François", "Grace", "Hugo", "Inès", "Jack",
    "Karl", "Léa", "Maria", "Noah", "Olga", "Paul", "Quinn", "Rosa", "Sven", "Zoë",
]  # fmt: skip
WORDS = ["Systems", "Labs", "Group", "Partners", "Trading", "Foods", "Health", "Software"]
DOMAINS = ["gmail.com", "example.com", "mail.example.org", "outlook.com", "corp.example.net"]
BATCH = 10_000


def _word(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(length)).title()


def _lead(n: int, rng: random.Random) -> Doc:
    created = BASE + timedelta(seconds=n * 30)
    last = _word(rng, rng.randint(5, 9))
    first = FIRST[n % len(FIRST)]
    name = f"{first} {last}"
    company = f"{_word(rng, rng.randint(4, 8))} {WORDS[n % len(WORDS)]}"
    email = f"{first.lower()}.{last.lower()}{n % 100}@{DOMAINS[n % len(DOMAINS)]}"
    phone = f"+1 {200 + n % 800} 555 {n % 10_000:04d}"
    uid = f"LEAD-{created:%Y%m}-{n + 1:05d}"
    return {
        "type": "lead",
        "uid": uid,
        "name": name,
        "company": company,
        "email": email,
        "phone": phone,
        "email_key": email_key(email),
        "phone_key": phone_key(phone),
        "status": "open",
        "current_stage": "stage-new",
        "rank": f"{n:012d}",
        "version": 1,
        "created_at": created,
        "updated_at": created,
        "search_terms": search_terms(uid=uid, name=name, company=company, email=email, phone=phone),
    }


def seed(start: int, stop: int, rng: random.Random) -> list[Doc]:
    """Insert leads start..stop; returns a few of them to look for."""
    kept: list[Doc] = []
    for first in range(start, stop, BATCH):
        batch = [_lead(n, rng) for n in range(first, min(stop, first + BATCH))]
        # Inserting into a large search index may outlast a request's timeout.
        with connection.deadline(600):
            connection.leads().insert_many(batch, ordered=False)
        kept.append(batch[len(batch) // 2])
    return kept


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p90_ms: float
    trips: int


def _time(call: Callable[[], Any]) -> tuple[float, int]:
    with connection.count_round_trips() as counter:
        started = time.perf_counter()
        call()
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, counter.count


def _timing(samples: list[tuple[float, int]]) -> Timing:
    times = [ms for ms, _ in samples]
    return Timing(
        median_ms=statistics.median(times),
        p90_ms=statistics.quantiles(times, n=10, method="inclusive")[-1],
        trips=max(trips for _, trips in samples),
    )


def _floor(query: str, limit: int) -> Callable[[], Any]:
    terms = query_terms(query)

    def run() -> Any:
        # index: type_search_created
        return list(
            connection.leads()
            .find({"type": "lead", "search_terms": {"$all": terms}}, {"_id": 0, "uid": 1})
            .sort([("created_at", -1), ("uid", -1)])
            .limit(limit)
            .hint("type_search_created")
        )

    return run


def _keys_examined(query: str, limit: int) -> int:
    explained = connection.database().command(
        {
            "explain": {
                "find": "leads",
                "filter": {"type": "lead", "search_terms": {"$all": query_terms(query)}},
                "sort": {"created_at": -1, "uid": -1},
                "limit": limit,
                "hint": "type_search_created",
            },
            "verbosity": "executionStats",
        }
    )
    return int(explained["executionStats"]["totalKeysExamined"])


def measure(client: APIClient, queries: dict[str, str], repeat: int, size: int) -> list[str]:
    lines = []
    for kind, query in queries.items():

        def quick(q: str = query) -> Any:
            return client.get("/api/leads/search/", {"q": q})

        def page(q: str = query) -> Any:
            return client.get("/api/leads/", {"q": q, "limit": "25"})

        endpoints: dict[str, tuple[Callable[[], Any], Callable[[], Any], int]] = {
            "quick search": (
                quick,
                _floor(query, SEARCH_CANDIDATES),
                SEARCH_CANDIDATES,
            ),
            "list page (25)": (
                page,
                _floor(query, 26),
                26,
            ),
        }
        for endpoint, (service, floor, limit) in endpoints.items():
            response = service()
            assert response.status_code == 200, response.content
            found = len(response.json()["results"])
            floor()
            served: list[tuple[float, int]] = []
            floored: list[tuple[float, int]] = []
            for turn in range(repeat):
                pair: list[tuple[Callable[[], Any], list[tuple[float, int]]]] = [
                    (service, served),
                    (floor, floored),
                ]
                for call, samples in pair if turn % 2 else reversed(pair):
                    samples.append(_time(call))
            s, f = _timing(served), _timing(floored)
            lines.append(
                f"| {size:,} | {kind} `{query}` | {endpoint} | {found} | {s.median_ms:.2f} "
                f"| {s.p90_ms:.2f} | {s.trips} | {f.median_ms:.2f} | {f.trips} "
                f"| {s.median_ms / f.median_ms:.1f} | {_keys_examined(query, limit)} |"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    rng = random.Random(12)
    header = (
        "| leads | query | endpoint | rows | median ms | p90 ms | round trips | floor median ms "
        "| floor trips | ratio | keys examined (floor) |\n"
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [header]
    with tempfile.TemporaryDirectory() as data, LocalMongod(dbpath=data) as mongod:
        connection.configure(uri=mongod.uri, db_name="bench")
        ensure_indexes()
        admin = UserCreate(username="bench", password=PASSWORD, role=UserRole.ADMIN)
        user = user_create(data=admin)
        client = APIClient()
        token = auth_login(username=user.username, password=PASSWORD).token
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        seeded = 0
        kept: list[Doc] = []
        for size in sizes:
            started = time.perf_counter()
            kept += seed(seeded, size, rng)
            seeded = size
            stats = connection.database().command("collStats", "leads")
            index_mb = stats["indexSizes"]["type_search_created"] / 2**20
            print(
                f"{size:,} leads seeded in {time.perf_counter() - started:.0f} s; documents "
                f"{stats['avgObjSize']} B on average; search index {index_mb:.0f} MB",
                flush=True,
            )
            # The same leads are looked for at every size: found ones from the first batch.
            target = kept[0]
            first, last = target["name"].split()
            queries = {
                "one lead by surname": last[:5],
                "name, two words": f"{first[:2]} {last[:4]}",
                "exact email": target["email"],
                "exact phone": target["phone"],
                "lead number": str(int(target["uid"].rsplit("-", 1)[1])),
                "common prefix": "gra",
                "one letter": "a",
            }
            lines += measure(client, queries, args.repeat, size)
            print("\n".join([header, *lines[-2 * len(queries) :]]), flush=True)
        version = connection.database().command("buildInfo")["version"]
        connection.close()
    print(f"\nMongoDB {version}; {os.cpu_count()} cores; {args.repeat} runs each, alternating\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
