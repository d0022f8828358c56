"""Import speed: 100k rows of 12 columns through the code a worker runs, next to the floor.

    .venv/bin/python bench/bench_import.py [--rows 100000] [--profile]

Generates the CSV (streamed to a temporary file), uploads it as POST /api/imports/ does
(the whole file checked, stored in GridFS), queues it and runs the job in this process with
the worker's code: rows/s over the run, and the process's peak RSS before and after. The floor,
in the same run: `insert_many` of the very documents the import stored, in batches of the same
size, into a collection with the same indexes. `--profile` prints where a 20k-row run spends
its time (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import os
import pstats
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lead_crm.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

import leads  # noqa: E402
from leads.domain.enums import UserRole  # noqa: E402
from leads.domain.imports import ImportOptions  # noqa: E402
from leads.domain.inputs import UserCreate  # noqa: E402
from leads.services import imports as import_services  # noqa: E402
from leads.services.imports import BATCH_ROWS  # noqa: E402
from leads.services.jobs import job_run_now  # noqa: E402
from leads.services.users import user_create  # noqa: E402
from leads.store import connection  # noqa: E402
from leads.store.indexes import LEAD_INDEXES, ensure_indexes  # noqa: E402
from leads.store.mongod import LocalMongod  # noqa: E402

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HEADER = [
    "Name", "Email", "Phone", "Company", "Source", "Tags", "Budget", "Industry", "Website",
    "Expected close date", "Company size", "Decision maker",
]  # fmt: skip
INDUSTRIES = ["SaaS", "Retail", "Manufacturing", "Finance", "Healthcare", "Other"]
SIZES = ["8", "45", "120", "800", "2500"]


def write_csv(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(rows):
            domain = f"company{n % 500}.example.com"
            writer.writerow(
                [
                    f"Person {n:06d}",
                    f"person.{n}@{domain}",
                    f"+1 415 555 {n % 10000:04d}",
                    f"Company {n % 500}",
                    rng.choice(["web", "referral", "event", "cold call"]),
                    rng.choice(["vip", "q3; inbound", "", "partner"]),
                    f"{rng.randint(1, 500) * 100}",
                    rng.choice(INDUSTRIES),
                    f"https://{domain}/",
                    f"2027-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    rng.choice(SIZES),
                    f"Decider {n % 97}",
                ]
            )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_import(path: Path, actor: Any) -> tuple[str, float, float]:
    """Upload and run; returns the import uid, upload seconds, run seconds."""
    started = time.perf_counter()
    with path.open("rb") as stream:
        upload = import_services.import_upload(
            stream=stream, name=path.name, size=path.stat().st_size, actor=actor
        )
    uploaded = time.perf_counter() - started
    options = ImportOptions(mapping=upload.suggested_mapping)
    import_services.import_run(uid=upload.job.uid, options=options, actor=actor)
    started = time.perf_counter()
    assert job_run_now(uid=upload.job.uid) is not None
    return upload.job.uid, uploaded, time.perf_counter() - started


def floor(batch: int) -> tuple[int, float]:
    """insert_many of the imported documents into a collection with the leads' indexes."""
    target = connection.database()["floor"]
    target.drop()
    target.create_indexes(LEAD_INDEXES)
    # index: type_created_uid (every lead, read once before the clock starts)
    documents = list(connection.leads().find({"type": "lead"}, {"_id": 0}))
    started = time.perf_counter()
    for start in range(0, len(documents), batch):
        target.insert_many(documents[start : start + batch], ordered=False)
    elapsed = time.perf_counter() - started
    target.drop()
    return len(documents), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as scratch,
        LocalMongod(dbpath=Path(scratch) / "db") as mongod,
    ):
        connection.configure(uri=mongod.uri, db_name="bench")
        ensure_indexes()
        call_command("init_lead_data", verbosity=0)
        actor = user_create(
            data=UserCreate(username="bench", password="benchmark-password", role=UserRole.ADMIN)
        )
        path = Path(scratch) / "leads.csv"
        write_csv(path, args.rows)
        size_mb = path.stat().st_size / 1024 / 1024
        if args.profile:
            small = Path(scratch) / "small.csv"
            write_csv(small, 20_000, seed=8)
            profiler = cProfile.Profile()
            profiler.enable()
            run_import(small, actor)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
            connection.leads().delete_many({"type": "lead"})
        rss_before = peak_rss_mb()
        uid, uploaded, ran = run_import(path, actor)
        rss_after = peak_rss_mb()
        job = import_services.import_get(uid=uid)
        counts = job.progress
        assert counts["created"] == args.rows, counts
        inserted, floor_seconds = floor(BATCH_ROWS)
        version = connection.database().command("buildInfo")["version"]
        print(
            f"code: {Path(leads.__file__).parent.parent}; MongoDB {version}; "
            f"{os.cpu_count()} cores; {args.rows} rows x {len(HEADER)} columns, {size_mb:.1f} MB"
        )
        print(f"upload (whole file checked, stored in GridFS): {uploaded:.2f} s")
        print(
            f"import run: {ran:.2f} s = {args.rows / ran:,.0f} rows/s "
            f"({counts['created']} created, {counts['failed']} failed)"
        )
        print(
            f"floor, insert_many of the same {inserted} documents in batches of {BATCH_ROWS}: "
            f"{floor_seconds:.2f} s = {inserted / floor_seconds:,.0f} docs/s; "
            f"ratio {ran / floor_seconds:.1f}x"
        )
        print(f"peak RSS: {rss_before:.0f} MB before the import, {rss_after:.0f} MB after")
        connection.close()


if __name__ == "__main__":
    main()
