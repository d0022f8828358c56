"""What the store writes and hands back, conditional writes, the round-trip counter and
transactions."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from pydantic import BaseModel
from pymongo.client_session import ClientSession

from leads.domain.changes import LeadChange, StageEntry
from leads.domain.enums import ActivityType, WorkItemStatus
from leads.domain.errors import DuplicateKey
from leads.domain.inputs import ActivityCreate, LeadCreate, LeadUpdate
from leads.domain.models import (
    Activity,
    LeadRecord,
    StageVisit,
    TaskInstance,
    User,
    WorkItem,
    WorkItemConfig,
    WorkStage,
    utcnow,
)
from leads.domain.queries import LeadFilter
from leads.domain.ranks import rank_for_arrival
from leads.services import users as user_services
from leads.services.leads import activity_log, lead_assign, lead_create, lead_update
from leads.services.transitions import lead_transition
from leads.store import connection
from leads.store import leads as lead_store
from leads.store import workflow as workflow_store
from leads.store.connection import count_round_trips, in_transaction
from leads.store.documents import to_document
from leads.store.leads import LATEST_ACTIVITIES
from tests.builders import (
    PASSWORD,
    a_stamp,
    complete_required_tasks,
    make_lead,
    make_pipeline,
    make_user,
)

Doc = dict[str, Any]


def _raw(uid: str) -> Doc | None:
    document: Doc | None = connection.leads().find_one({"type": "lead", "uid": uid})
    return document


def _note(body: str) -> Activity:
    return Activity(type=ActivityType.NOTE, body=body)


def _write(lead: WorkItem, **change: Any) -> LeadRecord | None:
    """One conditional write of `lead` at the version it has."""
    return lead_store.write_lead(
        uid=lead.uid, expected_version=lead.version, change=LeadChange(at=utcnow(), **change)
    )


def _push_notes(lead: WorkItem, count: int) -> LeadRecord:
    record: LeadRecord | None = None
    for n in range(count):
        record = _write(lead, activities=[_note(f"note {n}")])
        assert record is not None
        lead = record.lead
    assert record is not None
    return record


def _read(uid: str) -> LeadRecord:
    record = lead_store.get_lead(uid)
    assert record is not None
    return record


def _raw_user(uid: str) -> Doc:
    document: Doc | None = connection.users().find_one({"uid": uid})
    assert document is not None
    return document


def _fields(model_class: type[BaseModel]) -> set[str]:
    return set(model_class.model_fields)


# Computed on read, never written.
_COMPUTED = {"activity_count"}
# MongoDB's own key and the key that tells the kinds of document in `leads` apart.
_STORAGE_KEYS = {"_id", "type"}
# A lead, or a stage changed in place (reordered), also keeps the stamp of its last write,
# which its change event carries (store.documents.LAST_WRITE).
_LEAD_STORAGE_KEYS = {*_STORAGE_KEYS, "last_write"}


# ---------------------------------------------------------------------------------------------
# what the store writes
#
# The models ignore keys they do not know, so a key the store writes by mistake (or `_id`)
# can never show in what the store hands back: these tests read the raw documents instead.


def test_a_stored_lead_holds_its_fields_and_its_type_and_nothing_else() -> None:
    make_pipeline()
    lead = make_lead(make_user(), tags=["hot"])

    stored = _raw(lead.uid)

    assert stored is not None
    assert set(stored) == (_fields(WorkItem) - _COMPUTED) | _LEAD_STORAGE_KEYS


def test_a_lead_worked_through_every_kind_of_change_still_holds_only_its_fields() -> None:
    stages = make_pipeline()
    member = make_user()
    lead = make_lead(member)
    lead_update(
        uid=lead.uid, changes=LeadUpdate(company="Acme"), actor=member, expected_version=None
    )
    lead_assign(
        uid=lead.uid, user_ids=[member.uid], mode="add", actor=member, expected_version=None
    )
    activity_log(
        uid=lead.uid, data=ActivityCreate(type=ActivityType.NOTE, body="Called"), actor=member
    )
    complete_required_tasks(lead.uid, member)
    lead_transition(uid=lead.uid, to_stage=stages["contacted"].uid, actor=member)

    stored = _raw(lead.uid)

    assert stored is not None
    # ... and the id of its last write, by which a request run again after an election
    # recognises its own write (services.lead_writes).
    assert set(stored) == (_fields(WorkItem) - _COMPUTED) | _LEAD_STORAGE_KEYS | {"write_id"}


def test_a_stored_lead_is_marked_as_a_lead() -> None:
    make_pipeline()
    lead = make_lead(make_user())

    stored = _raw(lead.uid)

    assert stored is not None and stored["type"] == "lead"


def test_a_stored_lead_does_not_keep_its_computed_activity_count() -> None:
    make_pipeline()
    lead = make_lead(make_user())
    _push_notes(lead, 2)

    stored = _raw(lead.uid)

    assert stored is not None and "activity_count" not in stored


def test_a_stored_stage_holds_its_fields_and_its_type_and_nothing_else() -> None:
    stages = make_pipeline()

    stored = list(connection.leads().find({"type": "stage"}))

    assert sorted(stage["uid"] for stage in stored) == sorted(s.uid for s in stages.values())
    for stage in stored:
        assert set(stage) == _fields(WorkStage) | _LEAD_STORAGE_KEYS, stage["uid"]


def test_the_stored_config_holds_its_fields_and_its_type_and_nothing_else() -> None:
    make_pipeline()

    [config] = connection.leads().find({"type": "config"})

    assert set(config) == _fields(WorkItemConfig) | _STORAGE_KEYS


def test_a_stored_user_holds_its_fields_and_its_secrets_and_nothing_else() -> None:
    user = make_user()

    assert set(_raw_user(user.uid)) == _fields(User) | {"_id", "password_hash", "tokens"}


def test_a_stored_user_keeps_a_hash_of_the_password_never_the_password() -> None:
    user = make_user()

    stored = _raw_user(user.uid)

    assert PASSWORD not in repr(stored)
    assert check_password(PASSWORD, stored["password_hash"])


def test_a_stored_sign_in_token_is_kept_as_a_digest_never_as_the_token() -> None:
    user = make_user()

    token = user_services.auth_login(username=user.username, password=PASSWORD).token

    stored = _raw_user(user.uid)
    assert len(stored["tokens"]) == 1
    assert token not in repr(stored)


# ---------------------------------------------------------------------------------------------
# activities


def test_get_lead_returns_the_twenty_latest_activities_newest_first() -> None:
    make_pipeline()
    lead = make_lead(make_user())
    _push_notes(lead, 30)

    detail = _read(lead.uid).lead

    assert LATEST_ACTIVITIES == 20
    assert [activity.body for activity in detail.activities] == [
        f"note {n}" for n in range(29, 9, -1)
    ]


def test_get_lead_counts_every_activity_of_the_lead() -> None:
    make_pipeline()
    lead = make_lead(make_user())  # "Lead created"
    _push_notes(lead, 30)

    assert _read(lead.uid).activity_count == 31


def test_the_store_keeps_every_activity_of_a_lead() -> None:
    make_pipeline()
    lead = make_lead(make_user())
    _push_notes(lead, 30)

    stored = _raw(lead.uid)

    assert stored is not None and len(stored["activities"]) == 31


def test_write_lead_returns_the_lead_as_get_lead_does() -> None:
    make_pipeline()
    lead = make_lead(make_user())

    written = _push_notes(lead, 25)

    assert written == lead_store.get_lead(lead.uid)
    assert (written.activity_count, written.lead.activities[0].body) == (26, "note 24")


def test_a_lead_with_few_activities_returns_them_all_newest_first() -> None:
    make_pipeline()
    lead = make_lead(make_user())
    _push_notes(lead, 3)

    assert [a.body for a in _read(lead.uid).lead.activities] == [
        "note 2",
        "note 1",
        "note 0",
        "Lead created in New",
    ]


def test_the_lead_with_its_workflow_reads_the_latest_activities_and_counts_them_all() -> None:
    make_pipeline()
    lead = make_lead(make_user())
    _push_notes(lead, 25)

    record = lead_store.get_lead_with_workflow(lead.uid).record

    assert record is not None
    assert (len(record.lead.activities), record.activity_count) == (LATEST_ACTIVITIES, 26)
    assert record.lead.activities[0].body == "note 24"


def test_an_unknown_lead_uid_reads_as_none() -> None:
    make_pipeline()

    assert lead_store.get_lead("LEAD-202601-99999") is None


def test_an_unknown_lead_uid_reads_as_none_beside_the_workflow() -> None:
    stages = make_pipeline()

    context = lead_store.get_lead_with_workflow("LEAD-202601-99999")

    assert context.record is None
    assert context.config is not None and len(context.stages) == len(stages)


# ---------------------------------------------------------------------------------------------
# conditional writes


@pytest.mark.parametrize("stale", [1, 3])
def test_a_write_at_a_stale_version_returns_none_and_changes_nothing(stale: int) -> None:
    make_pipeline()
    lead = make_lead(make_user())
    _push_notes(lead, 1)  # now at version 2
    before = _raw(lead.uid)

    result = lead_store.write_lead(
        uid=lead.uid,
        expected_version=stale,
        change=LeadChange(
            at=utcnow(),
            set_fields={"name": "Overwritten"},
            activities=[_note("lost")],
            history=[StageVisit(stage="elsewhere", entered_at=utcnow())],
        ),
    )

    assert result is None
    assert _raw(lead.uid) == before


def test_a_write_at_the_current_version_applies_and_increments_it() -> None:
    make_pipeline()
    lead = make_lead(make_user())

    written = _write(lead, set_fields={"name": "Renamed"})

    assert written is not None
    assert (written.lead.name, written.lead.version) == ("Renamed", lead.version + 1)


def test_delete_with_a_stale_version_keeps_the_lead() -> None:
    make_pipeline()
    lead = make_lead(make_user())

    assert not lead_store.delete_lead(
        stamp=a_stamp(), uid=lead.uid, expected_version=lead.version + 1
    )
    assert lead_store.lead_exists(lead.uid)


def test_delete_with_the_current_version_removes_the_lead() -> None:
    make_pipeline()
    lead = make_lead(make_user())

    assert lead_store.delete_lead(stamp=a_stamp(), uid=lead.uid, expected_version=lead.version)
    assert not lead_store.lead_exists(lead.uid)


def test_inserting_a_lead_uid_twice_is_refused() -> None:
    stages = make_pipeline()
    lead = WorkItem(uid="LEAD-202601-00001", name="A", current_stage=stages["new"].uid, rank="t1")
    lead_store.insert_lead(lead, a_stamp())
    with pytest.raises(DuplicateKey):
        lead_store.insert_lead(lead.model_copy(update={"name": "B"}), a_stamp())
    assert _read(lead.uid).lead.name == "A"


# ---------------------------------------------------------------------------------------------
# the round-trip counter


def test_reading_a_lead_is_one_round_trip() -> None:
    make_pipeline()
    lead = make_lead(make_user())

    with count_round_trips() as trips:
        lead_store.get_lead(lead.uid)

    assert (trips.count, trips.commands) == (1, ["find"])


def test_reading_the_workflow_is_one_round_trip() -> None:
    make_pipeline()

    with count_round_trips() as trips:
        workflow_store.get_config_and_stages()

    assert (trips.count, trips.commands) == (1, ["find"])


def test_the_lead_with_its_workflow_and_neighbours_is_one_round_trip() -> None:
    stages = make_pipeline()
    actor = make_user()
    leads = [make_lead(actor) for _ in range(3)]

    with count_round_trips() as trips:
        context = lead_store.get_lead_with_workflow(leads[0].uid, (leads[1].uid, leads[2].uid))

    assert (trips.count, trips.commands) == (1, ["aggregate"])
    assert context.record is not None and context.config is not None
    assert len(context.stages) == len(stages) and len(context.neighbours) == 2


def test_the_board_is_one_round_trip() -> None:
    stages = make_pipeline()
    actor = make_user()
    for _ in range(3):
        make_lead(actor)

    with count_round_trips() as trips:
        _, cards = lead_store.kanban(
            lead_filter=LeadFilter(),
            stage_uids=[stage.uid for stage in stages.values()],
            per_column=50,
            value_field="budget",
            data_keys=[],
        )
    assert (trips.count, trips.commands) == (1, ["aggregate"])
    assert len(cards[stages["new"].uid]) == 3


def test_the_counter_names_every_command_of_a_use_case() -> None:
    make_pipeline()
    actor = make_user()
    with count_round_trips() as trips:
        lead_create(data=LeadCreate(name="Counted"), actor=actor)
    # config and stages, the number, the insert
    assert trips.commands == ["find", "findAndModify", "insert"]
    assert trips.count == 3


def test_another_thread_s_queries_are_not_counted() -> None:
    make_pipeline()
    lead = make_lead(make_user())
    other_counts: list[int] = []

    def other_thread() -> None:
        with count_round_trips() as theirs:
            for _ in range(10):
                lead_store.get_lead(lead.uid)
                workflow_store.get_config_and_stages()
        other_counts.append(theirs.count)

    with count_round_trips() as trips:
        lead_store.get_lead(lead.uid)
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
        workflow_store.get_config_and_stages()
    assert trips.count == 2
    assert other_counts == [20]


def test_threads_counting_at_the_same_time_each_count_their_own() -> None:
    make_pipeline()
    lead = make_lead(make_user())
    threads = 8
    start = threading.Barrier(threads)
    counts: dict[int, int] = {}

    def count(index: int) -> None:
        start.wait()
        with count_round_trips() as trips:
            for _ in range(index + 1):
                lead_store.get_lead(lead.uid)
        counts[index] = trips.count

    workers = [threading.Thread(target=count, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert counts == {i: i + 1 for i in range(threads)}


def test_nested_counters_each_count_what_was_sent_while_they_were_open() -> None:
    make_pipeline()

    with count_round_trips() as outer:
        workflow_store.get_config()
        with count_round_trips() as inner:
            workflow_store.get_config()
        workflow_store.get_config()

    assert (outer.count, inner.count) == (3, 1)


def test_a_closed_counter_stops_counting() -> None:
    make_pipeline()
    with count_round_trips() as closed:
        workflow_store.get_config()

    workflow_store.get_config()

    assert closed.count == 1


# ---------------------------------------------------------------------------------------------
# transactions


def _move_everything_then_fail(stages: dict[str, WorkStage]) -> None:
    now = utcnow()
    new, contacted = stages["new"], stages["contacted"]

    def work(session: ClientSession) -> None:
        workflow_store.insert_stage(
            WorkStage(uid="stage-extra", name="Extra", slug="extra"), session=session
        )
        workflow_store.set_stage_order(
            [stage.uid for stage in reversed(list(stages.values()))], session
        )
        workflow_store.remove_from_allowed_next(stages["lost"].uid, session)
        assert workflow_store.delete_stage(stages["lost"].uid, session)
        moved = lead_store.move_stage_leads(
            stamp=a_stamp(),
            from_stage=new.uid,
            entry=StageEntry(
                stage=contacted,
                visit=StageVisit(stage=contacted.uid, entered_at=now),
                tasks=[],
                rank=rank_for_arrival(now),
            ),
            activity=Activity(type=ActivityType.STAGE_CHANGE, body="moved", created_at=now),
            status=WorkItemStatus.OPEN,
            closed_at=None,
            session=session,
        )
        assert moved == 2
        # Inside the transaction the writes are visible...
        assert lead_store.count_leads_in_stage(contacted.uid, session=session) == 2
        raise RuntimeError("the callback fails after writing")

    with pytest.raises(RuntimeError, match="the callback fails after writing"):
        in_transaction(work)


def _snapshot() -> list[Doc]:
    return list(connection.leads().find({}).sort([("type", 1), ("uid", 1)]))


def test_a_failing_transaction_rolls_back_every_write() -> None:
    stages = make_pipeline()
    actor = make_user()
    make_lead(actor)
    make_lead(actor)
    before = _snapshot()
    _move_everything_then_fail(stages)
    # ...and outside, after the failure, none of them is.
    assert _snapshot() == before
    assert lead_store.count_leads_in_stage(stages["new"].uid) == 2
    assert workflow_store.get_stage("stage-extra") is None


def _insert_extra_and_delete_lost(stages: dict[str, WorkStage]) -> Any:
    def work(session: ClientSession) -> str:
        workflow_store.insert_stage(
            WorkStage(uid="stage-extra", name="Extra", slug="extra", order=9), session=session
        )
        workflow_store.delete_stage(stages["lost"].uid, session)
        return "done"

    return work


def test_a_transaction_that_returns_commits_every_write() -> None:
    stages = make_pipeline()

    in_transaction(_insert_extra_and_delete_lost(stages))

    assert [stage.uid for stage in workflow_store.list_stages()][-1] == "stage-extra"
    assert workflow_store.get_stage(stages["lost"].uid) is None


def test_a_transaction_hands_back_what_its_work_returns() -> None:
    stages = make_pipeline()

    assert in_transaction(_insert_extra_and_delete_lost(stages)) == "done"


def test_a_transaction_s_writes_are_invisible_outside_until_it_commits() -> None:
    make_pipeline()
    seen_outside: list[bool] = []

    def work(session: ClientSession) -> None:
        workflow_store.insert_stage(
            WorkStage(uid="stage-extra", name="Extra", slug="extra"), session=session
        )
        seen_outside.append(workflow_store.get_stage("stage-extra") is not None)

    in_transaction(work)
    assert seen_outside == [False]
    assert workflow_store.get_stage("stage-extra") is not None


def test_bulk_inserted_documents_read_back_as_equal_models() -> None:
    stages = make_pipeline()
    leads = [
        WorkItem(
            uid=f"LEAD-202601-{n:05d}",
            name=f"Bulk {n}",
            current_stage=stages["new"].uid,
            rank=rank_for_arrival(utcnow()),
            data={"budget": n},
        )
        for n in range(1, 4)
    ]
    connection.leads().insert_many([to_document(lead, "lead") for lead in leads])
    for lead in leads:
        assert _read(lead.uid).lead == lead


@dataclass(frozen=True)
class _StageMove:
    """Two leads moved from New to Contacted by `move_stage_leads`, one lead elsewhere."""

    stages: dict[str, WorkStage]
    actor: User
    movers: list[WorkItem]
    moved: int
    moved_at: datetime
    visit: StageVisit
    activity: Activity
    task: TaskInstance
    stayer_before: Doc | None
    stayer_uid: str

    def after(self, before: WorkItem) -> LeadRecord:
        return _read(before.uid)


def _move_new_to_contacted(
    activity: Activity | None = None, task: TaskInstance | None = None
) -> _StageMove:
    stages = make_pipeline()
    actor = make_user()
    movers = [make_lead(actor), make_lead(actor)]
    stayer = make_lead(actor)
    _write(stayer, set_fields={"current_stage": "x"})
    stayer_before = _raw(stayer.uid)
    new, contacted = stages["new"], stages["contacted"]
    moved_at = movers[-1].created_at + timedelta(seconds=90)
    visit = StageVisit(stage=contacted.uid, entered_at=moved_at, entered_by=actor.uid)
    activity = activity or Activity(type=ActivityType.STAGE_CHANGE, body="New was deleted")
    # The move happens when its activity says it does.
    activity = activity.model_copy(update={"created_at": moved_at})
    task = task or TaskInstance(stage=contacted.uid, title="Send intro email")
    entry = StageEntry(stage=contacted, visit=visit, tasks=[task], rank="tz")

    moved = in_transaction(
        lambda session: lead_store.move_stage_leads(
            stamp=a_stamp(),
            from_stage=new.uid,
            entry=entry,
            activity=activity,
            status=WorkItemStatus.OPEN,
            closed_at=None,
            session=session,
        )
    )
    return _StageMove(
        stages=stages,
        actor=actor,
        movers=movers,
        moved=moved,
        moved_at=moved_at,
        visit=visit,
        activity=activity,
        task=task,
        stayer_before=stayer_before,
        stayer_uid=stayer.uid,
    )


def test_moving_a_stage_s_leads_counts_the_leads_moved() -> None:
    assert _move_new_to_contacted().moved == 2


def test_moving_a_stage_s_leads_puts_them_in_the_target_at_the_given_rank() -> None:
    move = _move_new_to_contacted()

    for before in move.movers:
        after = move.after(before).lead
        assert (after.current_stage, after.rank) == (move.stages["contacted"].uid, "tz")
        assert after.stage_entered_at == after.updated_at == move.moved_at
        assert after.version == before.version + 1


def test_moving_a_stage_s_leads_closes_their_open_visit_with_who_and_how_long() -> None:
    move = _move_new_to_contacted()

    for before in move.movers:
        old_visit = move.after(before).lead.history[0]
        assert isinstance(old_visit, StageVisit)
        assert old_visit.stage == move.stages["new"].uid
        assert (old_visit.exited_at, old_visit.exited_by) == (move.moved_at, move.actor.uid)
        assert old_visit.duration_seconds == int(
            (move.moved_at - before.created_at).total_seconds()
        )


def test_moving_a_stage_s_leads_opens_a_visit_in_the_target() -> None:
    move = _move_new_to_contacted()

    for before in move.movers:
        assert move.after(before).lead.history[1:] == [move.visit]


def test_moving_a_stage_s_leads_adds_the_target_s_tasks_and_logs_the_move() -> None:
    move = _move_new_to_contacted()

    for before in move.movers:
        after = move.after(before)
        assert after.lead.tasks == [*before.tasks, move.task]
        assert (after.lead.activities[0], after.activity_count) == (move.activity, 2)


def test_moving_a_stage_s_leads_leaves_leads_of_other_stages_alone() -> None:
    move = _move_new_to_contacted()

    assert _raw(move.stayer_uid) == move.stayer_before


def test_moving_a_stage_s_leads_stores_values_that_look_like_expressions_as_written() -> None:
    move = _move_new_to_contacted(
        activity=Activity(type=ActivityType.STAGE_CHANGE, body="$name", details={"x": "$$ROOT"}),
        task=TaskInstance(stage="stage-contacted", title="$rank"),
    )

    for before in move.movers:
        after = move.after(before).lead
        assert after.activities[0] == move.activity
        assert after.tasks[-1] == move.task


def _into_won_with_one_lead_won_before() -> tuple[WorkItem, WorkItem, datetime, datetime]:
    """(a lead moved into Won, a lead that was won before, when moved, when closed before)"""
    stages = make_pipeline()
    actor = make_user()
    still_open, won_before = make_lead(actor), make_lead(actor)
    closed_earlier = won_before.created_at + timedelta(seconds=5)
    _write(won_before, set_fields={"status": WorkItemStatus.WON.value, "closed_at": closed_earlier})
    moved_at = won_before.created_at + timedelta(minutes=3)
    won = stages["won"]
    entry = StageEntry(
        stage=won,
        visit=StageVisit(stage=won.uid, entered_at=moved_at, entered_by=actor.uid),
        tasks=[],
        rank="tz",
    )

    in_transaction(
        lambda session: lead_store.move_stage_leads(
            stamp=a_stamp(),
            from_stage=stages["new"].uid,
            entry=entry,
            activity=Activity(
                type=ActivityType.SYSTEM, body="New was deleted", created_at=moved_at
            ),
            status=WorkItemStatus.WON,
            closed_at=moved_at,
            session=session,
        )
    )
    return _read(still_open.uid).lead, _read(won_before.uid).lead, moved_at, closed_earlier


def test_moving_open_leads_into_a_won_stage_closes_them_as_won() -> None:
    now_won, _, moved_at, _ = _into_won_with_one_lead_won_before()

    assert (now_won.status, now_won.closed_at) == (WorkItemStatus.WON, moved_at)


def test_moving_leads_into_a_won_stage_keeps_the_closing_date_of_leads_won_before() -> None:
    _, kept, _, closed_earlier = _into_won_with_one_lead_won_before()

    assert (kept.status, kept.closed_at) == (WorkItemStatus.WON, closed_earlier)
