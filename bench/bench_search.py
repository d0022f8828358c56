"""`q` at scale: the quick search and a searched list page, next to their raw-driver floor.

    .venv/bin/python bench/bench_search.py [--sizes 100000,1000000] [--repeat 40] [--cache-gb 4]

Starts a fresh local mongod (its own WiredTiger cache, --cache-gb), inserts small leads (the
fields search reads, their contact keys and their `search_terms`, derived by the same domain
function the service uses) with insert_many into the collection WITHOUT its indexes, then builds
them (ensure_indexes): a bulk build sorts the keys once, where inserting into a live multikey
index of tens of millions of keys is hours on a shared machine. Each size grows the same
collection, its indexes dropped before and rebuilt after. The service is timed through
Django's in-process test client (bearer token looked up: 1 round trip); the floor is one find
on the same index with the same filter (store.leads.search_match), sort and limit, no Django,
DRF or Pydantic, taking turns with the service.
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
from leads.domain.search import SEARCH_TERMS_VERSION, query_terms, search_terms  # noqa: E402
from leads.services.users import auth_login, user_create  # noqa: E402
from leads.store import connection  # noqa: E402
from leads.store.indexes import ensure_indexes  # noqa: E402
from leads.store.leads import SEARCH_CANDIDATES, search_match  # noqa: E402
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
    # One number per lead up to 8M leads; a last group shared by one lead in 10,000.
    phone = f"+1 {200 + n // 10_000 % 800} 555 {n * 7919 % 10_000:04d}"
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
        "search_terms_v": SEARCH_TERMS_VERSION,
    }


@dataclass
class Seeded:
    kept: list[Doc]
    terms: int = 0


def seed(start: int, stop: int, rng: random.Random, seeded: Seeded) -> tuple[float, float]:
    """Insert leads start..stop with the collection's indexes dropped, then build them; keeps a
    few of the leads to look for and counts their terms; returns the seconds inserting and the
    seconds building."""
    started = time.perf_counter()
    connection.leads().drop_indexes()
    for first in range(start, stop, BATCH):
        batch = [_lead(n, rng) for n in range(first, min(stop, first + BATCH))]
        with connection.deadline(600):
            connection.leads().insert_many(batch, ordered=False)
        seeded.kept.append(batch[len(batch) // 2])
        seeded.terms += sum(len(lead["search_terms"]) for lead in batch)
    inserted = time.perf_counter()
    print(f"{stop:,} leads inserted in {inserted - started:.0f} s", flush=True)
    # Bounded by ensure_indexes' own deadline (INDEX_BUILD_SECONDS).
    ensure_indexes()
    return inserted - started, time.perf_counter() - inserted


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p95_ms: float
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
        p95_ms=statistics.quantiles(times, n=20, method="inclusive")[-1],
        trips=max(trips for _, trips in samples),
    )


def _filter(query: str) -> Doc:
    return {"type": "lead", **search_match(query_terms(query))}


def _floor(query: str, limit: int) -> Callable[[], Any]:
    query_filter = _filter(query)

    def run() -> Any:
        # index: type_search_created
        return list(
            connection.leads()
            .find(query_filter, {"_id": 0, "uid": 1})
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
                "filter": _filter(query),
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
                f"| {s.p95_ms:.2f} | {s.trips} | {f.median_ms:.2f} | {f.trips} "
                f"| {s.median_ms / f.median_ms:.1f} | {_keys_examined(query, limit)} |"
            )
    return lines


def _load() -> str:
    with open("/proc/loadavg") as loadavg:
        return " ".join(loadavg.read().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--cache-gb", type=float, default=4.0)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    rng = random.Random(12)
    header = (
        "| leads | query | endpoint | rows | median ms | p95 ms | round trips | floor median ms "
        "| floor trips | ratio | keys examined (floor) |\n"
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [header]
    notes: list[str] = []
    with (
        tempfile.TemporaryDirectory() as data,
        LocalMongod(dbpath=data, cache_size_gb=args.cache_gb) as mongod,
    ):
        connection.configure(uri=mongod.uri, db_name="bench")
        ensure_indexes()
        admin = UserCreate(username="bench", password=PASSWORD, role=UserRole.ADMIN)
        user = user_create(data=admin)
        client = APIClient()
        token = auth_login(username=user.username, password=PASSWORD).token
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        seeded = Seeded(kept=[])
        start = 0
        for size in sizes:
            insert_s, build_s = seed(start, size, rng, seeded)
            start = size
            with connection.deadline(60):
                stats = connection.database().command("collStats", "leads")
            search_bytes = stats["indexSizes"]["type_search_created"]
            terms = seeded.terms / size
            notes.append(
                f"{size:,} leads: inserted in {insert_s:.0f} s, indexes built in {build_s:.0f} s; "
                f"documents {stats['avgObjSize']} B on average, {terms:.1f} search terms a "
                f"lead; type_search_created {search_bytes / 2**20:.0f} MB "
                f"({search_bytes / size:.0f} B a lead), type_search_version "
                f"{stats['indexSizes']['type_search_version'] / 2**20:.1f} MB, all indexes "
                f"{stats['totalIndexSize'] / 2**20:.0f} MB; load average {_load()}"
            )
            print(notes[-1], flush=True)
            # The same leads are looked for at every size: found ones from the first batch.
            target = seeded.kept[0]
            first, last = target["name"].split()
            _country, area, exchange, line = target["phone"].split()
            queries = {
                "one lead by surname": last[:5],
                "name, two words": f"{first[:2]} {last[:4]}",
                "exact email": target["email"],
                "exact phone": target["phone"],
                "phone without country code": f"({area}) {exchange}-{line}",
                "lead number": str(int(target["uid"].rsplit("-", 1)[1])),
                "common prefix": "gra",
                "one letter": "a",
            }
            lines += measure(client, queries, args.repeat, size)
            print("\n".join([header, *lines[-2 * len(queries) :]]), flush=True)
            print(f"measured; load average {_load()}", flush=True)
        version = connection.database().command("buildInfo")["version"]
        connection.close()
    print(f"\nMongoDB {version}; {os.cpu_count()} cores; {args.repeat} runs each, alternating\n")
    print("\n".join(notes))
    print()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
