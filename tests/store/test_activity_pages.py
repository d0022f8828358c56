"""A lead's older activities move into page documents: at the boundary, from every write that
records one, under racing writers and cut-short spills, read back across both, deleted with
the lead, and the lead itself stays small."""

from __future__ import annotations

import threading
from typing import Any

import bson
import pytest
from pymongo.errors import AutoReconnect

from leads.domain.enums import ActivityType
from leads.domain.errors import VersionConflict
from leads.domain.inputs import ActivityCreate, LeadUpdate, TaskCreate
from leads.domain.models import Activity, User, WorkItem
from leads.selectors.leads import activity_list, lead_get
from leads.services import workflow as workflow_services
from leads.services.leads import activity_log, lead_assign, lead_delete, lead_update, task_add
from leads.services.tasks import task_complete
from leads.services.transitions import lead_transition, lead_undo
from leads.store import activities as activity_store
from leads.store import connection
from leads.store import leads as lead_store
from leads.store.activities import (
    ACTIVITY_PAGE,
    EMBEDDED_MAX,
    MAX_SPILLS_PER_WRITE,
    PAGE_SIZE,
    SPILL_PROJECTION,
)
from leads.store.connection import count_round_trips
from leads.store.documents import to_value
from tests.builders import a_stamp, complete_required_tasks, make_lead, make_pipeline, make_user

Doc = dict[str, Any]
CREATED = "Lead created in New"


@pytest.fixture
def actor() -> User:
    make_pipeline()
    return make_user()


def _note(n: int, kind: ActivityType = ActivityType.NOTE) -> Activity:
    return Activity(type=kind, body=f"note {n}")


def _fill(uid: str, count: int, start: int = 0) -> list[str]:
    """Log `count` notes through the store; their bodies, oldest first."""
    bodies = []
    for n in range(start, start + count):
        assert lead_store.append_activity(stamp=a_stamp(), uid=uid, activity=_note(n))
        bodies.append(f"note {n}")
    return bodies


def _embed_directly(uid: str, count: int) -> list[str]:
    """Activities stored as a version before pages stored them: all embedded."""
    activities = [to_value(_note(n)) for n in range(count)]
    connection.leads().update_one(
        {"type": "lead", "uid": uid}, {"$push": {"activities": {"$each": activities}}}
    )
    return [f"note {n}" for n in range(count)]


def _raw(uid: str) -> Doc:
    document: Doc | None = connection.leads().find_one({"type": "lead", "uid": uid})
    assert document is not None
    return document


def _pages(uid: str) -> list[Doc]:
    return list(connection.leads().find({"type": ACTIVITY_PAGE, "lead": uid}).sort("page", 1))


def _walk(uid: str, limit: int, types: list[str] | None = None) -> list[Activity]:
    """The whole timeline, page after page, following each page's cursor as a client does."""
    items: list[Activity] = []
    cursor: str | None = None
    while True:
        page = activity_list(uid=uid, types=types or [], cursor=cursor, limit=limit)
        items += page.items
        if page.next_cursor is None:
            return items
        cursor = page.next_cursor


def _bodies(activities: list[Activity]) -> list[str]:
    return [activity.body for activity in activities]


def _assert_stored_once_each(uid: str, newest_first: list[str]) -> None:
    """Every activity is in exactly one place (a page or the lead), pages are whole and
    numbered without gaps, and the timeline and the count say the same."""
    raw = _raw(uid)
    pages = _pages(uid)
    paged = raw.get("paged_activities", 0)
    assert [page["page"] for page in pages] == list(range(paged // PAGE_SIZE))
    assert all(len(page["activities"]) == PAGE_SIZE for page in pages)
    stored = [a["body"] for page in pages for a in page["activities"]]
    stored += [a["body"] for a in raw["activities"]]
    uids = [a["uid"] for page in pages for a in page["activities"]]
    uids += [a["uid"] for a in raw["activities"]]
    assert len(set(uids)) == len(uids)
    assert stored[::-1] == newest_first
    assert _bodies(_walk(uid, limit=30)) == newest_first
    assert lead_get(uid=uid, actor=make_user()).activity_count == len(newest_first)


# ---------------------------------------------------------------------------------------------
# the spill


def test_the_write_that_fills_a_lead_moves_its_oldest_activities_into_a_page(
    actor: User,
) -> None:
    lead = make_lead(actor)
    bodies = [CREATED, *_fill(lead.uid, EMBEDDED_MAX - 2)]
    assert (len(_raw(lead.uid)["activities"]), _pages(lead.uid)) == (EMBEDDED_MAX - 1, [])

    bodies += _fill(lead.uid, 1, start=EMBEDDED_MAX - 2)

    raw = _raw(lead.uid)
    (page,) = _pages(lead.uid)
    assert len(raw["activities"]) == EMBEDDED_MAX - PAGE_SIZE
    assert raw["paged_activities"] == PAGE_SIZE
    assert raw["paged_activity_types"] == {"system": 1, "note": PAGE_SIZE - 1}
    assert raw["version"] == 1 + EMBEDDED_MAX - 1  # the move out left the version alone
    assert page["page"] == 0 and page["counts"] == {"system": 1, "note": PAGE_SIZE - 1}
    assert [a["body"] for a in page["activities"]][1:] == bodies[1:PAGE_SIZE]
    assert [a["body"] for a in raw["activities"]] == bodies[PAGE_SIZE:]
    detail = lead_get(uid=lead.uid, actor=actor)
    assert detail.activity_count == EMBEDDED_MAX
    assert _bodies(detail.lead.activities)[:2] == bodies[-1:-3:-1]


def _boundary_write(kind: str, lead: WorkItem, actor: User) -> tuple[int, str]:
    """One write of `kind`; the activity count its answer shows and its newest activity."""
    uid = lead.uid
    if kind == "note":
        activity_log(uid=uid, data=ActivityCreate(type=ActivityType.NOTE, body="last"), actor=actor)
        detail = lead_get(uid=uid, actor=actor)
    elif kind == "edit":
        detail = lead_update(
            uid=uid, changes=LeadUpdate(name="Renamed"), actor=actor, expected_version=None
        )
    elif kind == "assign":
        detail = lead_assign(
            uid=uid, user_ids=[], mode="replace", actor=actor, expected_version=None
        )
    elif kind == "task added":
        task_add(uid=uid, data=TaskCreate(title="Follow up"), actor=actor)
        detail = lead_get(uid=uid, actor=actor)
    elif kind == "task completed":
        optional = next(task for task in lead.tasks if not task.required)
        detail = task_complete(uid=uid, task_uid=optional.uid, actor=actor).detail
    else:
        detail = lead_transition(uid=uid, to_stage=kind, actor=actor)
    return detail.activity_count, detail.lead.activities[0].body


@pytest.mark.parametrize(
    "kind", ["note", "edit", "assign", "task added", "task completed", "stage-contacted"]
)
def test_every_write_that_records_an_activity_spills_a_full_lead(actor: User, kind: str) -> None:
    lead = complete_required_tasks(make_lead(actor).uid, actor)
    logged = len(lead_get(uid=lead.uid, actor=actor).lead.activities)
    _fill(lead.uid, EMBEDDED_MAX - 1 - logged)

    count, newest = _boundary_write(kind, lead, actor)

    raw = _raw(lead.uid)
    assert count == EMBEDDED_MAX and newest == raw["activities"][-1]["body"]
    assert (raw["paged_activities"], len(raw["activities"])) == (PAGE_SIZE, PAGE_SIZE)
    assert len(_pages(lead.uid)) == 1
    assert len({a.uid for a in _walk(lead.uid, limit=100)}) == EMBEDDED_MAX


def test_a_move_that_spilled_can_still_be_undone(actor: User) -> None:
    lead = complete_required_tasks(make_lead(actor).uid, actor)
    _fill(lead.uid, EMBEDDED_MAX - 1 - len(lead_get(uid=lead.uid, actor=actor).lead.activities))
    lead_transition(uid=lead.uid, to_stage="stage-contacted", actor=actor)
    assert _raw(lead.uid)["paged_activities"] == PAGE_SIZE

    undone = lead_undo(uid=lead.uid, actor=actor, expected_version=None)

    assert undone.lead.current_stage == "stage-new"
    assert undone.activity_count == EMBEDDED_MAX + 1


def test_a_note_costs_one_round_trip_and_the_one_that_spills_two_more(actor: User) -> None:
    lead = make_lead(actor)
    _fill(lead.uid, EMBEDDED_MAX - 3)

    with count_round_trips() as normal:
        _fill(lead.uid, 1)
    with count_round_trips() as spilling:
        _fill(lead.uid, 1)
    with count_round_trips() as after:
        _fill(lead.uid, 1)

    assert normal.commands == after.commands == ["findAndModify"]
    # the write, the page upserted, the lead trimmed
    assert spilling.commands == ["findAndModify", "update", "findAndModify"]


def test_a_stage_deletion_leaves_spilling_to_each_lead_s_next_write(actor: User) -> None:
    lead = complete_required_tasks(make_lead(actor).uid, actor)
    lead_transition(uid=lead.uid, to_stage="stage-contacted", actor=actor)
    _fill(lead.uid, EMBEDDED_MAX - 1 - len(_raw(lead.uid)["activities"]))

    moved = workflow_services.stage_delete(
        uid="stage-contacted", move_to="stage-new", actor=make_user("admin")
    )

    assert moved == 1
    assert len(_raw(lead.uid)["activities"]) == EMBEDDED_MAX
    assert lead_get(uid=lead.uid, actor=actor).activity_count == EMBEDDED_MAX

    _fill(lead.uid, 1, start=1000)

    raw = _raw(lead.uid)
    assert (raw["paged_activities"], len(raw["activities"])) == (PAGE_SIZE, PAGE_SIZE + 1)
    assert lead_get(uid=lead.uid, actor=actor).activity_count == EMBEDDED_MAX + 1


def test_a_lead_stored_with_thousands_embedded_moves_them_out_a_few_pages_per_write(
    actor: User,
) -> None:
    lead = make_lead(actor)
    bodies = [CREATED, *_embed_directly(lead.uid, 1_500)]
    # Read as it is, before any write moved anything.
    _assert_stored_once_each(lead.uid, bodies[::-1])

    bodies += _fill(lead.uid, 1, start=5_000)
    assert _raw(lead.uid)["paged_activities"] == MAX_SPILLS_PER_WRITE * PAGE_SIZE
    bodies += _fill(lead.uid, 1, start=5_001)

    raw = _raw(lead.uid)
    assert len(raw["activities"]) < EMBEDDED_MAX
    _assert_stored_once_each(lead.uid, bodies[::-1])


# ---------------------------------------------------------------------------------------------
# racing writers and cut-short spills


def _full_lead(actor: User) -> tuple[str, list[str]]:
    """A lead whose embedded list is full and not yet spilled, as a write that spills finds
    it; its bodies, oldest first."""
    lead = make_lead(actor)
    return lead.uid, [CREATED, *_embed_directly(lead.uid, EMBEDDED_MAX - 1)]


def _as_written(uid: str) -> Doc:
    """What a write's answer carries for spilling, read now."""
    document: Doc | None = connection.leads().find_one(
        {"type": "lead", "uid": uid}, {"_id": 0, **SPILL_PROJECTION}
    )
    assert document is not None
    return document


def test_two_writers_spilling_the_same_activities_write_one_page_and_trim_once(
    actor: User,
) -> None:
    uid, bodies = _full_lead(actor)
    # Both writes answered before either spilled: both see the same oldest activities.
    first, second = _as_written(uid), _as_written(uid)

    activity_store.spill_if_full(uid, first)
    activity_store.spill_if_full(uid, second)

    raw = _raw(uid)
    assert (raw["paged_activities"], len(_pages(uid))) == (PAGE_SIZE, 1)
    _assert_stored_once_each(uid, bodies[::-1])


def test_a_spill_cut_short_after_its_page_is_finished_by_the_next_write(
    actor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead = make_lead(actor)
    bodies = [CREATED, *_fill(lead.uid, EMBEDDED_MAX - 2)]

    def connection_lost(*args: object) -> None:
        raise AutoReconnect("connection lost")

    with monkeypatch.context() as patched:
        patched.setattr(activity_store, "_trim", connection_lost)
        # The note is stored; its answer does not fail because the spill did.
        bodies += _fill(lead.uid, 1, start=500)

    raw = _raw(lead.uid)
    assert "paged_activities" not in raw and len(raw["activities"]) == EMBEDDED_MAX
    assert len(_pages(lead.uid)) == 1  # written, and read by nobody: the lead counts none
    assert _bodies(_walk(lead.uid, limit=100)) == bodies[::-1]

    bodies += _fill(lead.uid, 1, start=501)

    _assert_stored_once_each(lead.uid, bodies[::-1])


def test_a_page_spilled_for_a_lead_deleted_meanwhile_goes_too(actor: User) -> None:
    uid, _ = _full_lead(actor)
    written = _as_written(uid)
    lead_delete(uid=uid, expected_version=None, actor=actor)

    activity_store.spill_if_full(uid, written)

    assert _pages(uid) == []


def test_writers_racing_across_the_boundary_lose_and_repeat_no_activity(actor: User) -> None:
    lead = make_lead(actor)
    _fill(lead.uid, 150)
    threads, each = 8, 40
    start = threading.Barrier(threads)
    acknowledged: list[str] = []
    lock = threading.Lock()

    def write(worker: int) -> None:
        start.wait()
        for n in range(each):
            body = f"w{worker}-{n}"
            if worker % 4 == 3:
                try:
                    lead_update(
                        uid=lead.uid,
                        changes=LeadUpdate(name=body),
                        actor=actor,
                        expected_version=None,
                    )
                except VersionConflict:
                    continue
                body = "edit"
            elif worker % 4 == 2:
                task_add(uid=lead.uid, data=TaskCreate(title=body), actor=actor)
                body = f"task {body}"
            else:
                activity_log(
                    uid=lead.uid,
                    data=ActivityCreate(type=ActivityType.NOTE, body=body),
                    actor=actor,
                )
            with lock:
                acknowledged.append(body)

    workers = [threading.Thread(target=write, args=(worker,)) for worker in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    timeline = _walk(lead.uid, limit=100)
    raw = _raw(lead.uid)
    expected = 1 + 150 + len(acknowledged)
    assert len(timeline) == len({a.uid for a in timeline}) == expected
    notes = sorted(a.body for a in timeline if a.type is ActivityType.NOTE and a.body[0] == "w")
    assert notes == sorted(body for body in acknowledged if body[0] == "w")
    assert raw["paged_activities"] >= 2 * PAGE_SIZE  # 151 + at least 240 notes and tasks
    assert len(raw["activities"]) < EMBEDDED_MAX + threads
    _assert_stored_once_each(lead.uid, _bodies(timeline))


# ---------------------------------------------------------------------------------------------
# reading the timeline


@pytest.mark.parametrize("limit", [3, 20, 100])
def test_the_timeline_gives_every_activity_once_newest_first_across_pages(
    actor: User, limit: int
) -> None:
    lead = make_lead(actor)
    bodies = [CREATED, *_fill(lead.uid, 449)]
    assert _raw(lead.uid)["paged_activities"] == 3 * PAGE_SIZE

    assert _bodies(_walk(lead.uid, limit=limit)) == bodies[::-1]


def test_a_filtered_timeline_pages_across_the_boundary_and_counts_both(actor: User) -> None:
    lead = make_lead(actor)
    calls = []
    for n in range(430):
        kind = ActivityType.CALL if n % 7 == 0 else ActivityType.NOTE
        lead_store.append_activity(stamp=a_stamp(), uid=lead.uid, activity=_note(n, kind))
        if kind is ActivityType.CALL:
            calls.append(f"note {n}")

    first = activity_list(uid=lead.uid, types=["call"], cursor=None, limit=4)
    walked = _walk(lead.uid, limit=4, types=["call"])
    both = _walk(lead.uid, limit=9, types=["call", "system"])

    assert first.total == len(calls) and first.next_cursor is not None
    assert _bodies(walked) == calls[::-1]
    assert _bodies(both) == [*calls[::-1], CREATED]
    assert activity_list(uid=lead.uid, types=["meeting"], cursor=None, limit=5).total == 0


def test_a_cursor_holds_while_newer_activities_push_older_ones_into_pages(actor: User) -> None:
    lead = make_lead(actor)
    bodies = [CREATED, *_fill(lead.uid, 180)]
    first = activity_list(uid=lead.uid, types=[], cursor=None, limit=50)

    _fill(lead.uid, 250, start=1_000)
    rest: list[Activity] = []
    cursor = first.next_cursor
    while cursor is not None:
        page = activity_list(uid=lead.uid, types=[], cursor=cursor, limit=50)
        rest += page.items
        cursor = page.next_cursor

    assert _bodies(first.items + rest) == bodies[::-1]


def test_a_timeline_page_reads_the_lead_once_and_an_older_one_its_pages_once(
    actor: User,
) -> None:
    lead = make_lead(actor)
    _fill(lead.uid, 499)
    newest = activity_list(uid=lead.uid, types=[], cursor=None, limit=100)

    with count_round_trips() as first:
        activity_list(uid=lead.uid, types=[], cursor=None, limit=100)
    with count_round_trips() as older:
        page = activity_list(uid=lead.uid, types=[], cursor=newest.next_cursor, limit=100)

    assert first.commands == ["aggregate"]
    assert older.commands == ["aggregate", "aggregate"]
    assert len(page.items) == 100


# ---------------------------------------------------------------------------------------------
# deleting, and staying small


def test_deleting_a_lead_deletes_its_pages_and_no_one_else_s(actor: User) -> None:
    kept, deleted = make_lead(actor), make_lead(actor)
    for lead in (kept, deleted):
        _fill(lead.uid, EMBEDDED_MAX)
    with pytest.raises(VersionConflict):
        lead_delete(uid=deleted.uid, expected_version=1, actor=actor)
    assert len(_pages(deleted.uid)) == 1

    lead_delete(uid=deleted.uid, expected_version=None, actor=actor)

    assert _pages(deleted.uid) == [] and len(_pages(kept.uid)) == 1
    assert connection.leads().count_documents({"type": "lead", "uid": deleted.uid}) == 0


def test_a_lead_stays_small_however_many_activities_it_logs(actor: User) -> None:
    lead = make_lead(actor)
    sizes = []
    for thousand in range(5):
        for n in range(1_000):
            body = f"Called about the renewal, attempt {thousand * 1_000 + n}"
            activity = Activity(type=ActivityType.NOTE, body=body, actor=actor.uid)
            assert lead_store.append_activity(stamp=a_stamp(), uid=lead.uid, activity=activity)
        sizes.append(len(bson.encode(_raw(lead.uid))))

    # As small after 5,000 activities as after 1,000: the newest 100 to 199 at most.
    assert max(sizes) < 64 * 1024 and max(sizes) < 2 * min(sizes)
    assert len(_raw(lead.uid)["activities"]) < EMBEDDED_MAX
    with count_round_trips() as trips:
        detail = lead_get(uid=lead.uid, actor=actor)
    assert (trips.count, detail.activity_count, len(detail.lead.activities)) == (1, 5_001, 20)
