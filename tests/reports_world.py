"""A small pipeline with a hand-built June 2026, shared by the report tests. Every figure the
tests expect is worked out by hand from the stories below.

Stages (order): New (10%) -> Qualified (40%) -> Proposal (70%) -> Won / Lost, every stage
allowed to reach every other; New gives each lead an optional "Call" task.

    L1 alice web  1000: New 1st -> Qualified 3rd -> Proposal 6th -> Won 10th
    L2 bob   web  2000: New 2nd -> Proposal 4th (skips Qualified) -> Lost (price) 9th
    L3 alice fair 4000: New 2nd -> Qualified 5th -> New 7th (back) -> Qualified 8th (open)
    L4 bob   fair 8000, close 2026-07-15: New 3rd -> Won 5th -> Proposal 7th (reopened, open)
    L5 alice none  500: New 20 May -> Qualified 2nd -> Lost (timing) 12th
    L7 bob   fair  300: New 4th -> Lost (timing) 6th
    L6 alice web   100, close 2026-06-20: New 1 July 00:00 (open)

All moves at 12:00 UTC. Activities: alice calls on L1 on the 1st and completes L1's Call
task on the 2nd; bob emails on L2 on the 9th and notes on L2 on the 10th. "Now" is
1 July 2026 12:00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from leads.domain.enums import StageKind, UserRole
from leads.domain.fields import FieldOption
from leads.domain.inputs import ActivityCreate, ConfigUpdate, LeadCreate, StageUpdate
from leads.domain.models import User, WorkStage, recorded_at
from leads.domain.reports import ReportFilter
from leads.selectors.leads import lead_get
from leads.services import leads as lead_services
from leads.services import workflow as workflow_services
from leads.services.tasks import task_complete
from leads.services.transitions import lead_transition
from tests.builders import field, make_config, make_stage, make_user

NOW = datetime(2026, 7, 1, 12, tzinfo=UTC)
JUNE_FILTER = ReportFilter(
    start=datetime(2026, 6, 1, tzinfo=UTC), end=datetime(2026, 7, 1, tzinfo=UTC)
)


def june(day: int) -> datetime:
    return datetime(2026, 6, day, 12, tzinfo=UTC)


@dataclass
class World:
    admin: User
    alice: User
    bob: User
    stages: dict[str, WorkStage]
    leads: dict[str, str]  # L1.. -> uid


def make_stages() -> dict[str, WorkStage]:
    make_config(
        field("budget", "currency", min=0), field("close_date", "date"), value_field="budget"
    )
    workflow_services.config_update(
        changes=ConfigUpdate(
            forecast_date_field="close_date",
            lost_reasons=[
                FieldOption(value="price", label="Too expensive"),
                FieldOption(value="timing", label="Bad timing"),
            ],
        ),
        expected_version=None,
    )
    stages = {
        "new": make_stage(
            "New", order=0, probability=10, task_templates=[{"title": "Call", "required": False}]
        ),
        "qualified": make_stage("Qualified", order=1, probability=40),
        "proposal": make_stage("Proposal", order=2, probability=70),
        "won": make_stage("Won", order=3, kind=StageKind.WON),
        "lost": make_stage("Lost", order=4, kind=StageKind.LOST),
    }
    for key, stage in stages.items():
        stages[key] = workflow_services.stage_update(
            uid=stage.uid,
            changes=StageUpdate(
                allowed_next_stages=[other.uid for other in stages.values() if other != stage]
            ),
            expected_version=None,
        )
    workflow_services.config_update(
        changes=ConfigUpdate(initial_stage=stages["new"].uid), expected_version=None
    )
    return stages


def create(actor: User, at: datetime, assignee: User, **values: object) -> str:
    with recorded_at(at):
        return lead_services.lead_create(
            data=LeadCreate.model_validate(
                {"name": "Lead", **values, "assigned_to": [assignee.uid]}
            ),
            actor=actor,
        ).lead.uid


def move(uid: str, stage: WorkStage, at: datetime, actor: User, reason: str | None = None) -> None:
    with recorded_at(at):
        lead_transition(uid=uid, to_stage=stage.uid, actor=actor, lost_reason=reason)


def log(uid: str, kind: str, at: datetime, actor: User) -> None:
    with recorded_at(at):
        lead_services.activity_log(
            uid=uid, data=ActivityCreate.model_validate({"type": kind, "body": kind}), actor=actor
        )


def build() -> World:
    admin = make_user(UserRole.ADMIN)
    alice = make_user(UserRole.MEMBER, "alice")
    bob = make_user(UserRole.MEMBER, "bob")
    s = make_stages()
    new, qualified, proposal, won, lost = (
        s["new"], s["qualified"], s["proposal"], s["won"], s["lost"]
    )  # fmt: skip
    leads: dict[str, str] = {}

    l1 = leads["L1"] = create(admin, june(1), alice, source="web", data={"budget": 1000})
    move(l1, qualified, june(3), admin)
    move(l1, proposal, june(6), admin)
    move(l1, won, june(10), admin)

    l2 = leads["L2"] = create(admin, june(2), bob, source="web", data={"budget": 2000})
    move(l2, proposal, june(4), admin)
    move(l2, lost, june(9), admin, reason="price")

    l3 = leads["L3"] = create(admin, june(2), alice, source="fair", data={"budget": 4000})
    move(l3, qualified, june(5), admin)
    move(l3, new, june(7), admin)
    move(l3, qualified, june(8), admin)

    l4 = leads["L4"] = create(
        admin, june(3), bob, source="fair", data={"budget": 8000, "close_date": "2026-07-15"}
    )
    move(l4, won, june(5), admin)
    move(l4, proposal, june(7), admin)

    l5 = leads["L5"] = create(
        admin, datetime(2026, 5, 20, 12, tzinfo=UTC), alice, data={"budget": 500}
    )
    move(l5, qualified, june(2), admin)
    move(l5, lost, june(12), admin, reason="timing")

    l7 = leads["L7"] = create(admin, june(4), bob, source="fair", data={"budget": 300})
    move(l7, lost, june(6), admin, reason="timing")

    leads["L6"] = create(
        admin,
        datetime(2026, 7, 1, tzinfo=UTC),
        alice,
        source="web",
        data={"budget": 100, "close_date": "2026-06-20"},
    )

    log(l1, "call", june(1), alice)
    call_task = next(task for task in lead_get(uid=l1, actor=admin).lead.tasks)
    with recorded_at(june(2)):
        task_complete(uid=l1, task_uid=call_task.uid, actor=alice)
    log(l2, "email", june(9), bob)
    log(l2, "note", june(10), bob)
    return World(admin=admin, alice=alice, bob=bob, stages=s, leads=leads)
