"""`manage.py init_lead_data`: the sample pipeline once, sample leads on request."""

from __future__ import annotations

import io
import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from leads.domain.enums import FieldType, StageKind, TaskStatus, UserRole
from leads.domain.fields import FieldDefinition, is_blank
from leads.domain.inputs import ConfigUpdate, UserCreate
from leads.domain.models import StageVisit, WorkItem
from leads.domain.queries import LeadFilter
from leads.selectors.leads import lead_list
from leads.selectors.workflow import config_get, stage_list
from leads.services.users import user_create
from leads.services.workflow import config_ensure, config_update
from leads.store import leads as lead_store

PIPELINE = ["New", "Contacted", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]


def _init(*args: str) -> str:
    out = io.StringIO()
    call_command("init_lead_data", *args, stdout=out)
    return out.getvalue()


def _leads() -> list[WorkItem]:
    page = lead_list(lead_filter=LeadFilter(), sort="created_at", limit=200, cursor=None)
    records = [lead_store.get_lead(summary.uid) for summary in page.items]
    return [record.lead for record in records if record is not None]


def test_it_creates_the_stages_in_pipeline_order() -> None:
    _init()

    stages = stage_list()
    assert [stage.name for stage in stages] == PIPELINE
    assert [stage.uid for stage in stages] == [f"stage-{name.lower()}" for name in PIPELINE]
    assert [stage.kind for stage in stages] == [StageKind.OPEN] * 5 + [
        StageKind.WON,
        StageKind.LOST,
    ]
    assert [stage.probability for stage in stages] == [10, 20, 40, 60, 80, 100, 0]
    colors = [stage.color for stage in stages]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", color) for color in colors)
    assert len(set(colors)) == len(colors)


def test_each_open_stage_goes_one_step_forward_or_to_lost() -> None:
    _init()

    allowed = {stage.slug: stage.allowed_next_stages for stage in stage_list()}
    assert allowed == {
        "new": ["stage-contacted", "stage-lost"],
        "contacted": ["stage-qualified", "stage-lost"],
        "qualified": ["stage-proposal", "stage-contacted", "stage-lost"],
        "proposal": ["stage-negotiation", "stage-lost"],
        "negotiation": ["stage-won", "stage-lost"],
        "won": [],
        "lost": [],
    }


def test_stages_require_the_fields_that_matter_there() -> None:
    _init()

    required = {stage.slug: stage.required_fields for stage in stage_list()}
    assert required["qualified"] == ["industry"]
    assert required["proposal"] == ["expected_close_date"]
    assert required["lost"] == ["lost_reason"]
    assert required["new"] == []


def test_every_open_stage_has_a_required_task_with_a_due_time() -> None:
    _init()

    for stage in stage_list():
        assert stage.task_templates, stage.name
        assert all(template.due_in_hours for template in stage.task_templates), stage.name
        if stage.kind is StageKind.OPEN:
            assert any(template.required for template in stage.task_templates), stage.name


def test_the_config_holds_the_custom_fields_and_starts_leads_in_new() -> None:
    _init()

    config = config_get()
    types = {definition.field_key: definition.field_type for definition in config.variables}
    assert types == {
        "budget": FieldType.CURRENCY,
        "industry": FieldType.SELECT,
        "website": FieldType.URL,
        "expected_close_date": FieldType.DATE,
        "company_size": FieldType.INTEGER,
        "decision_maker": FieldType.TEXT,
        "lost_reason": FieldType.SELECT,
        "notes": FieldType.LONG_TEXT,
    }
    budget = config.field("budget")
    assert budget is not None and budget.required and budget.min == 0
    industry = config.field("industry")
    assert industry is not None and "saas" in industry.option_values
    assert [definition.order for definition in config.variables] == list(range(8))
    assert config.value_field == "budget"
    assert config.initial_stage == "stage-new"


def test_running_twice_changes_nothing() -> None:
    _init()
    stages, version = stage_list(), config_get().version

    output = _init()

    assert "already has 7 stages" in output
    assert stage_list() == stages
    assert config_get().version == version


def test_fields_defined_before_any_stage_are_kept() -> None:
    config = config_ensure()
    own = FieldDefinition(field_key="region", label="Region", field_type=FieldType.TEXT)
    config_update(changes=ConfigUpdate(variables=[own]), expected_version=config.version)

    _init()

    keys = [definition.field_key for definition in config_get().variables]
    assert keys[0] == "region"
    assert "budget" in keys


def test_sample_leads_spread_over_more_than_one_stage() -> None:
    output = _init("--leads", "12")

    leads = _leads()
    assert len(leads) == 12
    assert len({lead.current_stage for lead in leads}) > 1
    assert "Added 12 sample leads" in output


def test_sample_leads_passed_every_rule_of_the_stages_they_went_through() -> None:
    _init("--leads", "20")

    required_fields = {stage.uid: stage.required_fields for stage in stage_list()}
    for lead in _leads():
        visited = [entry.stage for entry in lead.history if isinstance(entry, StageVisit)]
        assert visited[-1] == lead.current_stage
        for stage in visited:
            assert not [key for key in required_fields[stage] if is_blank(lead.data.get(key))]
        left = set(visited[:-1])
        assert all(
            task.status is TaskStatus.COMPLETED
            for task in lead.tasks
            if task.stage in left and task.required
        )
        assert lead.email and lead.phone and lead.company and lead.data["budget"] >= 0


def test_the_same_seed_gives_the_same_leads() -> None:
    _init("--leads", "6", "--seed", "7")
    _init("--leads", "6", "--seed", "7")

    leads = _leads()
    first = [(lead.name, lead.current_stage, lead.tags) for lead in leads[:6]]
    second = [(lead.name, lead.current_stage, lead.tags) for lead in leads[6:]]
    assert first == second


def test_leads_can_be_added_to_a_workflow_loaded_before() -> None:
    _init()

    output = _init("--leads", "3")

    assert "already has 7 stages" in output
    assert len(_leads()) == 3
    assert len(stage_list()) == 7


def test_sample_leads_are_created_by_the_first_admin_else_by_system() -> None:
    _init("--leads", "1")
    admin = user_create(
        data=UserCreate(username="boss", password="long-enough-1", role=UserRole.ADMIN)
    )
    _init("--leads", "1")

    creators = Counter(lead.created_by for lead in _leads())
    assert creators == {"system": 1, admin.uid: 1}


def test_a_negative_lead_count_is_refused() -> None:
    with pytest.raises(CommandError):
        _init("--leads", "-1")
