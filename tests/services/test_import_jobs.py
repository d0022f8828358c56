"""An import as a worker job: a worker killed mid-run is replaced and every row is applied and
counted once; lead numbers stay unique and gap-free next to API creates."""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from leads.domain.enums import UserRole
from leads.domain.imports import ImportOptions
from leads.domain.models import utcnow
from leads.services import imports as import_services
from leads.services.jobs import job_run_now
from leads.store import connection
from leads.store import imports as import_store
from leads.store import jobs as job_store
from leads.store import leads as lead_store
from tests.builders import client_for, field, make_lead, make_pipeline, make_user
from tests.imports_helpers import csv_bytes
from tests.worker_process import start_worker


class Killed(BaseException):
    """Stands for the process dying: no handler of the worker's sees it."""


@pytest.fixture
def member() -> Any:
    make_pipeline(field("budget", "currency", min=0))
    return make_user(UserRole.MEMBER)


def _queue(member: Any, rows: list[list[Any]], **options: Any) -> str:
    import io

    data = csv_bytes(rows)
    upload = import_services.import_upload(
        stream=io.BytesIO(data), name="leads.csv", size=len(data), actor=member
    )
    import_services.import_run(
        uid=upload.job.uid,
        options=ImportOptions.model_validate({"mapping": upload.suggested_mapping, **options}),
        actor=member,
    )
    return upload.job.uid


def _expire_lease(uid: str) -> None:
    connection.jobs().update_one({"uid": uid}, {"$set": {"lease_until": utcnow() - timedelta(1)}})


def _numbers() -> list[int]:
    uids = connection.leads().distinct("uid", {"type": "lead"})
    return sorted(int(uid[-5:]) for uid in uids)


def _rows(count: int, start: int = 0) -> list[list[Any]]:
    return [["Name", "Email", "Budget"]] + [
        [f"P{n}", f"p{n}@example.com", str(n)] for n in range(start, start + count)
    ]


def test_a_worker_dying_halfway_through_a_batch_is_replaced_and_each_row_lands_once(
    member: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _rows(2500)
    rows.insert(1500, ["", "bad", "x"])  # a failed row in the batch that dies
    uid = _queue(member, rows)
    real_insert = import_store.insert_new_leads
    calls = []

    def insert_then_die(documents: list[dict[str, Any]]) -> int:
        calls.append(len(documents))
        if len(calls) == 2:  # the second batch: half its leads stored, then the process dies
            real_insert(documents[: len(documents) // 2])
            raise Killed()
        return real_insert(documents)

    monkeypatch.setattr(import_store, "insert_new_leads", insert_then_die)
    with pytest.raises(Killed):
        job_run_now(uid=uid)
    assert job_run_now(uid=uid) is None  # still leased by the dead worker
    _expire_lease(uid)
    job_run_now(uid=uid)

    job = import_services.import_get(uid=uid)
    assert job.status.value == "done"
    assert job.attempts == 2
    assert {k: job.progress[k] for k in ("total", "processed", "created", "failed")} == {
        "total": 2501, "processed": 2501, "created": 2500, "failed": 1,
    }  # fmt: skip
    assert _numbers() == list(range(1, 2501))
    emails = connection.leads().distinct("email", {"type": "lead"})
    assert len(emails) == 2500
    assert connection.import_errors().count_documents({"import_uid": uid}) == 1


def test_a_worker_dying_between_taking_numbers_and_saving_its_plan_leaves_no_gap(
    member: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    uid = _queue(member, _rows(2500))
    real_save = job_store.save_checkpoint
    saves = []

    def die_on_second_plan(**kwargs: Any) -> bool:
        saves.append(kwargs["checkpoint"])
        if len(saves) == 2:  # the second batch's numbers are taken, its plan never stored
            raise Killed()
        return real_save(**kwargs)

    monkeypatch.setattr(import_store, "save_checkpoint", die_on_second_plan)
    with pytest.raises(Killed):
        job_run_now(uid=uid)
    monkeypatch.setattr(import_store, "save_checkpoint", real_save)
    # Lead creates of the month are not held up by the dead worker (no transaction left open).
    make_lead(member, name="Between")
    _expire_lease(uid)
    job_run_now(uid=uid)

    assert import_services.import_get(uid=uid).progress["created"] == 2500
    assert _numbers() == list(range(1, 2502))
    counter = connection.leads().find_one({"type": "counter", "uid": {"$regex": "^lead-seq-"}})
    assert counter is not None and not counter.get("reservations"), counter


def test_a_worker_dying_after_updating_part_of_a_batch_counts_and_records_each_update_once(
    member: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    leads = [make_lead(member, name=f"P{n}", email=f"p{n}@example.com") for n in range(4)]
    uid = _queue(member, _rows(4, start=0), match_on="email", on_match="update")
    real_write = lead_store.write_lead_changes

    def write_half_then_die(changes: list[Any]) -> set[str]:
        real_write(changes[:2])
        raise Killed()

    monkeypatch.setattr(lead_store, "write_lead_changes", write_half_then_die)
    with pytest.raises(Killed):
        job_run_now(uid=uid)
    monkeypatch.setattr(lead_store, "write_lead_changes", real_write)
    _expire_lease(uid)
    job_run_now(uid=uid)

    job = import_services.import_get(uid=uid)
    assert (job.progress["updated"], job.progress["created"]) == (4, 0)
    for lead in leads:
        stored = connection.leads().find_one({"uid": lead.uid})
        assert stored is not None
        changes = [entry for entry in stored["history"] if entry["kind"] == "field_change"]
        assert len(changes) == 1, stored["history"]
        assert stored["version"] == lead.version + 1


def test_lead_numbers_stay_unique_and_gap_free_with_api_creates_during_an_import(
    member: Any,
) -> None:
    uid = _queue(member, _rows(3000))
    clients = [client_for(make_user(UserRole.MEMBER)) for _ in range(3)]
    failures: list[Any] = []

    def create(client: Any) -> None:
        for n in range(15):
            response = client.post("/api/leads/", {"name": f"API {n}"}, format="json")
            if response.status_code != 201:
                failures.append(response.content)

    threads = [threading.Thread(target=create, args=(client,)) for client in clients]
    importer = threading.Thread(target=job_run_now, kwargs={"uid": uid})
    importer.start()
    for thread in threads:
        thread.start()
    for thread in [importer, *threads]:
        thread.join()

    assert failures == []
    assert import_services.import_get(uid=uid).progress["created"] == 3000
    assert _numbers() == list(range(1, 3000 + 45 + 1))


def test_a_killed_worker_process_s_import_is_finished_by_the_next_worker(
    member: Any, database: str, mongo_uri: str, tmp_path: Path
) -> None:
    rows = 12_000
    uid = _queue(member, _rows(rows))
    env = {
        **os.environ,
        "LEADCRM_MONGO_URI": mongo_uri,
        "LEADCRM_MONGO_DB": database,
        "LEADCRM_JOB_LEASE_SECONDS": "3",
    }
    log = tmp_path / "worker.log"
    first = start_worker(env, log)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            processed = import_services.import_get(uid=uid).progress["processed"]
            if processed > 0:
                break
            time.sleep(0.05)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    finally:
        if first.poll() is None:
            first.kill()
    killed_at = import_services.import_get(uid=uid)
    assert killed_at.status.value == "running", log.read_text()
    assert 0 < killed_at.progress["processed"] < rows, killed_at.progress

    second = start_worker(env, log)
    try:
        deadline = time.monotonic() + 180
        while import_services.import_get(uid=uid).status.value != "done":
            assert time.monotonic() < deadline, log.read_text()
            assert second.poll() is None, log.read_text()
            time.sleep(0.2)
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0, log.read_text()

    job = import_services.import_get(uid=uid)
    assert job.attempts == 2
    assert (job.progress["processed"], job.progress["created"]) == (rows, rows)
    assert _numbers() == list(range(1, rows + 1))
    assert len(connection.leads().distinct("email", {"type": "lead"})) == rows
