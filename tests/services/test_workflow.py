"""Pipeline use cases: the config, stages, and the transactions that keep them whole."""

from __future__ import annotations

import pytest

from leads.domain.enums import StageKind
from leads.domain.errors import (
    ConfigLocked,
    StageInUse,
    ValidationFailed,
    VersionConflict,
)
from leads.domain.inputs import ConfigUpdate, StageReorder, StageUpdate, TaskTemplateInput
from leads.domain.models import User, WorkItem, WorkStage
from leads.domain.queries import LeadFilter
from leads.selectors import workflow as workflow_selectors
from leads.services import workflow as workflow_services
from leads.services.transitions import lead_transition
from leads.store import connection
from leads.store import leads as lead_store
from leads.store import workflow as workflow_store
from leads.store.connection import count_round_trips
from tests.builders import (
    complete_required_tasks,
    field,
    make_lead,
    make_pipeline,
    make_stage,
    make_user,
    stored_documents,
)


class Boom(Exception):
    """A failure in the middle of a multi-document write."""


def lead_in_contacted(stages: dict[str, WorkStage], actor: User) -> WorkItem:
    lead = complete_required_tasks(make_lead(actor).uid, actor)
    return lead_transition(uid=lead.uid, to_stage=stages["contacted"].uid, actor=actor).lead


def stage_order() -> list[str]:
    return [stage.uid for stage in workflow_selectors.stage_list()]


# --- stages ---------------------------------------------------------------------------------


def test_a_stage_without_uid_is_named_after_the_slug_of_its_name() -> None:
    stage = make_stage("Proposal & Demo!")

    assert (stage.uid, stage.slug) == ("stage-proposal-demo", "proposal-demo")
    assert workflow_selectors.stage_get(uid="stage-proposal-demo") == stage


def test_a_new_open_stage_goes_before_the_closed_stages() -> None:
    make_pipeline()

    stage = make_stage("Proposal")

    assert stage.order == 2
    assert stage_order()[2:] == [stage.uid, "stage-won", "stage-lost"]


def test_a_new_closed_stage_goes_last() -> None:
    make_pipeline()

    stage = make_stage("Lost to a competitor", kind=StageKind.LOST)

    assert stage_order()[-1] == stage.uid


def test_a_won_stage_defaults_to_certain_probability() -> None:
    assert make_stage("Won", kind=StageKind.WON).probability == 100
    assert make_stage("Lost", kind=StageKind.LOST).probability == 0


def test_a_stage_referring_to_unknown_stages_and_fields_names_both() -> None:
    make_pipeline()

    with pytest.raises(ValidationFailed) as refused:
        make_stage("Demo", allowed_next_stages=["stage-nope"], required_fields=["revenue"])

    assert set(refused.value.fields) == {"allowed_next_stages", "required_fields"}
    assert workflow_store.get_stage("stage-demo") is None


def test_editing_task_templates_keeps_sent_uids_and_makes_new_ones() -> None:
    stages = make_pipeline()
    kept = stages["new"].task_templates[1]

    updated = workflow_services.stage_update(
        uid=stages["new"].uid,
        changes=StageUpdate(
            task_templates=[
                TaskTemplateInput(title="Book a demo"),
                TaskTemplateInput(uid=kept.uid, title=kept.title),
            ]
        ),
        expected_version=None,
    )

    assert updated.task_templates[1].uid == kept.uid
    assert updated.task_templates[0].uid not in {t.uid for t in stages["new"].task_templates}
    assert workflow_selectors.stage_get(uid=stages["new"].uid).task_templates == (
        updated.task_templates
    )


def test_reorder_puts_every_stage_in_the_given_order() -> None:
    stages = make_pipeline()
    order = [stages[name].uid for name in ("won", "lost", "new", "contacted")]

    result = workflow_services.stage_reorder(data=StageReorder(order=order))

    assert [stage.uid for stage in result] == order
    assert stage_order() == order


def test_reorder_with_an_unknown_uid_changes_nothing() -> None:
    stages = make_pipeline()
    before = stored_documents()

    with pytest.raises(ValidationFailed) as refused:
        workflow_services.stage_reorder(
            data=StageReorder(order=[stages["won"].uid, stages["new"].uid, "stage-x", "stage-y"])
        )

    assert "order" in refused.value.fields
    assert "stage-x" in refused.value.fields["order"][0]
    assert stored_documents() == before


def test_reorder_is_one_transaction(monkeypatch: pytest.MonkeyPatch) -> None:
    stages = make_pipeline()
    before = stored_documents()
    real_set_order = workflow_store.set_stage_order

    def write_then_fail(order: list[str], session: connection.Session) -> None:
        real_set_order(order, session=session)
        raise Boom()

    monkeypatch.setattr(workflow_store, "set_stage_order", write_then_fail)

    with pytest.raises(Boom):
        workflow_services.stage_reorder(
            data=StageReorder(order=[stages[n].uid for n in ("lost", "won", "contacted", "new")])
        )

    assert stored_documents() == before


def test_deleting_a_stage_with_leads_and_no_target_is_refused_with_the_count() -> None:
    stages = make_pipeline()
    lead_in_contacted(stages, make_user())
    before = stored_documents()

    with pytest.raises(StageInUse) as refused:
        workflow_services.stage_delete(uid=stages["contacted"].uid, move_to=None, actor=make_user())

    assert refused.value.details == {"lead_count": 1}
    assert stored_documents() == before


def test_deleting_a_stage_moves_its_leads_and_reports_how_many() -> None:
    stages = make_pipeline()
    member = make_user()
    leads = [lead_in_contacted(stages, member) for _ in range(2)]

    moved = workflow_services.stage_delete(
        uid=stages["contacted"].uid, move_to=stages["lost"].uid, actor=member
    )

    assert moved == 2
    assert workflow_store.get_stage(stages["contacted"].uid) is None
    for lead in leads:
        stored = lead_store.get_lead(lead.uid)
        assert stored is not None and stored.lead.current_stage == stages["lost"].uid
    assert lead_store.count_leads_in_stage(stages["contacted"].uid) == 0


def test_a_stage_delete_that_fails_midway_moves_no_lead(monkeypatch: pytest.MonkeyPatch) -> None:
    stages = make_pipeline()
    member = make_user()
    lead_in_contacted(stages, member)
    before = stored_documents()

    def fail(uid: str, session: connection.Session) -> None:
        raise Boom()

    monkeypatch.setattr(workflow_store, "remove_from_allowed_next", fail)

    with pytest.raises(Boom):
        workflow_services.stage_delete(
            uid=stages["contacted"].uid, move_to=stages["new"].uid, actor=member
        )

    assert stored_documents() == before


# --- config ---------------------------------------------------------------------------------


def test_a_locked_config_refuses_to_lose_a_field_and_says_it_is_locked() -> None:
    make_pipeline()
    config = workflow_services.config_update(
        changes=ConfigUpdate(locked=True), expected_version=None
    )

    with pytest.raises(ConfigLocked) as refused:
        workflow_services.config_update(
            changes=ConfigUpdate(variables=config.variables[:1]), expected_version=None
        )

    assert "locked" in refused.value.message
    assert workflow_selectors.config_get() == config


def test_a_config_update_from_a_stale_version_changes_nothing() -> None:
    make_pipeline()
    read = workflow_selectors.config_get()
    workflow_services.config_update(
        changes=ConfigUpdate(workflow_name="First"), expected_version=read.version
    )

    with pytest.raises(VersionConflict):
        workflow_services.config_update(
            changes=ConfigUpdate(workflow_name="Second"), expected_version=read.version
        )

    assert workflow_selectors.config_get().workflow_name == "First"


def test_removing_a_field_and_trimming_stages_is_one_transaction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_pipeline(field("budget", "currency"), field("seats", "integer"))
    make_stage("Proposal", required_fields=["seats"])
    before = stored_documents()
    monkeypatch.setattr(workflow_store, "replace_stage", lambda *args, **kwargs: False)

    with pytest.raises(VersionConflict):
        workflow_services.config_update(
            changes=ConfigUpdate(variables=[field("budget", "currency")]), expected_version=None
        )

    assert stored_documents() == before


def test_removing_a_field_drops_it_from_required_fields() -> None:
    make_pipeline(field("budget", "currency"), field("seats", "integer"))
    proposal = make_stage("Proposal", required_fields=["budget", "seats"])

    workflow_services.config_update(
        changes=ConfigUpdate(variables=[field("budget", "currency")]), expected_version=None
    )

    assert workflow_selectors.stage_get(uid=proposal.uid).required_fields == ["budget"]


# --- round trips ----------------------------------------------------------------------------


def test_listing_the_stages_takes_one_round_trip() -> None:
    make_pipeline()

    with count_round_trips() as trips:
        stages = workflow_selectors.stage_list()

    assert len(stages) == 4
    assert trips.count == 1


def test_reading_the_config_takes_one_round_trip() -> None:
    make_pipeline()

    with count_round_trips() as trips:
        config = workflow_selectors.config_get()

    assert config.initial_stage is not None
    assert trips.count == 1


def test_changing_the_value_field_sums_the_new_field_from_an_index_of_its_own() -> None:
    make_pipeline()
    lead = make_lead(make_user())
    config = workflow_store.get_config()
    assert config is not None and config.value_field == "budget"
    names = set(connection.leads().index_information())
    assert "board_totals__budget" in names
    variables = [*config.variables, field("arr", "currency", min=0)]
    workflow_services.config_update(
        changes=ConfigUpdate(variables=variables, value_field="arr"),
        expected_version=config.version,
    )
    names = set(connection.leads().index_information())
    assert "board_totals__arr" in names
    assert not {name for name in names if name.startswith("board_totals")} - {"board_totals__arr"}
    connection.leads().update_one({"uid": lead.uid}, {"$set": {"data.arr": 1250.5}})
    totals, _ = lead_store.kanban(
        lead_filter=LeadFilter(hide_archived=True),
        stage_uids=[lead.current_stage],
        per_column=5,
        value_field="arr",
        data_keys=[],
    )
    assert totals[lead.current_stage]["value_total"] == 1250.5
    assert totals[lead.current_stage]["count"] == 1
