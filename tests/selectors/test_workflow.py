"""config_get, stage_list and stage_get."""

from __future__ import annotations

import pytest

from leads.domain.errors import ConfigNotFound, StageNotFound
from leads.domain.inputs import StageReorder
from leads.selectors.workflow import config_get, stage_get, stage_list
from leads.services.workflow import stage_reorder
from tests.builders import field, make_config, make_pipeline


def test_config_get_before_any_set_up_raises_config_not_found() -> None:
    with pytest.raises(ConfigNotFound):
        config_get()


def test_config_get_returns_the_custom_fields_in_the_order_defined() -> None:
    make_config(field("region"), field("budget", "currency"), field("notes", "long_text"))

    assert [definition.field_key for definition in config_get().variables] == [
        "region",
        "budget",
        "notes",
    ]


def test_config_get_names_the_initial_stage() -> None:
    stages = make_pipeline()

    assert config_get().initial_stage == stages["new"].uid


def test_stage_list_is_in_pipeline_order() -> None:
    stages = make_pipeline()

    assert [stage.uid for stage in stage_list()] == [
        stages[name].uid for name in ("new", "contacted", "won", "lost")
    ]


def test_stage_list_follows_a_reorder() -> None:
    stages = make_pipeline()
    order = [stages[name].uid for name in ("contacted", "new", "lost", "won")]

    stage_reorder(data=StageReorder(order=order))

    assert [stage.uid for stage in stage_list()] == order


def test_stage_get_returns_the_stage_with_its_task_templates() -> None:
    stages = make_pipeline()

    stage = stage_get(uid=stages["contacted"].uid)

    assert stage.name == "Contacted"
    assert [(t.title, t.required) for t in stage.task_templates] == [("Send intro email", True)]


def test_stage_get_of_an_unknown_uid_raises_stage_not_found() -> None:
    make_pipeline()

    with pytest.raises(StageNotFound):
        stage_get(uid="stage-nope")
