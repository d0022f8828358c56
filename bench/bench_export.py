"""Export of 100,000 leads: time and peak memory of the service's CSV / XLSX export, next to its
floor, measured in the same run.

    .venv/bin/python bench/bench_export.py [--leads 100000]

The parent starts a fresh local mongod, seeds the leads straight into it (each with the tasks,
notes and history that an export must leave on the server), then runs every measurement in a
child process of its own, so that each one's peak RSS (`ru_maxrss`) is its own:

- `idle`: the child imports Django and the service and does nothing: the memory every row
  starts from.
- `floor`: the same find (filter, sort, projection) with raw PyMongo and `csv.writer`, no
  Django, DRF or Pydantic: the least an export of these rows can cost.
- `csv` / `xlsx`: GET /api/leads/export/ through Django's in-process test client, the streamed
  body read chunk by chunk and dropped, as a client writing it to disk would.
- `csv 10%`: the same export filtered to a tenth of the leads (`tag=hot`): constant memory
  means its peak is the full export's.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lead_crm.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from leads.domain.enums import UserRole  # noqa: E402
from leads.domain.export import EXPORTED_FIELDS  # noqa: E402
from leads.domain.inputs import UserCreate  # noqa: E402
from leads.domain.models import utcnow  # noqa: E402
from leads.domain.ranks import rank_for_arrival  # noqa: E402
from leads.services.users import auth_login, user_create  # noqa: E402
from leads.store import connection  # noqa: E402
from leads.store.indexes import ensure_indexes  # noqa: E402
from leads.store.mongod import LocalMongod  # noqa: E402

Doc = dict[str, Any]
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PASSWORD = "benchmark-password"
DB = "bench_export"
NOTES = 10
NOTE = "x" * 200


def seed(count: int, stage_uids: list[str]) -> None:
    now = utcnow()
    batch: list[Doc] = []
    for n in range(1, count + 1):
        created = now - timedelta(minutes=n)
        stage = stage_uids[n % len(stage_uids)]
        batch.append(
            {
                "type": "lead",
                "uid": f"LEAD-202601-{n:06d}",
                "name": f"Lead {n:06d}",
                "email": f"lead{n}@example.com",
                "email_key": f"lead{n}@example.com",
                "phone": f"+1 415 555 {n % 10000:04d}",
                "phone_key": f"+1415555{n % 10000:04d}",
                "company": f"Company {n % 997}",
                "source": "Web",
                "status": "open",
                "current_stage": stage,
                "rank": rank_for_arrival(created),
                "stage_entered_at": created,
                "assigned_to": [],
                "data": {
                    "budget": float(n % 50 * 1000),
                    "industry": "saas",
                    "notes": "=SUM(A1)" if n % 100 == 0 else "Met at the fair",
                },
                "tags": ["hot"] if n % 10 == 0 else ["cold", "inbound"],
                "tasks": [
                    {"uid": f"task-{n}-{k}", "title": "Call", "stage": stage, "status": "pending"}
                    for k in range(3)
                ],
                "activities": [
                    {
                        "uid": f"act-{n}-{k}",
                        "type": "note",
                        "created_at": created,
                        "body": "x" * 200,
                    }
                    for k in range(NOTES)
                ],
                "history": [{"kind": "stage_visit", "stage": stage, "entered_at": created}],
                "version": 1,
                "created_at": created,
                "updated_at": created,
            }
        )
        if len(batch) == 5_000:
            connection.leads().insert_many(batch, ordered=False)
            batch = []
    if batch:
        connection.leads().insert_many(batch, ordered=False)


def _status_mb(name: str) -> float:
    """VmRSS (now) or VmHWM (the peak since the last reset) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> None:
    # Linux: writing 5 to clear_refs resets VmHWM to the current RSS, so the peak read after a
    # run is the run's own, not the imports'.
    Path("/proc/self/clear_refs").write_text("5")


def child(mode: str, uri: str, token: str) -> Doc:
    connection.configure(uri=uri, db_name=DB)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    # Warm up (first request: URL resolution, lazy imports, the connection pool), not measured.
    for _chunk in client.get("/api/leads/export/?tag=nothing").streaming_content:  # type: ignore[attr-defined]
        pass
    connection.leads().find_one({"type": "lead"})
    rows = 0
    size = 0
    before = _status_mb("VmRSS")
    _reset_peak()
    started = time.perf_counter()
    if mode == "floor":
        query: Doc = {"type": "lead"}
        cursor = (
            connection.leads()
            .find(query, {"_id": 0, **{name: 1 for name in EXPORTED_FIELDS}})
            .sort([("created_at", -1), ("uid", -1)])
            .batch_size(1_000)
        )
        with open(os.devnull, "w", newline="") as sink:
            writer = csv.writer(sink)
            for document in cursor:
                data = document.get("data", {})
                writer.writerow(
                    [
                        *(document.get(name) for name in EXPORTED_FIELDS if name != "data"),
                        *data.values(),
                    ]
                )
                rows += 1
    elif mode != "idle":
        path = {
            "csv": "/api/leads/export/?format=csv",
            "xlsx": "/api/leads/export/?format=xlsx",
            "csv 10%": "/api/leads/export/?format=csv&tag=hot",
        }[mode]
        response = client.get(path)
        assert response.status_code == 200, response.content
        for chunk in response.streaming_content:  # type: ignore[attr-defined]
            size += len(chunk)
    seconds = time.perf_counter() - started
    return {
        "mode": mode,
        "seconds": seconds,
        "start_mb": before,
        "peak_mb": _status_mb("VmHWM"),
        "rows": rows,
        "bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--uri", help=argparse.SUPPRESS)
    parser.add_argument("--token", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.uri, args.token)))
        return
    with tempfile.TemporaryDirectory() as data, LocalMongod(dbpath=data) as mongod:
        connection.configure(uri=mongod.uri, db_name=DB)
        ensure_indexes()
        call_command("init_lead_data", verbosity=0)
        stage_uids = [doc["uid"] for doc in connection.leads().find({"type": "stage"})]
        started = time.perf_counter()
        seed(args.leads, stage_uids)
        seeded = time.perf_counter() - started
        user = user_create(
            data=UserCreate(username="bench", password=PASSWORD, role=UserRole.VIEWER)
        )
        token = auth_login(username=user.username, password=PASSWORD).token
        stats = connection.database().command("collStats", "leads")
        version = connection.database().command("buildInfo")["version"]
        results = []
        for mode in ("idle", "floor", "csv", "csv 10%", "xlsx"):
            output = subprocess.run(
                [sys.executable, __file__, "--child", mode, "--uri", mongod.uri, "--token", token],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results.append(json.loads(output.strip().splitlines()[-1]))
        connection.close()
    print(
        f"\nMongoDB {version}; {os.cpu_count()} cores; {args.leads} leads seeded in "
        f"{seeded:.1f} s; collection {stats['size'] / 2**20:.0f} MB (tasks, {NOTES} notes, "
        "history each)\n"
    )
    print("| run | seconds | leads/s | RSS at start MB | peak RSS MB | peak - start MB | body MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for result in results:
        count = {"idle": 0, "csv 10%": args.leads // 10}.get(result["mode"], args.leads)
        rate = f"{count / result['seconds']:,.0f}" if count else "-"
        print(
            f"| {result['mode']} | {result['seconds']:.2f} | {rate} | {result['start_mb']:.0f} | "
            f"{result['peak_mb']:.0f} | {result['peak_mb'] - result['start_mb']:.1f} | "
            f"{result['bytes'] / 2**20:.1f} |"
        )


if __name__ == "__main__":
    main()
