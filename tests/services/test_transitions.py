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
from leads.domain.models import StageVisit, User, WorkItem
from leads.services.tasks import task_complete
from leads.services.transitions import lead_transition
from leads.store import leads as lead_store
from tests.builders import make_lead, make_pipeline, make_stage, make_user


def _complete_required(lead: WorkItem, actor: User) -> WorkItem:
    for task in lead.tasks:
        if task.stage == lead.current_stage and task.required and task.is_open:
            lead, _ = task_complete(uid=lead.uid, task_uid=task.uid, actor=actor)
    return lead


def _visits(lead: WorkItem) -> list[StageVisit]:
    return [entry for entry in lead.history if isinstance(entry, StageVisit)]


def test_a_lead_moves_when_its_required_tasks_are_done() -> None:
    stages = make_pipeline()
    member = make_user()
    lead = _complete_required(make_lead(member, data={"budget": 100}), member)

    moved = lead_transition(uid=lead.uid, to_stage=stages["contacted"].uid, actor=member)

    assert moved.current_stage == stages["contacted"].uid
    assert moved.version == lead.version + 1
    visits = _visits(moved)
    assert [visit.stage for visit in visits] == [stages["new"].uid, stages["contacted"].uid]
    assert visits[0].exited_at == visits[1].entered_at
    assert visits[0].duration_seconds is not None and visits[1].exited_at is None
    assert [task.title for task in moved.tasks if task.stage == stages["contacted"].uid] == [
        "Send intro email"
    ]
    assert moved.activities[0].type == "stage_change"
    assert moved.activities[0].actor == member.uid


def test_transition_is_refused_while_required_tasks_are_open() -> None:
    stages = make_pipeline()
    member = make_user()
    lead = make_lead(member)

    with pytest.raises(BlockingTasks) as refused:
        lead_transition(uid=lead.uid, to_stage=stages["contacted"].uid, actor=member)

    assert [task["title"] for task in refused.value.details["tasks"]] == ["Call the lead"]
    assert lead_store.get_lead(lead.uid) == lead.model_copy(update={"activity_count": 1})


def test_transition_to_a_stage_that_is_not_allowed_next_is_refused() -> None:
    stages = make_pipeline()
    member = make_user()
    lead = _complete_required(make_lead(member), member)

    with pytest.raises(TransitionNotAllowed) as refused:
        lead_transition(uid=lead.uid, to_stage=stages["won"].uid, actor=member)

    assert refused.value.details["reason"] == "not_allowed"


def test_transition_to_the_current_stage_or_an_unknown_one_is_refused() -> None:
    stages = make_pipeline()
    member = make_user()
    lead = make_lead(member)

    with pytest.raises(TransitionNotAllowed):
        lead_transition(uid=lead.uid, to_stage=stages["new"].uid, actor=member)
    with pytest.raises(ValidationFailed) as unknown:
        lead_transition(uid=lead.uid, to_stage="stage-nowhere", actor=member)
    assert "to_stage" in unknown.value.fields


def test_missing_required_fields_are_listed_and_can_be_sent_with_the_move() -> None:
    stages = make_pipeline()
    admin = make_user(UserRole.ADMIN)
    qualified = make_stage("Qualified", required_fields=["industry"])
    from leads.domain.inputs import StageUpdate
    from leads.services.workflow import stage_update

    stage_update(
        uid=stages["new"].uid,
        changes=StageUpdate(allowed_next_stages=[qualified.uid]),
        expected_version=None,
    )
    lead = _complete_required(make_lead(admin), admin)

    with pytest.raises(MissingRequiredFields) as refused:
        lead_transition(uid=lead.uid, to_stage=qualified.uid, actor=admin)
    assert refused.value.fields == {"data.industry": ["is required to enter Qualified"]}

    moved = lead_transition(
        uid=lead.uid, to_stage=qualified.uid, actor=admin, data={"industry": "saas"}
    )
    assert moved.data["industry"] == "saas"
    assert moved.version == lead.version + 1
    field_changes = [entry for entry in moved.history if entry.kind == "field_change"]
    assert field_changes[-1].changes[0].field == "data.industry"


def test_entering_won_closes_the_lead_and_an_admin_can_reopen_it() -> None:
    stages = make_pipeline()
    admin = make_user(UserRole.ADMIN)
    member = make_user()
    lead = _complete_required(make_lead(member), member)
    lead = _complete_required(
        lead_transition(uid=lead.uid, to_stage=stages["contacted"].uid, actor=member), member
    )

    won = lead_transition(uid=lead.uid, to_stage=stages["won"].uid, actor=member)
    assert won.status is WorkItemStatus.WON and won.closed_at is not None

    with pytest.raises(TransitionNotAllowed):
        lead_transition(uid=lead.uid, to_stage=stages["contacted"].uid, actor=member)
    reopened = lead_transition(uid=lead.uid, to_stage=stages["contacted"].uid, actor=admin)
    assert reopened.status is WorkItemStatus.OPEN and reopened.closed_at is None


def test_a_stale_version_is_refused() -> None:
    stages = make_pipeline()
    member = make_user()
    lead = make_lead(member)
    lead = _complete_required(lead, member)

    with pytest.raises(VersionConflict):
        lead_transition(
            uid=lead.uid,
            to_stage=stages["contacted"].uid,
            actor=member,
            expected_version=lead.version - 1,
        )


def test_of_eight_racing_transitions_exactly_one_applies() -> None:
    stages = make_pipeline()
    member = make_user()
    lead = _complete_required(make_lead(member), member)
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
    final = lead_store.get_lead(lead.uid)
    assert final is not None and final.version == lead.version + 1
    visits = _visits(final)
    assert len(visits) == 2 and visits[0].exited_at is not None
    assert sum(1 for activity in final.activities if activity.type == "stage_change") == 1
