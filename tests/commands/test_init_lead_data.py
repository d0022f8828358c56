"""`manage.py init_lead_data`: the sample pipeline once, sample leads with a past on request."""

from __future__ import annotations

import io
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import median

import pytest
from django.core.management import CommandError, call_command

from leads.domain.enums import ActivityType, FieldType, StageKind, UserRole, WorkItemStatus
from leads.domain.fields import FieldDefinition, FieldOption, is_blank
from leads.domain.inputs import ConfigUpdate, StageUpdate, UserCreate, UserUpdate
from leads.domain.models import StageVisit, User, WorkItem, WorkStage
from leads.domain.queries import LeadFilter
from leads.selectors.leads import activity_list, lead_list
from leads.selectors.workflow import config_get, stage_list
from leads.services.users import user_create, user_update
from leads.services.workflow import config_ensure, config_update, stage_update
from leads.store import connection
from leads.store import leads as lead_store
from leads.store.indexes import ensure_indexes
from tests.builders import make_user

PIPELINE = ["New", "Contacted", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]
OPEN_STAGES = ["stage-new", "stage-contacted", "stage-qualified", "stage-proposal"]
OPEN_STAGES += ["stage-negotiation"]
SAMPLE_SIZE = 60


def _init(*args: str) -> str:
    out = io.StringIO()
    call_command("init_lead_data", *args, stdout=out)
    return out.getvalue()


def _uids(lead_filter: LeadFilter) -> list[str]:
    page = lead_list(lead_filter=lead_filter, sort="created_at", limit=1_000, cursor=None)
    return [summary.uid for summary in page.items]


def _leads() -> list[WorkItem]:
    """Every lead, oldest first, with its tasks and history."""
    records = [lead_store.get_lead(uid) for uid in _uids(LeadFilter())]
    return [record.lead for record in records if record is not None]


def _visits(lead: WorkItem) -> list[StageVisit]:
    return [entry for entry in lead.history if isinstance(entry, StageVisit)]


def _visited(lead: WorkItem) -> list[str]:
    return [visit.stage for visit in _visits(lead)]


def _order(stages: dict[str, WorkStage], uid: str) -> tuple[int, str]:
    return stages[uid].order, uid


def _is_forward(stages: dict[str, WorkStage], from_uid: str, to_uid: str) -> bool:
    target = stages[to_uid]
    if target.kind is StageKind.LOST:
        return False
    return target.kind is StageKind.WON or _order(stages, to_uid) > _order(stages, from_uid)


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


def test_each_open_stage_goes_one_step_forward_one_step_back_or_to_lost() -> None:
    _init()

    allowed = {stage.slug: stage.allowed_next_stages for stage in stage_list()}
    assert allowed == {
        "new": ["stage-contacted", "stage-lost"],
        "contacted": ["stage-qualified", "stage-new", "stage-lost"],
        "qualified": ["stage-proposal", "stage-contacted", "stage-lost"],
        "proposal": ["stage-negotiation", "stage-qualified", "stage-lost"],
        "negotiation": ["stage-won", "stage-proposal", "stage-lost"],
        "won": [],
        "lost": [],
    }


def test_stages_require_the_fields_that_matter_there() -> None:
    _init()

    required = {stage.slug: stage.required_fields for stage in stage_list()}
    assert required["qualified"] == ["industry"]
    assert required["proposal"] == ["expected_close_date"]
    assert required["negotiation"] == ["decision_maker"]
    # Lost asks for a lost reason from the config instead of a field.
    assert required["lost"] == []
    assert required["new"] == []


def test_every_open_stage_has_a_required_task_with_a_due_time() -> None:
    _init()

    for stage in stage_list():
        assert stage.task_templates, stage.name
        assert all(template.due_in_hours for template in stage.task_templates), stage.name
        if stage.kind is StageKind.OPEN:
            assert any(template.required for template in stage.task_templates), stage.name


def test_only_tasks_a_stage_does_not_require_may_be_skipped() -> None:
    _init()

    templates = [template for stage in stage_list() for template in stage.task_templates]
    assert all(template.skippable is not template.required for template in templates)


def test_open_stages_rot_later_down_the_pipeline_and_closed_ones_never() -> None:
    _init()

    rot = {stage.slug: stage.rot_after_days for stage in stage_list()}
    assert rot == {
        "new": 3,
        "contacted": 7,
        "qualified": 10,
        "proposal": 14,
        "negotiation": 14,
        "won": None,
        "lost": None,
    }


def test_the_config_holds_the_custom_fields_the_lost_reasons_and_starts_leads_in_new() -> None:
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
        "notes": FieldType.LONG_TEXT,
    }
    budget = config.field("budget")
    assert budget is not None and budget.required and budget.min == 0
    industry = config.field("industry")
    assert industry is not None and "saas" in industry.option_values
    assert [definition.order for definition in config.variables] == list(range(7))
    assert [reason.value for reason in config.lost_reasons] == [
        "price",
        "timing",
        "competitor",
        "no_budget",
        "no_response",
        "other",
    ]
    assert all(reason.label for reason in config.lost_reasons)
    assert config.value_field == "budget"
    assert config.initial_stage == "stage-new"


def test_running_twice_changes_nothing() -> None:
    _init()
    stages, version = stage_list(), config_get().version

    output = _init()

    assert "already has 7 stages" in output
    assert stage_list() == stages
    assert config_get().version == version


def test_fields_and_lost_reasons_defined_before_any_stage_are_kept() -> None:
    config = config_ensure()
    own = FieldDefinition(field_key="region", label="Region", field_type=FieldType.TEXT)
    reasons = [FieldOption(value="merger", label="Merged away")]
    config_update(
        changes=ConfigUpdate(variables=[own], lost_reasons=reasons),
        expected_version=config.version,
    )

    _init()

    loaded = config_get()
    keys = [definition.field_key for definition in loaded.variables]
    assert keys[0] == "region"
    assert "budget" in keys
    assert loaded.lost_reasons == reasons


# -- sample leads ------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """What one run of `init_lead_data --leads 60` left behind, read once for the tests below."""

    output: str
    ran_at: datetime
    leads: list[WorkItem]  # oldest first
    stages: dict[str, WorkStage]
    lost_reasons: list[str]
    overdue: set[str]  # the lead list's overdue filter
    stale: set[str]  # the lead list's stale filter
    activity_types: Counter[ActivityType]
    users: dict[str, User]  # by username

    def entered(self, stage: str) -> int:
        return sum(stage in _visited(lead) for lead in self.leads)

    def with_status(self, status: WorkItemStatus) -> list[WorkItem]:
        return [lead for lead in self.leads if lead.status is status]


@pytest.fixture(scope="module")
def sample(mongo_uri: str) -> Sample:
    """One sample of 60 leads, made in a database of its own and read into memory, so the
    tests that look at it share one run (each test still gets a clean database)."""
    name = f"test_sample_{uuid.uuid4().hex[:12]}"
    connection.configure(uri=mongo_uri, db_name=name)
    try:
        ensure_indexes()
        users = {
            user.username: user
            for user in [
                make_user(UserRole.ADMIN, "ada"),
                make_user(UserRole.MEMBER, "mo"),
                make_user(UserRole.MEMBER, "mia"),
                make_user(UserRole.VIEWER, "vic"),
                make_user(UserRole.MEMBER, "gone"),
            ]
        }
        user_update(uid=users["gone"].uid, changes=UserUpdate(is_active=False))
        ran_at = datetime.now(UTC)
        output = _init("--leads", str(SAMPLE_SIZE), "--seed", "11")
        leads = _leads()
        types: Counter[ActivityType] = Counter()
        for lead in leads:
            page = activity_list(uid=lead.uid, types=[], cursor=None, limit=500)
            types.update(activity.type for activity in page.items)
        return Sample(
            output=output,
            ran_at=ran_at,
            leads=leads,
            stages={stage.uid: stage for stage in stage_list()},
            lost_reasons=[reason.value for reason in config_get().lost_reasons],
            overdue=set(_uids(LeadFilter(overdue=True))),
            stale=set(_uids(LeadFilter(stale=True))),
            activity_types=types,
            users=users,
        )
    finally:
        connection.client().drop_database(name)


def test_sample_leads_were_created_over_the_last_six_months(sample: Sample) -> None:
    created = [lead.created_at for lead in sample.leads]

    assert len(created) == SAMPLE_SIZE
    assert f"Added {SAMPLE_SIZE} sample leads" in sample.output
    assert min(created) >= sample.ran_at - timedelta(days=183)
    assert max(created) <= sample.ran_at
    assert max(created) - min(created) > timedelta(days=150)
    months = Counter(f"{moment:%Y%m}" for moment in created)
    assert len(months) >= 6


def test_lead_numbers_count_per_month_in_creation_order(sample: Sample) -> None:
    numbers: dict[str, list[int]] = {}
    for lead in sample.leads:  # oldest first
        month, number = re.fullmatch(r"LEAD-(\d{6})-(\d{5})", lead.uid).groups()  # type: ignore[union-attr]
        assert month == f"{lead.created_at:%Y%m}"
        numbers.setdefault(month, []).append(int(number))
    assert all(found == list(range(1, len(found) + 1)) for found in numbers.values())


def test_every_event_of_a_lead_happened_between_its_creation_and_now(sample: Sample) -> None:
    for lead in sample.leads:
        moments = [lead.updated_at, *(task.created_at for task in lead.tasks)]
        moments += [task.completed_at for task in lead.tasks if task.completed_at]
        moments += [visit.entered_at for visit in _visits(lead)]
        assert all(lead.created_at <= moment <= sample.ran_at for moment in moments), lead.uid


def test_sample_leads_stayed_days_to_weeks_in_each_stage(sample: Sample) -> None:
    days = [
        (visit.exited_at - visit.entered_at) / timedelta(days=1)
        for lead in sample.leads
        for visit in _visits(lead)
        if visit.exited_at is not None
    ]

    assert days
    assert min(days) >= 0.25
    assert max(days) <= 31
    # A typical visit lasts days, not minutes nor months: what makes the board's stale markers
    # and the reports look like a real pipeline; a generator change that loses it fails here.
    assert 1 <= median(days) <= 20


def test_sample_leads_passed_the_rules_of_every_stage_they_went_through(sample: Sample) -> None:
    for lead in sample.leads:
        visits = _visits(lead)
        assert visits[0].stage == "stage-new"
        assert visits[-1].stage == lead.current_stage and visits[-1].exited_at is None
        for visit, following in zip(visits, visits[1:], strict=False):
            assert visit.exited_at == following.entered_at
            assert following.stage in sample.stages[visit.stage].allowed_next_stages
            required = sample.stages[following.stage].required_fields
            assert not [key for key in required if is_blank(lead.data.get(key))], lead.uid
            # The tasks this visit gave the lead, done before it left (always, in the sample;
            # the rules insist only on the required ones before a forward move).
            tasks = [
                task
                for task in lead.tasks
                if task.stage == visit.stage and task.created_at == visit.entered_at
            ]
            assert len(tasks) == len(sample.stages[visit.stage].task_templates), lead.uid
            assert all(task.is_done for task in tasks), lead.uid
            assert all(task.completed_at <= following.entered_at for task in tasks)  # type: ignore[operator]
        assert lead.email and lead.phone and lead.company and lead.data["budget"] >= 0


def test_required_tasks_were_completed_before_every_forward_move(sample: Sample) -> None:
    forward_moves = 0
    for lead in sample.leads:
        visits = _visits(lead)
        for visit, following in zip(visits, visits[1:], strict=False):
            if not _is_forward(sample.stages, visit.stage, following.stage):
                continue
            forward_moves += 1
            required = [
                task
                for task in lead.tasks
                if task.stage == visit.stage
                and task.created_at == visit.entered_at
                and task.required
            ]
            assert required, (lead.uid, visit.stage)
            assert all(task.is_done for task in required)
            assert all(task.completed_at < following.entered_at for task in required)  # type: ignore[operator]
    assert forward_moves > SAMPLE_SIZE


def test_some_leads_were_skipped_through_optional_tasks(sample: Sample) -> None:
    finished = [task for lead in sample.leads for task in lead.tasks if task.is_done]
    skipped = [task for task in finished if task.status == "skipped"]

    assert skipped
    assert all(task.skippable and not task.required for task in skipped)
    assert len(skipped) < len(finished) / 2


def test_some_leads_are_won_and_about_a_quarter_of_closed_ones(sample: Sample) -> None:
    won = sample.with_status(WorkItemStatus.WON)
    lost = sample.with_status(WorkItemStatus.LOST)

    assert won and lost
    assert 0.15 <= len(won) / (len(won) + len(lost)) <= 0.40
    assert all(lead.current_stage == "stage-won" and lead.closed_at for lead in won)
    assert all(lead.lost_reason is None for lead in won)


def test_lost_leads_say_why_with_a_reason_from_the_config(sample: Sample) -> None:
    lost = sample.with_status(WorkItemStatus.LOST)

    assert all(lead.current_stage == "stage-lost" and lead.closed_at for lead in lost)
    assert all(lead.lost_reason in sample.lost_reasons for lead in lost)
    assert len({lead.lost_reason for lead in lost}) >= 3
    noted = [lead for lead in lost if lead.lost_note]
    assert noted and len(noted) < len(lost)
    lost_from = {_visited(lead)[-2] for lead in lost}
    assert len(lost_from) >= 3
    assert all(uid in OPEN_STAGES for uid in lost_from)


def test_the_funnel_narrows_stage_by_stage(sample: Sample) -> None:
    entered = [sample.entered(uid) for uid in OPEN_STAGES]

    assert entered[0] == SAMPLE_SIZE
    assert entered == sorted(entered, reverse=True)
    assert entered[1] > entered[2] > entered[4]
    assert 0.5 <= entered[1] / entered[0] <= 0.7
    assert f"entered New {entered[0]}, Contacted {entered[1]}" in sample.output


def test_open_leads_wait_in_every_open_stage(sample: Sample) -> None:
    open_leads = sample.with_status(WorkItemStatus.OPEN)

    assert {lead.current_stage for lead in open_leads} == set(OPEN_STAGES)


def test_some_open_leads_are_overdue_and_only_open_ones(sample: Sample) -> None:
    open_uids = {lead.uid for lead in sample.with_status(WorkItemStatus.OPEN)}

    assert sample.overdue
    assert sample.overdue <= open_uids
    assert len(sample.overdue) < len(open_uids)
    for lead in sample.leads:
        if lead.uid in sample.overdue:
            # Its next open task: one of its stage's, due in the past.
            assert lead.next_due_at is not None and lead.next_due_at < sample.ran_at
            late = [task for task in lead.tasks if task.is_open and task.due_at == lead.next_due_at]
            assert late and all(task.stage == lead.current_stage for task in late)


def test_some_open_leads_are_stale_for_longer_than_their_stage_allows(sample: Sample) -> None:
    open_uids = {lead.uid for lead in sample.with_status(WorkItemStatus.OPEN)}

    assert sample.stale
    assert sample.stale <= open_uids
    assert len(sample.stale) < len(open_uids)
    for lead in sample.leads:
        if lead.uid in sample.stale:
            rot = sample.stages[lead.current_stage].rot_after_days
            assert rot is not None and lead.last_activity_at is not None
            assert lead.last_activity_at < sample.ran_at - timedelta(days=rot)


def test_no_lead_keeps_open_tasks_of_a_stage_it_left(sample: Sample) -> None:
    for lead in sample.leads:
        assert all(task.is_done for task in lead.tasks if task.stage != lead.current_stage)


def test_sellers_logged_calls_emails_notes_and_meetings(sample: Sample) -> None:
    logged = {ActivityType.CALL, ActivityType.EMAIL, ActivityType.NOTE, ActivityType.MEETING}

    assert logged <= set(sample.activity_types)
    assert sample.activity_types[ActivityType.STAGE_CHANGE] > SAMPLE_SIZE
    assert sum(sample.activity_types[kind] for kind in logged) >= 2 * SAMPLE_SIZE


def test_leads_are_assigned_to_active_members_and_admins_who_work_them(sample: Sample) -> None:
    writers = {sample.users[name].uid for name in ("ada", "mo", "mia")}
    assignees = Counter(uid for lead in sample.leads for uid in lead.assigned_to)

    assert set(assignees) == writers
    assert all(len(lead.assigned_to) == 1 for lead in sample.leads)
    for lead in sample.leads:
        moved_by = {visit.entered_by for visit in _visits(lead)[1:]}
        assert moved_by <= set(lead.assigned_to)


def test_the_same_seed_gives_the_same_leads(mongo_uri: str) -> None:
    def shape(leads: list[WorkItem]) -> list[tuple[object, ...]]:
        first = leads[0].created_at
        return [
            (
                lead.name,
                lead.email,
                lead.tags,
                {key: value for key, value in lead.data.items() if key != "expected_close_date"},
                lead.status,
                lead.lost_reason,
                lead.lost_note,
                lead.created_at - first,
                [(visit.stage, visit.duration_seconds) for visit in _visits(lead)],
                [(task.title, task.status, task.due_at - lead.created_at) for task in lead.tasks],  # type: ignore[operator]
            )
            for lead in leads
        ]

    _init("--leads", "40", "--seed", "7")
    first = shape(_leads())
    connection.configure(uri=mongo_uri, db_name=f"test_again_{uuid.uuid4().hex[:12]}")
    try:
        ensure_indexes()
        _init("--leads", "40", "--seed", "7")
        again = shape(_leads())
        connection.client().drop_database(connection.database().name)
        ensure_indexes()
        _init("--leads", "40", "--seed", "8")
        other = shape(_leads())
    finally:
        connection.client().drop_database(connection.database().name)

    assert again == first
    assert other != first


def test_sample_leads_fill_the_fields_an_admin_made_a_stage_require() -> None:
    _init()
    config = config_get()
    region = FieldDefinition(field_key="region", label="Region", field_type=FieldType.TEXT)
    config_update(
        changes=ConfigUpdate(variables=[*config.variables, region]),
        expected_version=config.version,
    )
    stage_update(
        uid="stage-qualified",
        changes=StageUpdate(required_fields=["industry", "region"]),
        expected_version=None,
    )

    _init("--leads", "40")

    qualified = [lead for lead in _leads() if "stage-qualified" in _visited(lead)]
    assert qualified
    assert all(lead.data.get("region") for lead in qualified)


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
