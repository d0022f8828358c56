from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from leads.domain.enums import UserRole, WorkItemStatus
from leads.domain.errors import (
    BlockingTasks,
    Conflict,
    MissingRequiredFields,
    TransitionNotAllowed,
    ValidationFailed,
    VersionConflict,
)
from leads.domain.inputs import StageUpdate
from leads.domain.models import StageVisit, WorkItem, WorkStage
from leads.services.transitions import lead_transition
from leads.services.workflow import stage_update
from leads.store import leads as lead_store
from tests.builders import (
    complete_required_tasks,
    make_lead,
    make_pipeline,
    make_stage,
    make_user,
)


def _visits(lead: WorkItem) -> list[StageVisit]:
    return [entry for entry in lead.history if isinstance(entry, StageVisit)]


def _ready_lead(**values: object) -> WorkItem:
    member = make_user()
    return complete_required_tasks(make_lead(member, **values).uid, member)


def _stored(uid: str) -> WorkItem:
    record = lead_store.get_lead(uid)
    assert record is not None
    return record.lead


def _qualified_needing_industry(stages: dict[str, WorkStage]) -> WorkStage:
    qualified = make_stage("Qualified", required_fields=["industry"])
    stage_update(
        uid=stages["new"].uid,
        changes=StageUpdate(allowed_next_stages=[qualified.uid]),
        expected_version=None,
    )
    return qualified


def test_a_lead_whose_required_tasks_are_done_moves_and_its_version_goes_up() -> None:
    stages = make_pipeline()
    lead = _ready_lead(data={"budget": 100})

    moved = lead_transition(uid=lead.uid, to_stage=stages["contacted"].uid, actor=make_user())

    assert moved.lead.current_stage == stages["contacted"].uid
    assert moved.lead.version == lead.version + 1


def test_a_move_closes_the_old_visit_when_the_new_one_opens() -> None:
    stages = make_pipeline()
    lead = _ready_lead()

    moved = lead_transition(uid=lead.uid, to_stage=stages["contacted"].uid, actor=make_user())

    visits = _visits(moved.lead)
    assert [visit.stage for visit in visits] == [stages["new"].uid, stages["contacted"].uid]
    assert visits[0].exited_at == visits[1].entered_at
    assert visits[0].duration_seconds is not None and visits[1].exited_at is None


def test_entering_a_stage_adds_its_tasks_and_logs_who_moved_the_lead() -> None:
    stages = make_pipeline()
    lead = _ready_lead()
    member = make_user()

    moved = lead_transition(uid=lead.uid, to_stage=stages["contacted"].uid, actor=member).lead

    assert [task.title for task in moved.stage_tasks()] == ["Send intro email"]
    assert moved.activities[0].type == "stage_change"
    assert moved.activities[0].actor == member.uid


def test_the_moves_of_the_answer_are_those_of_the_new_stage() -> None:
    stages = make_pipeline()
    lead = _ready_lead()

    moved = lead_transition(uid=lead.uid, to_stage=stages["contacted"].uid, actor=make_user())

    open_now = {move.to_stage for move in moved.moves if move.allowed}
    assert stages["contacted"].uid not in {move.to_stage for move in moved.moves}
    # Contacted's own required task is open, so no move out of it is open yet.
    assert open_now == set()
    assert {reason.code for move in moved.moves for reason in move.reasons} >= {"blocking_tasks"}


def test_transition_is_refused_while_required_tasks_are_open_and_nothing_changes() -> None:
    stages = make_pipeline()
    member = make_user()
    lead = make_lead(member)

    with pytest.raises(BlockingTasks) as refused:
        lead_transition(uid=lead.uid, to_stage=stages["contacted"].uid, actor=member)

    reasons = refused.value.details["reasons"]
    assert [task["title"] for task in reasons[0]["tasks"]] == ["Call the lead"]
    assert _stored(lead.uid) == lead


def test_transition_to_a_stage_that_is_not_allowed_next_is_refused() -> None:
    stages = make_pipeline()
    lead = _ready_lead()

    with pytest.raises(TransitionNotAllowed) as refused:
        lead_transition(uid=lead.uid, to_stage=stages["won"].uid, actor=make_user())

    assert refused.value.details["reason"] == "not_allowed"


def test_transition_to_the_current_stage_is_refused() -> None:
    stages = make_pipeline()
    member = make_user()
    lead = make_lead(member)

    with pytest.raises(TransitionNotAllowed) as refused:
        lead_transition(uid=lead.uid, to_stage=stages["new"].uid, actor=member)

    assert refused.value.details["reason"] == "same_stage"


def test_transition_to_an_unknown_stage_is_a_validation_error_on_to_stage() -> None:
    make_pipeline()
    member = make_user()
    lead = make_lead(member)

    with pytest.raises(ValidationFailed) as unknown:
        lead_transition(uid=lead.uid, to_stage="stage-nowhere", actor=member)

    assert "to_stage" in unknown.value.fields


def test_missing_required_fields_are_named_on_the_refusal() -> None:
    qualified = _qualified_needing_industry(make_pipeline())
    lead = _ready_lead()

    with pytest.raises(MissingRequiredFields) as refused:
        lead_transition(uid=lead.uid, to_stage=qualified.uid, actor=make_user())

    assert refused.value.fields == {"data.industry": ["is required to enter Qualified"]}
    assert refused.value.details["reasons"][0]["fields"] == [
        {"key": "industry", "label": "Industry"}
    ]


def test_missing_required_fields_sent_with_the_move_let_it_through_and_are_recorded() -> None:
    qualified = _qualified_needing_industry(make_pipeline())
    lead = _ready_lead()

    moved = lead_transition(
        uid=lead.uid, to_stage=qualified.uid, actor=make_user(), data={"industry": "saas"}
    ).lead

    assert moved.data["industry"] == "saas"
    assert moved.version == lead.version + 1
    field_changes = [entry for entry in moved.history if entry.kind == "field_change"]
    assert field_changes[-1].changes[0].field == "data.industry"


def _won_lead(stages: dict[str, WorkStage]) -> WorkItem:
    member = make_user()
    lead = _ready_lead()
    lead_transition(uid=lead.uid, to_stage=stages["contacted"].uid, actor=member)
    complete_required_tasks(lead.uid, member)
    return lead_transition(uid=lead.uid, to_stage=stages["won"].uid, actor=member).lead


def test_entering_won_closes_the_lead() -> None:
    won = _won_lead(make_pipeline())

    assert won.status is WorkItemStatus.WON and won.closed_at is not None


def test_a_member_cannot_reopen_a_won_lead() -> None:
    stages = make_pipeline()
    won = _won_lead(stages)

    with pytest.raises(TransitionNotAllowed) as refused:
        lead_transition(uid=won.uid, to_stage=stages["contacted"].uid, actor=make_user())

    assert refused.value.details["reason"] == "reopen_requires_admin"


def test_an_admin_reopens_a_won_lead_and_its_closing_date_goes() -> None:
    stages = make_pipeline()
    won = _won_lead(stages)

    reopened = lead_transition(
        uid=won.uid, to_stage=stages["contacted"].uid, actor=make_user(UserRole.ADMIN)
    ).lead

    assert reopened.status is WorkItemStatus.OPEN and reopened.closed_at is None


def test_a_stale_version_is_refused() -> None:
    stages = make_pipeline()
    lead = _ready_lead()

    with pytest.raises(VersionConflict):
        lead_transition(
            uid=lead.uid,
            to_stage=stages["contacted"].uid,
            actor=make_user(),
            expected_version=lead.version - 1,
        )


def test_of_eight_racing_transitions_exactly_one_applies() -> None:
    stages = make_pipeline()
    member = make_user()
    lead = _ready_lead()
    targets = [stages["contacted"].uid, stages["lost"].uid] * 4

    def move(target: str) -> str:
        try:
            lead_transition(uid=lead.uid, to_stage=target, actor=member)
        except Conflict:
            return "409"
        return "moved"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(move, targets))

    assert sorted(outcomes) == ["409"] * 7 + ["moved"]
    final = _stored(lead.uid)
    assert final.version == lead.version + 1
    visits = _visits(final)
    assert len(visits) == 2 and visits[0].exited_at is not None
    assert sum(1 for activity in final.activities if activity.type == "stage_change") == 1
