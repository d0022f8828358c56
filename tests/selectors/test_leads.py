"""lead_get, lead_list and its filters, activity_list and task_list."""

from __future__ import annotations

import pytest

from leads.domain.enums import ActivityType, TaskStatus
from leads.domain.errors import LeadNotFound, ValidationFailed
from leads.domain.inputs import ActivityCreate
from leads.domain.models import User, WorkItem
from leads.domain.queries import LeadFilter, LeadSort
from leads.selectors.leads import (
    LeadPage,
    activity_list,
    data_filters,
    lead_get,
    lead_list,
    task_list,
)
from leads.services.leads import activity_log
from leads.services.transitions import lead_transition
from tests.builders import (
    complete_required_tasks,
    field,
    make_lead,
    make_pipeline,
    make_user,
)

SORT: LeadSort = "-created_at"


def _names(page: LeadPage) -> list[str]:
    return [lead.name for lead in page.items]


def _page(cursor: str | None = None, limit: int = 2, sort: LeadSort = SORT) -> LeadPage:
    return lead_list(lead_filter=LeadFilter(), sort=sort, limit=limit, cursor=cursor)


def _five_leads() -> list[str]:
    """Five leads, named in creation order; the list shows them newest first."""
    make_pipeline()
    member = make_user()
    return [make_lead(member, name=f"Lead {n}").name for n in range(5)]


def _note(lead: WorkItem, actor: User, body: str) -> None:
    activity_log(uid=lead.uid, data=ActivityCreate(type=ActivityType.NOTE, body=body), actor=actor)


# --- lead_get -------------------------------------------------------------------------------


def test_lead_get_returns_the_lead_with_its_tasks() -> None:
    make_pipeline()
    lead = make_lead(make_user(), name="Ada Lovelace")

    found = lead_get(uid=lead.uid, actor=make_user()).lead

    assert found.name == "Ada Lovelace"
    assert [task.title for task in found.tasks] == ["Call the lead", "Research the company"]


def test_lead_get_of_an_unknown_uid_raises_lead_not_found() -> None:
    make_pipeline()

    with pytest.raises(LeadNotFound):
        lead_get(uid="LEAD-202601-99999", actor=make_user())


# --- lead_list ------------------------------------------------------------------------------


def test_following_next_cursor_lists_every_lead_once_newest_first() -> None:
    created = _five_leads()

    listed: list[str] = []
    page = _page()
    listed += _names(page)
    while page.next_cursor is not None:
        page = _page(page.next_cursor)
        listed += _names(page)

    assert listed == created[::-1]


def test_the_first_page_has_no_previous_cursor() -> None:
    _five_leads()

    assert _page().previous_cursor is None


def test_the_last_page_has_no_next_cursor() -> None:
    _five_leads()
    page = _page(limit=3)
    assert page.next_cursor is not None

    assert _page(page.next_cursor, limit=3).next_cursor is None


def test_following_previous_cursor_gives_back_the_pages_seen_before() -> None:
    _five_leads()
    forward = [_page()]
    while forward[-1].next_cursor is not None:
        forward.append(_page(forward[-1].next_cursor))

    backward = [forward[-1]]
    while backward[-1].previous_cursor is not None:
        backward.append(_page(backward[-1].previous_cursor))

    assert [_names(page) for page in backward] == [_names(page) for page in reversed(forward)]


def test_a_cursor_of_another_sort_is_refused() -> None:
    _five_leads()
    cursor = _page(sort="name").next_cursor

    with pytest.raises(ValidationFailed) as refused:
        _page(cursor, sort=SORT)

    assert list(refused.value.fields) == ["cursor"]


def test_a_cursor_the_service_did_not_issue_is_refused() -> None:
    _five_leads()

    with pytest.raises(ValidationFailed) as refused:
        _page("made-up")

    assert refused.value.fields == {"cursor": ["is not a cursor this service issued"]}


def test_lead_list_keeps_to_the_filter() -> None:
    stages = make_pipeline()
    member = make_user()
    make_lead(member, name="Ada", data={"industry": "saas"})
    make_lead(member, name="Grace", data={"industry": "retail"})
    filters = data_filters({"industry": "saas"})

    page = lead_list(
        lead_filter=LeadFilter(stage=stages["new"].uid, data_equals=filters),
        sort=SORT,
        limit=10,
        cursor=None,
    )

    assert _names(page) == ["Ada"]


# --- data filters ---------------------------------------------------------------------------


def test_data_filters_coerce_a_value_to_its_field_type() -> None:
    make_pipeline()

    assert data_filters({"budget": "1,200.50"}) == {"budget": 1200.5}


def test_data_filters_refuse_a_field_the_workflow_does_not_have() -> None:
    make_pipeline()

    with pytest.raises(ValidationFailed) as refused:
        data_filters({"colour": "red"})

    assert refused.value.fields == {"data.colour": ["is not a field of this workflow"]}


def test_data_filters_refuse_a_value_that_does_not_fit_its_field() -> None:
    make_pipeline()

    with pytest.raises(ValidationFailed) as refused:
        data_filters({"industry": "mining"})

    assert refused.value.fields == {"data.industry": ["must be one of: saas, retail"]}


def test_a_multi_select_filter_matches_leads_holding_that_option() -> None:
    options = [{"value": "web", "label": "Web"}, {"value": "phone", "label": "Phone"}]
    make_pipeline(field("budget", "currency"), field("channels", "multi_select", options=options))
    member = make_user()
    make_lead(member, name="Both", data={"channels": ["web", "phone"]})
    make_lead(member, name="Phone only", data={"channels": ["phone"]})

    page = lead_list(
        lead_filter=LeadFilter(data_equals=data_filters({"channels": "web"})),
        sort=SORT,
        limit=10,
        cursor=None,
    )

    assert _names(page) == ["Both"]


# --- activity_list --------------------------------------------------------------------------


def test_activity_list_pages_through_the_timeline_newest_first() -> None:
    make_pipeline()
    member = make_user()
    lead = make_lead(member)
    for n in range(4):
        _note(lead, member, f"note {n}")

    bodies: list[str] = []
    cursor: str | None = None
    for _ in range(5):
        page = activity_list(uid=lead.uid, types=[], cursor=cursor, limit=2)
        bodies += [activity.body for activity in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break

    assert bodies == ["note 3", "note 2", "note 1", "note 0", "Lead created in New"]


def test_activity_list_counts_every_activity_of_the_lead() -> None:
    make_pipeline()
    member = make_user()
    lead = make_lead(member)
    for n in range(4):
        _note(lead, member, f"note {n}")

    assert activity_list(uid=lead.uid, types=[], cursor=None, limit=2).total == 5


def test_an_activity_page_continues_where_it_stopped_when_new_activities_arrive() -> None:
    make_pipeline()
    member = make_user()
    lead = make_lead(member)
    for n in range(4):
        _note(lead, member, f"note {n}")
    first = activity_list(uid=lead.uid, types=[], cursor=None, limit=2)

    _note(lead, member, "arrived meanwhile")
    second = activity_list(uid=lead.uid, types=[], cursor=first.next_cursor, limit=2)

    assert [activity.body for activity in second.items] == ["note 1", "note 0"]


def test_activity_list_shows_only_the_types_asked_for() -> None:
    make_pipeline()
    member = make_user()
    lead = make_lead(member)
    _note(lead, member, "a note")
    activity_log(
        uid=lead.uid, data=ActivityCreate(type=ActivityType.CALL, body="a call"), actor=member
    )

    page = activity_list(uid=lead.uid, types=["call"], cursor=None, limit=10)

    assert [activity.body for activity in page.items] == ["a call"]


def test_activity_list_of_an_unknown_lead_raises_lead_not_found() -> None:
    make_pipeline()

    with pytest.raises(LeadNotFound):
        activity_list(uid="LEAD-202601-99999", types=[], cursor=None, limit=10)


def test_activity_list_refuses_a_cursor_it_did_not_issue() -> None:
    make_pipeline()
    lead = make_lead(make_user())

    with pytest.raises(ValidationFailed) as refused:
        activity_list(uid=lead.uid, types=[], cursor="made-up", limit=10)

    assert list(refused.value.fields) == ["cursor"]


# --- task_list ------------------------------------------------------------------------------


def _lead_in_contacted() -> tuple[dict[str, str], WorkItem]:
    stages = make_pipeline()
    member = make_user()
    lead = make_lead(member)
    complete_required_tasks(lead.uid, member)
    moved = lead_transition(uid=lead.uid, to_stage=stages["contacted"].uid, actor=member)
    return {name: stage.uid for name, stage in stages.items()}, moved.lead


def test_task_list_without_filters_lists_every_task_of_the_lead() -> None:
    _, lead = _lead_in_contacted()

    assert [task.title for task in task_list(uid=lead.uid, stage=None, status=None)] == [
        "Call the lead",
        "Research the company",
        "Send intro email",
    ]


def test_task_list_of_a_stage_lists_only_the_tasks_that_came_from_it() -> None:
    stages, lead = _lead_in_contacted()

    tasks = task_list(uid=lead.uid, stage=stages["new"], status=None)

    assert [task.title for task in tasks] == ["Call the lead", "Research the company"]


def test_task_list_of_a_status_lists_only_the_tasks_in_it() -> None:
    _, lead = _lead_in_contacted()

    tasks = task_list(uid=lead.uid, stage=None, status=TaskStatus.PENDING)

    assert [task.title for task in tasks] == ["Research the company", "Send intro email"]


def test_task_list_of_a_stage_and_a_status_lists_the_tasks_matching_both() -> None:
    stages, lead = _lead_in_contacted()

    tasks = task_list(uid=lead.uid, stage=stages["contacted"], status=TaskStatus.PENDING)

    assert [task.title for task in tasks] == ["Send intro email"]


def test_task_list_of_an_unknown_lead_raises_lead_not_found() -> None:
    make_pipeline()

    with pytest.raises(LeadNotFound):
        task_list(uid="LEAD-202601-99999", stage=None, status=None)
