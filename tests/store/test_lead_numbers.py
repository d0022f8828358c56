"""Lead numbers: one atomic counter per month, sequential, never repeated, also under threads."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from pymongo.errors import WriteError

from leads.domain.inputs import LeadCreate
from leads.domain.models import utcnow
from leads.services.leads import lead_create
from leads.store import connection
from leads.store import leads as lead_store
from leads.store.workflow import next_lead_number, release_lead_number
from tests.builders import make_pipeline, make_user

THREADS = 16
CALLS_PER_THREAD = 25
LEADS_PER_THREAD = 3


def test_numbers_of_a_month_start_at_one_and_follow_each_other() -> None:
    assert [next_lead_number("202611") for _ in range(5)] == [1, 2, 3, 4, 5]


def test_each_month_has_its_own_sequence() -> None:
    assert next_lead_number("202611") == 1
    assert next_lead_number("202611") == 2
    assert next_lead_number("202612") == 1
    assert next_lead_number("202611") == 3
    assert next_lead_number("202701") == 1
    assert next_lead_number("202612") == 2


def test_the_counter_is_one_document_per_month() -> None:
    next_lead_number("202611")
    next_lead_number("202611")
    next_lead_number("202612")
    counters = connection.leads().find({"type": "counter"}, {"_id": 0}).sort("uid", 1)
    assert list(counters) == [
        {"type": "counter", "uid": "lead-seq-202611", "value": 2},
        {"type": "counter", "uid": "lead-seq-202612", "value": 1},
    ]


def test_concurrent_numbers_neither_repeat_nor_skip() -> None:
    start = threading.Barrier(THREADS)

    def take_numbers() -> list[int]:
        start.wait()  # every thread races for the first number of a month nobody used yet
        return [next_lead_number("202611") for _ in range(CALLS_PER_THREAD)]

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda _: take_numbers(), range(THREADS)))
    numbers = [number for numbers in results for number in numbers]
    assert sorted(numbers) == list(range(1, THREADS * CALLS_PER_THREAD + 1))
    # Each thread saw its own numbers rising.
    assert all(numbers == sorted(numbers) for numbers in results)


def test_concurrent_months_do_not_share_numbers() -> None:
    months = ["202611", "202612"]
    start = threading.Barrier(THREADS)

    def take_numbers(index: int) -> tuple[str, list[int]]:
        month = months[index % 2]
        start.wait()
        return month, [next_lead_number(month) for _ in range(10)]

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(take_numbers, range(THREADS)))
    for month in months:
        numbers = sorted(n for m, taken in results if m == month for n in taken)
        assert numbers == list(range(1, THREADS // 2 * 10 + 1))


def test_leads_created_from_sixteen_threads_get_unique_sequential_uids() -> None:
    make_pipeline()
    actor = make_user()
    start = threading.Barrier(THREADS)

    def create(index: int) -> list[str]:
        start.wait()
        return [
            lead_create(data=LeadCreate(name=f"Racer {index}-{n}"), actor=actor).lead.uid
            for n in range(LEADS_PER_THREAD)
        ]

    month = utcnow().strftime("%Y%m")
    with ThreadPoolExecutor(THREADS) as pool:
        uids = [uid for uids in pool.map(create, range(THREADS)) for uid in uids]
    total = THREADS * LEADS_PER_THREAD
    assert len(set(uids)) == total
    assert all(re.fullmatch(rf"LEAD-{month}-\d{{5}}", uid) for uid in uids), uids
    assert sorted(uids) == [f"LEAD-{month}-{n:05d}" for n in range(1, total + 1)]
    stored = connection.leads().distinct("uid", {"type": "lead"})
    assert sorted(stored) == sorted(uids)
    assert all(lead_store.get_lead(uid) is not None for uid in uids)


def test_a_counter_behind_the_stored_leads_skips_to_a_free_number() -> None:
    make_pipeline()
    actor = make_user()
    month = utcnow().strftime("%Y%m")
    first = lead_create(data=LeadCreate(name="First"), actor=actor).lead
    # As after an import: the counter forgot the number it handed out.
    connection.leads().update_one(
        {"type": "counter", "uid": f"lead-seq-{month}"}, {"$set": {"value": 0}}
    )
    second = lead_create(data=LeadCreate(name="Second"), actor=actor).lead
    assert first.uid == f"LEAD-{month}-00001"
    assert second.uid == f"LEAD-{month}-00002"


def test_a_lead_the_server_refuses_gives_its_number_back(monkeypatch: pytest.MonkeyPatch) -> None:
    make_pipeline()
    member = make_user()

    def refuse(lead: object, stamp: object) -> None:
        raise WriteError("document refused", code=2)

    with monkeypatch.context() as patched:
        patched.setattr(lead_store, "insert_lead", refuse)
        with pytest.raises(WriteError):
            lead_create(data=LeadCreate(name="Refused"), actor=member)

    lead = lead_create(data=LeadCreate(name="Stored"), actor=member).lead
    assert lead.uid.endswith("-00001")


def test_a_number_taken_after_a_refused_one_keeps_it_used() -> None:
    month = "202611"
    refused = next_lead_number(month)
    next_lead_number(month)

    assert release_lead_number(month, refused) is False
    assert next_lead_number(month) == 3
