"""Which moves are open to a lead: the one rule the board, the lead page and the server share."""

from __future__ import annotations

import pytest

from leads.domain.enums import StageKind, WorkItemStatus
from leads.domain.errors import (
    BlockingTasks,
    MissingLostReason,
    MissingRequiredFields,
    TransitionNotAllowed,
)
from leads.domain.models import WorkItemConfig, WorkStage
from leads.domain.transitions import (
    MoveSubject,
    Pipeline,
    TaskRef,
    check_transition,
    lead_moves,
)

from .builders import definition


def _stage(uid: str, kind: StageKind = StageKind.OPEN, **values: object) -> WorkStage:
    return WorkStage.model_validate(
        {"uid": uid, "name": uid.title(), "slug": uid, "kind": kind, **values}
    )


NEW = _stage("new", allowed_next_stages=["contacted", "lost"], order=0)
CONTACTED = _stage(
    "contacted", allowed_next_stages=["won", "lost"], required_fields=["budget"], order=1
)
WON = _stage("won", StageKind.WON, allowed_next_stages=["lost"], order=2)
LOST = _stage("lost", StageKind.LOST, order=3)
PIPELINE = Pipeline.of(
    [NEW, CONTACTED, WON, LOST],
    WorkItemConfig(variables=[definition("currency", "budget")]),
)


def _subject(
    stage: str = "new",
    *,
    status: WorkItemStatus = WorkItemStatus.OPEN,
    data: dict[str, object] | None = None,
    blocking: tuple[str, ...] = (),
) -> MoveSubject:
    return MoveSubject(
        current_stage=stage,
        status=status,
        data=data or {},
        blocking_tasks=[TaskRef(uid=f"task-{title}", title=title) for title in blocking],
    )


def _moves(subject: MoveSubject, *, admin: bool = False) -> dict[str, list[str]]:
    """to_stage -> the reason codes (empty: allowed)."""
    return {
        move.to_stage: [reason.code.value for reason in move.reasons]
        for move in lead_moves(subject, PIPELINE, actor_is_admin=admin)
    }


def test_every_other_stage_is_listed_in_pipeline_order() -> None:
    moves = lead_moves(_subject("new"), PIPELINE, actor_is_admin=False)

    assert [move.to_stage for move in moves] == ["contacted", "won", "lost"]


def test_an_allowed_next_stage_is_open_and_others_are_not_allowed() -> None:
    moves = _moves(_subject("new", data={"budget": 10}))

    assert moves == {"contacted": [], "won": ["not_allowed"], "lost": ["lost_reason_required"]}


def test_a_lost_stage_asks_only_for_the_reason_whatever_tasks_are_open() -> None:
    subject = _subject("new", data={"budget": 10}, blocking=("Call the lead",))

    assert _moves(subject)["lost"] == ["lost_reason_required"]


def test_open_required_tasks_do_not_hold_a_lead_back_from_an_earlier_stage() -> None:
    subject = _subject("contacted", data={"budget": 10}, blocking=("Send the proposal",))

    assert _moves(subject)["new"] == ["not_allowed"]  # not listed next, but not the tasks
    assert "blocking_tasks" in _moves(subject)["won"]


def test_a_refused_move_says_where_the_lead_may_go_instead() -> None:
    won = next(
        m
        for m in lead_moves(_subject("new"), PIPELINE, actor_is_admin=False)
        if m.to_stage == "won"
    )

    assert won.reasons[0].message == "New cannot move to Won (allowed: Contacted, Lost)."


def test_open_required_tasks_refuse_every_move_out_and_name_the_tasks() -> None:
    subject = _subject("new", data={"budget": 10}, blocking=("Call the lead",))

    moves = lead_moves(subject, PIPELINE, actor_is_admin=False)

    contacted = next(move for move in moves if move.to_stage == "contacted")
    assert not contacted.allowed
    assert [task.title for task in contacted.reasons[0].tasks] == ["Call the lead"]


def test_a_target_s_required_fields_that_hold_no_value_refuse_the_move() -> None:
    moves = lead_moves(_subject("new"), PIPELINE, actor_is_admin=False)

    contacted = next(move for move in moves if move.to_stage == "contacted")
    assert [reason.code.value for reason in contacted.reasons] == ["missing_required_fields"]
    assert [(field.key, field.label) for field in contacted.reasons[0].fields] == [
        ("budget", "Budget")
    ]


def test_only_an_admin_may_reopen_a_closed_lead_into_an_open_stage() -> None:
    won = _subject("won", status=WorkItemStatus.WON, data={"budget": 1})

    assert _moves(won)["new"] == ["reopen_requires_admin"]
    assert _moves(won, admin=True)["new"] == []


def test_an_admin_may_reopen_into_any_open_stage_not_only_the_allowed_next_ones() -> None:
    won = _subject("won", status=WorkItemStatus.WON, data={"budget": 1})

    assert _moves(won, admin=True)["contacted"] == []


def test_a_closed_lead_may_move_to_a_configured_closed_stage_whoever_moves_it() -> None:
    # The first release's lead page offered a closed lead only open stages: Won -> Lost, which
    # the pipeline allows, could be done on the board but not there.
    won = _subject("won", status=WorkItemStatus.WON)

    assert _moves(won)["lost"] == ["lost_reason_required"]


def test_an_archived_lead_may_not_move_anywhere_until_restored() -> None:
    archived = _subject("new", status=WorkItemStatus.ARCHIVED, data={"budget": 1})

    assert set(map(tuple, _moves(archived).values())) == {("archived",)}


def test_check_transition_raises_the_error_of_the_first_reason_with_every_reason() -> None:
    subject = _subject("new", blocking=("Call the lead",))

    with pytest.raises(BlockingTasks) as refused:
        check_transition(
            subject=subject,
            pipeline=PIPELINE,
            to_stage="contacted",
            data_after={},
            actor_is_admin=False,
        )

    codes = [reason["code"] for reason in refused.value.details["reasons"]]
    assert codes == ["blocking_tasks", "missing_required_fields"]
    assert refused.value.fields == {"data.budget": ["is required to enter Contacted"]}


def test_check_transition_accepts_the_fields_sent_with_the_move() -> None:
    current, target = check_transition(
        subject=_subject("new"),
        pipeline=PIPELINE,
        to_stage="contacted",
        data_after={"budget": 5},
        actor_is_admin=False,
    )

    assert (current, target) == (NEW, CONTACTED)


def test_check_transition_refuses_what_lead_moves_marks_refused() -> None:
    subject = _subject("new")

    def check(to_stage: str) -> None:
        check_transition(
            subject=subject,
            pipeline=PIPELINE,
            to_stage=to_stage,
            data_after=subject.data,
            actor_is_admin=False,
        )

    for move in lead_moves(subject, PIPELINE, actor_is_admin=False):
        if move.to_stage == "lost":
            continue  # asks for a reason: see the test of lost_reason below
        if move.allowed:
            check(move.to_stage)
        else:
            with pytest.raises((TransitionNotAllowed, BlockingTasks, MissingRequiredFields)):
                check(move.to_stage)


def test_check_transition_refuses_a_lost_stage_without_a_reason_naming_lost_reason() -> None:
    with pytest.raises(MissingLostReason) as refused:
        check_transition(
            subject=_subject("new"),
            pipeline=PIPELINE,
            to_stage="lost",
            data_after={},
            actor_is_admin=False,
        )

    assert "lost_reason" in refused.value.fields


def test_check_transition_lets_a_lead_with_open_required_tasks_go_to_lost_with_a_reason() -> None:
    current, target = check_transition(
        subject=_subject("new", blocking=("Call the lead",)),
        pipeline=PIPELINE,
        to_stage="lost",
        data_after={},
        actor_is_admin=False,
        lost_reason="price",
    )

    assert target == LOST
