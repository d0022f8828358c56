"""Client inputs (LeadCreate, LeadUpdate, StageCreate, StageReorder) and the stored models."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from leads.domain.enums import FieldType, TaskStatus, UserRole
from leads.domain.inputs import LeadCreate, LeadUpdate, StageCreate, StageReorder, TaskTemplateInput
from leads.domain.models import (
    SLUG_PATTERN,
    FieldChangeEntry,
    StageVisit,
    TaskInstance,
    User,
    WorkItem,
    WorkItemConfig,
    WorkStage,
    slugify,
    utcnow,
)
from leads.domain.queries import LeadFilter, PageRequest

from .builders import definition


def lead_create(**values: Any) -> LeadCreate:
    return LeadCreate.model_validate({"name": "Ada Lovelace", **values})


def stage_create(**values: Any) -> StageCreate:
    return StageCreate.model_validate({"name": "Qualified", **values})


def work_stage(**values: Any) -> WorkStage:
    return WorkStage.model_validate(
        {"uid": "stage-qualified", "name": "Qualified", "slug": "qualified", **values}
    )


def refused_fields(model: type[BaseModel], data: dict[str, Any]) -> set[str]:
    """The dotted locations of the errors `model` gives for `data`."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return {".".join(str(part) for part in error["loc"]) for error in caught.value.errors()}


# LeadCreate


def test_lead_create_needs_only_a_name() -> None:
    assert lead_create().model_dump() == {
        "name": "Ada Lovelace",
        "email": None,
        "phone": None,
        "company": None,
        "source": None,
        "tags": [],
        "assigned_to": None,  # the service assigns the creator
        "data": {},
    }


def test_lead_create_strips_the_name() -> None:
    assert lead_create(name="  Ada  ").name == "Ada"


@pytest.mark.parametrize("name", ["", "   ", "x" * 201], ids=repr)
def test_lead_create_refuses_a_blank_or_overlong_name(name: str) -> None:
    assert refused_fields(LeadCreate, {"name": name}) == {"name"}


def test_lead_create_refuses_a_missing_name() -> None:
    assert refused_fields(LeadCreate, {}) == {"name"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("uid", "LEAD-202605-00001"),
        ("version", 1),
        ("current_stage", "stage-won"),
        ("status", "won"),
        ("rank", "a"),
        ("tasks", []),
        ("history", []),
        ("activities", []),
        ("created_at", "2026-05-01T00:00:00Z"),
        ("updated_at", "2026-05-01T00:00:00Z"),
        ("created_by", "usr-1"),
        ("closed_at", None),
    ],
)
def test_lead_create_refuses_a_server_owned_field(field: str, value: Any) -> None:
    assert refused_fields(LeadCreate, {"name": "Ada", field: value}) == {field}


def test_lead_create_refuses_an_unknown_field() -> None:
    assert refused_fields(LeadCreate, {"name": "Ada", "nickname": "Countess"}) == {"nickname"}


def test_lead_create_strips_tags_and_drops_repeats_keeping_the_first_order() -> None:
    assert lead_create(tags=[" vip ", "hot", "vip", "hot ", "cold"]).tags == ["vip", "hot", "cold"]


def test_lead_create_keeps_tags_that_differ_in_case() -> None:
    assert lead_create(tags=["VIP", "vip"]).tags == ["VIP", "vip"]


@pytest.mark.parametrize(
    "tags", [[""], ["  "], ["x" * 41], [f"t{n}" for n in range(31)], "vip"], ids=repr
)
def test_lead_create_refuses_blank_overlong_or_too_many_tags(tags: Any) -> None:
    locations = refused_fields(LeadCreate, {"name": "Ada", "tags": tags})
    assert all(location.startswith("tags") for location in locations)


def test_lead_create_normalises_the_email() -> None:
    assert lead_create(email="  Ada@EXAMPLE.com ").email == "Ada@example.com"


def test_lead_create_refuses_an_invalid_email() -> None:
    assert refused_fields(LeadCreate, {"name": "Ada", "email": "ada at example"}) == {"email"}


def test_lead_create_tidies_the_phone_number() -> None:
    assert lead_create(phone="  +44  20 7946\t0958 ").phone == "+44 20 7946 0958"


def test_lead_create_refuses_an_invalid_phone_number() -> None:
    assert refused_fields(LeadCreate, {"name": "Ada", "phone": "call me"}) == {"phone"}


@pytest.mark.parametrize("field", ["email", "phone", "company", "source"])
@pytest.mark.parametrize("blank", ["", "   "], ids=repr)
def test_lead_create_turns_a_blank_string_into_none(field: str, blank: str) -> None:
    assert getattr(lead_create(**{field: blank}), field) is None


def test_lead_create_strips_company_and_source() -> None:
    lead = lead_create(company="  Analytical Engines ", source=" referral ")
    assert (lead.company, lead.source) == ("Analytical Engines", "referral")


def test_lead_create_keeps_custom_data_for_the_workflow_to_validate() -> None:
    assert lead_create(data={"budget": "1,200"}).data == {"budget": "1,200"}


# LeadUpdate


def test_lead_update_may_be_empty() -> None:
    update = LeadUpdate.model_validate({})
    assert update.model_fields_set == set()
    assert update.name is None


def test_lead_update_refuses_to_clear_the_name() -> None:
    assert refused_fields(LeadUpdate, {"name": None}) == {"name"}


def test_lead_update_refuses_a_blank_name() -> None:
    assert refused_fields(LeadUpdate, {"name": "  "}) == {"name"}


def test_lead_update_accepts_a_new_name() -> None:
    assert LeadUpdate.model_validate({"name": " Grace "}).name == "Grace"


def test_lead_update_clears_the_email_with_a_blank_string() -> None:
    update = LeadUpdate.model_validate({"email": ""})
    assert update.email is None
    assert update.model_fields_set == {"email"}


def test_lead_update_strips_tags_and_drops_repeats() -> None:
    assert LeadUpdate.model_validate({"tags": ["a", " a", "b"]}).tags == ["a", "b"]


@pytest.mark.parametrize("version", [0, -1, "2", 2.0, True], ids=repr)
def test_lead_update_refuses_a_version_that_is_not_a_positive_int(version: Any) -> None:
    assert refused_fields(LeadUpdate, {"version": version}) == {"version"}


@pytest.mark.parametrize("field", ["uid", "current_stage", "status", "assigned_to", "created_at"])
def test_lead_update_refuses_a_field_it_does_not_change(field: str) -> None:
    assert refused_fields(LeadUpdate, {field: "x"}) == {field}


# StageCreate


def test_stage_create_needs_only_a_name() -> None:
    stage = stage_create()
    assert (stage.uid, stage.slug, stage.color, stage.probability) == (None, None, "#64748b", None)


@pytest.mark.parametrize("slug", ["qualified", "won", "stage-2", "a1-b2-c3", "x" * 64])
def test_stage_create_accepts_a_lower_case_hyphenated_slug(slug: str) -> None:
    assert stage_create(slug=slug).slug == slug


@pytest.mark.parametrize(
    "slug",
    ["", "Qualified", "two words", "under_score", "-lead", "lead-", "a--b", "é", "x" * 65, "ok\n"],
    ids=repr,
)
def test_stage_create_refuses_a_malformed_slug(slug: str) -> None:
    assert refused_fields(StageCreate, {"name": "Q", "slug": slug}) == {"slug"}


@pytest.mark.parametrize("color", ["#64748b", "#FFFFFF", "#a1B2c3"])
def test_stage_create_accepts_a_hex_colour(color: str) -> None:
    assert stage_create(color=color).color == color


@pytest.mark.parametrize(
    "color", ["64748b", "#fff", "#64748", "#64748bb", "#gggggg", "red", "#64748b\n", ""], ids=repr
)
def test_stage_create_refuses_a_colour_that_is_not_rrggbb(color: str) -> None:
    assert refused_fields(StageCreate, {"name": "Q", "color": color}) == {"color"}


@pytest.mark.parametrize("probability", [0, 50, 100])
def test_stage_create_accepts_a_probability_from_0_to_100(probability: int) -> None:
    assert stage_create(probability=probability).probability == probability


@pytest.mark.parametrize("probability", [-1, 101, "5", 5.0, True], ids=repr)
def test_stage_create_refuses_a_probability_outside_0_to_100_or_not_an_int(
    probability: Any,
) -> None:
    assert refused_fields(StageCreate, {"name": "Q", "probability": probability}) == {"probability"}


@pytest.mark.parametrize("order", ["5", 5.0, True], ids=repr)
def test_stage_create_refuses_an_order_that_is_not_an_int(order: Any) -> None:
    assert refused_fields(StageCreate, {"name": "Q", "order": order}) == {"order"}


@pytest.mark.parametrize("uid", ["-stage", "stage won", "stage.won", "x" * 81, ""], ids=repr)
def test_stage_create_refuses_a_malformed_uid(uid: str) -> None:
    assert refused_fields(StageCreate, {"name": "Q", "uid": uid}) == {"uid"}


def test_stage_create_refuses_a_blank_name() -> None:
    assert refused_fields(StageCreate, {"name": "   "}) == {"name"}


def test_stage_create_refuses_an_unknown_field() -> None:
    assert refused_fields(StageCreate, {"name": "Q", "version": 1}) == {"version"}


def test_stage_create_refuses_an_invalid_task_template() -> None:
    data = {"name": "Q", "task_templates": [{"title": "Call", "due_in_hours": "24"}]}
    assert refused_fields(StageCreate, data) == {"task_templates.0.due_in_hours"}


def test_a_task_template_input_strips_its_title() -> None:
    assert TaskTemplateInput.model_validate({"title": "  Call them "}).title == "Call them"


# WorkStage


def test_work_stage_stores_its_colour_in_lower_case() -> None:
    assert work_stage(color="#A1B2C3").color == "#a1b2c3"


def test_work_stage_refuses_a_colour_that_is_not_rrggbb() -> None:
    assert refused_fields(WorkStage, {"uid": "s", "name": "S", "slug": "s", "color": "#abc"}) == {
        "color"
    }


def test_work_stage_ignores_a_field_it_does_not_know() -> None:
    # A document written by a newer version must still read.
    assert not hasattr(work_stage(added_later=True), "added_later")


# slugify


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Qualified", "qualified"),
        ("Proposal Sent", "proposal-sent"),
        ("  Won!  ", "won"),
        ("New -- Deal", "new-deal"),
        ("Stage 2", "stage-2"),
        ("Étape Finale", "tape-finale"),
        ("", "stage"),
        ("!!!", "stage"),
    ],
)
def test_slugify_makes_a_lower_case_hyphenated_slug(name: str, slug: str) -> None:
    assert slugify(name) == slug


@pytest.mark.parametrize(
    "name",
    ["a" * 100, "word " * 30, "a" * 63 + " b", "a" * 63 + "!!!b", "-" * 70, "日本語", "x\ny\tz"],
)
def test_slugify_always_makes_a_valid_slug(name: str) -> None:
    slug = slugify(name)
    assert re.fullmatch(SLUG_PATTERN, slug)
    assert len(slug) <= 64


# User


@pytest.mark.parametrize(
    ("role", "can_write"),
    [(UserRole.ADMIN, True), (UserRole.MEMBER, True), (UserRole.VIEWER, False)],
)
def test_who_may_write_leads_depends_on_the_role(role: UserRole, can_write: bool) -> None:
    assert User(username="u", role=role).can_write_leads is can_write


@pytest.mark.parametrize(
    ("role", "admin"), [(UserRole.ADMIN, True), (UserRole.MEMBER, False), (UserRole.VIEWER, False)]
)
def test_only_the_admin_role_is_admin(role: UserRole, admin: bool) -> None:
    assert User(username="u", role=role).is_admin is admin


def test_a_user_read_with_a_role_name_is_admin() -> None:
    assert User.model_validate({"username": "root", "role": "admin"}).is_admin


def test_a_user_is_a_member_unless_told() -> None:
    user = User(username="u")
    assert user.role is UserRole.MEMBER
    assert user.is_authenticated


# StageReorder


def test_stage_reorder_keeps_the_uids_in_the_order_given() -> None:
    order = ["stage-won", "stage-new", "stage-lost"]
    assert StageReorder.model_validate({"order": order}).order == order


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"order": "stage-new"},
        {"order": [1, 2]},
        {"order": [f"s{n}" for n in range(201)]},
        {"order": [], "x": 1},
    ],
    ids=["missing", "string", "numbers", "too-many", "unknown-field"],
)
def test_stage_reorder_refuses_anything_but_a_list_of_at_most_200_uids(
    data: dict[str, Any],
) -> None:
    with pytest.raises(ValidationError):
        StageReorder.model_validate(data)


# Other stored models


@pytest.mark.parametrize(
    ("status", "is_open"),
    [
        (TaskStatus.PENDING, True),
        (TaskStatus.IN_PROGRESS, True),
        (TaskStatus.COMPLETED, False),
        (TaskStatus.SKIPPED, False),
    ],
)
def test_a_task_is_open_until_completed_or_skipped(status: TaskStatus, is_open: bool) -> None:
    assert TaskInstance(title="Call", status=status).is_open is is_open


def test_a_lead_reads_each_history_entry_as_its_kind() -> None:
    at = "2026-05-01T09:00:00Z"
    lead = WorkItem.model_validate(
        {
            "uid": "LEAD-202605-00001",
            "name": "Ada",
            "current_stage": "stage-new",
            "rank": "i",
            "history": [
                {"kind": "stage_visit", "stage": "stage-new", "entered_at": at},
                {
                    "kind": "field_change",
                    "at": at,
                    "changes": [{"field": "name", "old": "A", "new": "Ada"}],
                },
            ],
        }
    )
    assert [type(entry) for entry in lead.history] == [StageVisit, FieldChangeEntry]


def test_the_config_finds_a_field_by_its_key() -> None:
    budget = definition(FieldType.CURRENCY, key="budget")
    config = WorkItemConfig(variables=[budget])
    assert config.field("budget") == budget
    assert config.field("missing") is None


def test_utcnow_is_aware_and_keeps_milliseconds_only() -> None:
    now = utcnow()
    assert now.tzinfo is UTC
    assert now.microsecond % 1000 == 0
    assert abs((datetime.now(UTC) - now).total_seconds()) < 5


# Queries


def test_a_page_request_defaults_to_the_newest_25() -> None:
    assert dataclasses.asdict(PageRequest()) == {
        "sort_key": "created_at",
        "descending": True,
        "after": None,
        "backward": False,
        "limit": 25,
    }


def test_a_lead_filter_cannot_be_changed_once_made() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        LeadFilter().stage = "stage-new"  # type: ignore[misc]
