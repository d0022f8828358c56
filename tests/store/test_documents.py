"""What the store hands back, conditional writes, the round-trip counter and transactions."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from pymongo.client_session import ClientSession

from leads.domain.enums import ActivityType, WorkItemStatus
from leads.domain.errors import DuplicateKey
from leads.domain.inputs import LeadCreate
from leads.domain.models import (
    Activity,
    StageVisit,
    TaskInstance,
    WorkItem,
    WorkStage,
    utcnow,
)
from leads.domain.queries import LeadFilter, PageRequest
from leads.domain.ranks import rank_for_arrival
from leads.services import users as user_services
from leads.services.leads import lead_create
from leads.store import connection
from leads.store import leads as lead_store
from leads.store import users as user_store
from leads.store import workflow as workflow_store
from leads.store.connection import count_round_trips, in_transaction
from leads.store.documents import to_document
from leads.store.leads import LATEST_ACTIVITIES
from tests.builders import PASSWORD, make_lead, make_pipeline, make_user

Doc = dict[str, Any]


def _raw(uid: str) -> Doc | None:
    document: Doc | None = connection.leads().find_one({"type": "lead", "uid": uid})
    return document


def _note(body: str) -> Activity:
    return Activity(type=ActivityType.NOTE, body=body)


def _push_notes(lead: WorkItem, count: int) -> WorkItem:
    version = lead.version
    current: WorkItem | None = lead
    for n in range(count):
        current = lead_store.update_lead(
            uid=lead.uid,
            expected_version=version,
            set_fields={"updated_at": utcnow()},
            push_activities=[_note(f"note {n}")],
        )
        assert current is not None
        version = current.version
    assert current is not None
    return current


def _assert_clean(dumped: Doc) -> None:
    assert "_id" not in dumped
    assert "type" not in dumped


# ---------------------------------------------------------------------------------------------
# what leaves the store


def test_leads_leave_the_store_without_id_or_type() -> None:
    make_pipeline()
    lead = make_lead(make_user(), tags=["hot"])
    detail = lead_store.get_lead(lead.uid)
    with_config, config = lead_store.get_lead_and_config(lead.uid)
    updated = lead_store.update_lead(
        uid=lead.uid, expected_version=lead.version, set_fields={"name": "Renamed"}
    )
    listed = lead_store.find_leads(LeadFilter(), PageRequest())
    assert detail is not None and with_config is not None and config is not None
    assert updated is not None and len(listed) == 1
    for model in (detail, with_config, updated, listed[0], config):
        _assert_clean(model.model_dump())
        assert model.model_extra is None or not model.model_extra


def test_stages_config_and_users_leave_the_store_without_id_type_or_secrets() -> None:
    stages = make_pipeline()
    user = make_user()
    token = user_services.auth_login(username=user.username, password=PASSWORD).token
    config, all_stages = workflow_store.get_config_and_stages()
    assert config is not None and len(all_stages) == len(stages)
    models: list[Any] = [
        config,
        *all_stages,
        *workflow_store.list_stages(),
        workflow_store.get_stage(stages["new"].uid),
        workflow_store.get_config(),
        user_store.get_user(user.uid),
        user_store.get_user_by_username(user.username),
        user_services.auth_user_for_token(token),
        *user_store.list_users(active_only=False),
    ]
    for model in models:
        assert model is not None
        dumped = model.model_dump()
        _assert_clean(dumped)
        assert not {"password_hash", "tokens"} & set(dumped)


def test_a_stored_lead_carries_its_type_but_not_the_computed_activity_count() -> None:
    make_pipeline()
    lead = make_lead(make_user())
    stored = _raw(lead.uid)
    assert stored is not None
    assert stored["type"] == "lead"
    assert "activity_count" not in stored


# ---------------------------------------------------------------------------------------------
# activities


def test_get_lead_returns_the_twenty_latest_activities_newest_first() -> None:
    make_pipeline()
    lead = make_lead(make_user())
    assert lead.activity_count == 1  # "Lead created"
    _push_notes(lead, 30)
    detail = lead_store.get_lead(lead.uid)
    assert detail is not None
    assert len(detail.activities) == LATEST_ACTIVITIES == 20
    assert [activity.body for activity in detail.activities] == [
        f"note {n}" for n in range(29, 9, -1)
    ]
    assert detail.activity_count == 31
    stored = _raw(lead.uid)
    assert stored is not None and len(stored["activities"]) == 31


def test_update_lead_returns_the_lead_as_get_lead_does() -> None:
    make_pipeline()
    lead = make_lead(make_user())
    updated = _push_notes(lead, 25)
    assert updated == lead_store.get_lead(lead.uid)
    assert updated.activity_count == 26
    assert [a.body for a in updated.activities[:2]] == ["note 24", "note 23"]


def test_a_lead_with_few_activities_returns_them_all_newest_first() -> None:
    make_pipeline()
    lead = make_lead(make_user())
    _push_notes(lead, 3)
    detail = lead_store.get_lead(lead.uid)
    assert detail is not None
    assert [a.body for a in detail.activities] == [
        "note 2",
        "note 1",
        "note 0",
        "Lead created in New",
    ]
    assert detail.activity_count == 4


def test_lead_and_config_read_the_lead_without_its_activities() -> None:
    make_pipeline()
    lead = make_lead(make_user())
    _push_notes(lead, 5)
    read, config = lead_store.get_lead_and_config(lead.uid)
    assert read is not None and config is not None
    assert read.activities == []
    assert read.version == 6


def test_unknown_uids_read_as_none() -> None:
    make_pipeline()
    assert lead_store.get_lead("LEAD-202601-99999") is None
    lead, config = lead_store.get_lead_and_config("LEAD-202601-99999")
    assert lead is None and config is not None


# ---------------------------------------------------------------------------------------------
# conditional writes


def test_update_with_a_stale_version_returns_none_and_changes_nothing() -> None:
    make_pipeline()
    lead = make_lead(make_user())
    _push_notes(lead, 1)  # now at version 2
    before = _raw(lead.uid)
    for stale in (1, 3):
        result = lead_store.update_lead(
            uid=lead.uid,
            expected_version=stale,
            set_fields={"name": "Overwritten", "updated_at": utcnow()},
            push_activities=[_note("lost")],
            push_history=[StageVisit(stage="elsewhere", entered_at=utcnow())],
        )
        assert result is None
    assert _raw(lead.uid) == before


def test_update_with_the_current_version_applies_and_increments_it() -> None:
    make_pipeline()
    lead = make_lead(make_user())
    updated = lead_store.update_lead(
        uid=lead.uid, expected_version=lead.version, set_fields={"name": "Renamed"}
    )
    assert updated is not None
    assert (updated.name, updated.version) == ("Renamed", lead.version + 1)


def test_delete_with_a_stale_version_keeps_the_lead() -> None:
    make_pipeline()
    lead = make_lead(make_user())
    assert not lead_store.delete_lead(uid=lead.uid, expected_version=lead.version + 1)
    assert lead_store.lead_exists(lead.uid)
    assert lead_store.delete_lead(uid=lead.uid, expected_version=lead.version)
    assert not lead_store.lead_exists(lead.uid)


def test_inserting_a_lead_uid_twice_is_refused() -> None:
    stages = make_pipeline()
    lead = WorkItem(uid="LEAD-202601-00001", name="A", current_stage=stages["new"].uid, rank="t1")
    lead_store.insert_lead(lead)
    with pytest.raises(DuplicateKey):
        lead_store.insert_lead(lead.model_copy(update={"name": "B"}))
    stored = lead_store.get_lead(lead.uid)
    assert stored is not None and stored.name == "A"


# ---------------------------------------------------------------------------------------------
# the round-trip counter


def test_each_read_of_a_lead_or_the_workflow_is_one_round_trip() -> None:
    make_pipeline()
    lead = make_lead(make_user())
    with count_round_trips() as trips:
        lead_store.get_lead(lead.uid)
    assert (trips.count, trips.commands) == (1, ["find"])
    with count_round_trips() as trips:
        lead_store.get_lead_and_config(lead.uid)
    assert (trips.count, trips.commands) == (1, ["find"])
    with count_round_trips() as trips:
        workflow_store.get_config_and_stages()
    assert (trips.count, trips.commands) == (1, ["find"])


def test_the_lead_with_its_workflow_and_the_board_are_one_round_trip_each() -> None:
    stages = make_pipeline()
    actor = make_user()
    leads = [make_lead(actor) for _ in range(3)]
    with count_round_trips() as trips:
        context = lead_store.get_lead_with_workflow(leads[0].uid, (leads[1].uid, leads[2].uid))
    assert (trips.count, trips.commands) == (1, ["find"])
    assert context.lead is not None and context.config is not None
    assert len(context.stages) == len(stages) and len(context.neighbours) == 2
    with count_round_trips() as trips:
        _, cards = lead_store.kanban(
            lead_filter=LeadFilter(),
            stage_uids=[stage.uid for stage in stages.values()],
            per_column=50,
            value_field="budget",
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
        lead_store.get_lead_and_config(lead.uid)
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


def test_nested_counters_both_count_and_a_closed_one_stops() -> None:
    make_pipeline()
    with count_round_trips() as outer:
        workflow_store.get_config()
        with count_round_trips() as inner:
            workflow_store.get_config()
        workflow_store.get_config()
    workflow_store.get_config()
    assert (outer.count, inner.count) == (3, 1)


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
            from_stage=new.uid,
            to_stage=contacted.uid,
            visit=StageVisit(stage=contacted.uid, entered_at=now),
            activity=Activity(type=ActivityType.STAGE_CHANGE, body="moved"),
            tasks=[],
            rank=rank_for_arrival(now),
            moved_at=now,
            status=WorkItemStatus.OPEN,
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


def test_a_transaction_that_returns_commits_every_write_and_its_result() -> None:
    stages = make_pipeline()

    def work(session: ClientSession) -> str:
        workflow_store.insert_stage(
            WorkStage(uid="stage-extra", name="Extra", slug="extra", order=9), session=session
        )
        workflow_store.delete_stage(stages["lost"].uid, session)
        return "done"

    assert in_transaction(work) == "done"
    assert [stage.uid for stage in workflow_store.list_stages()][-1] == "stage-extra"
    assert workflow_store.get_stage(stages["lost"].uid) is None


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
        assert lead_store.get_lead(lead.uid) == lead


def test_moving_a_stage_s_leads_closes_their_visit_and_opens_one_in_the_target() -> None:
    stages = make_pipeline()
    actor = make_user()
    movers = [make_lead(actor), make_lead(actor)]
    stayer = make_lead(actor)
    lead_store.update_lead(
        uid=stayer.uid, expected_version=stayer.version, set_fields={"current_stage": "x"}
    )
    stayer_before = _raw(stayer.uid)
    new, contacted = stages["new"], stages["contacted"]
    moved_at = movers[-1].created_at + timedelta(seconds=90)
    visit = StageVisit(stage=contacted.uid, entered_at=moved_at, entered_by=actor.uid)
    # A value that looks like an expression must be stored as written.
    activity = Activity(type=ActivityType.STAGE_CHANGE, body="$name", details={"x": "$$ROOT"})
    task = TaskInstance(stage=contacted.uid, title="$rank")

    moved = in_transaction(
        lambda session: lead_store.move_stage_leads(
            from_stage=new.uid,
            to_stage=contacted.uid,
            visit=visit,
            activity=activity,
            tasks=[task],
            rank="tz",
            moved_at=moved_at,
            status=WorkItemStatus.OPEN,
            session=session,
        )
    )

    assert moved == 2
    for before in movers:
        after = lead_store.get_lead(before.uid)
        assert after is not None
        assert (after.current_stage, after.rank) == (contacted.uid, "tz")
        assert after.stage_entered_at == after.updated_at == moved_at
        assert after.version == before.version + 1
        old_visit, new_visit = after.history
        assert isinstance(old_visit, StageVisit)
        assert old_visit.stage == new.uid and old_visit.exited_at == moved_at
        assert old_visit.exited_by == actor.uid
        assert old_visit.duration_seconds == int((moved_at - before.created_at).total_seconds())
        assert new_visit == visit
        assert after.tasks == [*before.tasks, task]
        assert after.activities[0] == activity
        assert after.activity_count == 2
    assert _raw(stayer.uid) == stayer_before


def test_moving_leads_into_a_won_stage_closes_them_but_keeps_earlier_closing_dates() -> None:
    stages = make_pipeline()
    actor = make_user()
    still_open, won_before = make_lead(actor), make_lead(actor)
    closed_earlier = won_before.created_at + timedelta(seconds=5)
    lead_store.update_lead(
        uid=won_before.uid,
        expected_version=won_before.version,
        set_fields={"status": WorkItemStatus.WON.value, "closed_at": closed_earlier},
    )
    moved_at = won_before.created_at + timedelta(minutes=3)
    won = stages["won"]

    in_transaction(
        lambda session: lead_store.move_stage_leads(
            from_stage=stages["new"].uid,
            to_stage=won.uid,
            visit=StageVisit(stage=won.uid, entered_at=moved_at, entered_by=actor.uid),
            activity=Activity(type=ActivityType.SYSTEM, body="New was deleted"),
            tasks=[],
            rank="tz",
            moved_at=moved_at,
            status=WorkItemStatus.WON,
            session=session,
        )
    )

    now_won = lead_store.get_lead(still_open.uid)
    kept = lead_store.get_lead(won_before.uid)
    assert now_won is not None and kept is not None
    assert (now_won.status, now_won.closed_at) == (WorkItemStatus.WON, moved_at)
    assert (kept.status, kept.closed_at) == (WorkItemStatus.WON, closed_earlier)
