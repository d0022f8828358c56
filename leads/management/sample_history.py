"""Sample leads with a past, planned as data: when each arrived, how long it stayed in each
stage, what its seller did there, and how it ended.

Nothing here touches the database: `init_lead_data` replays each plan through the services,
every step under `recorded_at(step.at)`, so a sample lead went through the same rules as a
seller's clicks. A plan depends only on the random generator and on times counted back from
`now`, so the same seed gives the same leads whenever it runs.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from leads.domain.enums import ActivityType, FieldType, StageKind
from leads.domain.fields import FieldDefinition
from leads.domain.inputs import ActivityCreate, LeadCreate
from leads.domain.models import TaskTemplate, WorkItemConfig, WorkStage
from leads.management import sample_workflow as sample

HISTORY_DAYS = 182
# How likely a new sample lead already holds each field; the rest are filled in on the way,
# by the moves whose target stage requires them.
_FILLED_AT_CREATION = {
    "budget": 1.0,
    "industry": 0.6,
    "website": 0.8,
    # Half the sellers guess a close date from the first call: the forecast has open leads of
    # every stage, not only those past Qualified (where the date becomes required).
    "expected_close_date": 0.5,
    "company_size": 0.7,
    "notes": 0.4,
}
_BACK_MOVE = 0.08  # a lead in the third stage or later steps back once, then on again
_LATE_TASK = 0.15  # a task finished after its due time (or, still open, overdue)
_SKIP = 0.3  # a skippable task that is skipped rather than done
_GROWTH = 1.3  # above 1: more leads lately


@dataclass(frozen=True)
class StageProfile:
    """How leads fare in one open stage of the pipeline (by position, New first)."""

    advance: float  # share that moves on at the end of a visit
    stall: float  # share forgotten there: no move, activity stops (stale)
    days: tuple[float, float]  # how long a visit lasts, in days
    activities: tuple[int, int]  # how many calls, emails, notes or meetings a visit sees
    lost_reasons: tuple[str, ...]  # why leads are lost here, most common first


# The rest of a visit's leads are lost. Tuned so that about 60% of New leads reach Contacted,
# each later stage keeps more of its leads, and about a quarter of closed deals are won.
PROFILES = [
    StageProfile(0.61, 0.03, (0.5, 5), (1, 2), ("no_response", "no_budget", "timing", "other")),
    StageProfile(0.78, 0.03, (2, 12), (1, 3), ("no_response", "timing", "no_budget", "price")),
    StageProfile(0.85, 0.02, (4, 18), (1, 3), ("no_budget", "timing", "competitor", "price")),
    StageProfile(0.86, 0.02, (5, 21), (2, 3), ("price", "competitor", "timing", "other")),
    StageProfile(0.90, 0.02, (5, 25), (2, 3), ("price", "competitor", "other")),
]


@dataclass(frozen=True)
class Prospect:
    """The made-up person and company one sample lead is about."""

    first_name: str
    last_name: str
    title: str
    company: str
    domain: str
    industry: str


@dataclass(frozen=True)
class Log:
    """A call, email, note or meeting the seller logs."""

    at: datetime
    activity: ActivityCreate


@dataclass(frozen=True)
class Finish:
    """The seller completes (or skips) the open task a stage's template gave the lead."""

    at: datetime
    stage: str
    template_uid: str
    skip: bool


@dataclass(frozen=True)
class Move:
    at: datetime
    to_stage: str
    data: dict[str, Any] = field(default_factory=dict)
    lost_reason: str | None = None
    lost_note: str | None = None


Step = Log | Finish | Move
# How a visit ends: the lead moves (on, or once back a stage), is forgotten there, or is lost.
VisitEnd = Literal["move", "stall", "lose"]


@dataclass(frozen=True)
class LeadPlan:
    created_at: datetime
    lead: LeadCreate
    actor: str | None  # who works the lead (its assignee); None: whoever created it
    steps: list[Step]
    visited: list[str]  # the stages entered, in order, the first one included
    lost_from: str | None = None


@dataclass(frozen=True)
class Workflow:
    """What planning reads of the workflow: the pipeline walked forward, and where it ends."""

    path: list[WorkStage]  # open stages from the initial one, each one step forward
    won: WorkStage | None
    lost: WorkStage | None
    fields: dict[str, FieldDefinition]
    lost_reasons: list[str]
    variables: list[FieldDefinition]

    @classmethod
    def of(cls, config: WorkItemConfig, stages: Sequence[WorkStage]) -> Workflow:
        path = happy_path(config, stages)
        won = path.pop() if path and path[-1].kind is StageKind.WON else None
        lost = next((stage for stage in stages if stage.kind is StageKind.LOST), None)
        return cls(
            path=path,
            won=won,
            lost=lost,
            fields={definition.field_key: definition for definition in config.variables},
            lost_reasons=[option.value for option in config.lost_reasons],
            variables=list(config.variables),
        )

    def can_lose(self, stage: WorkStage) -> bool:
        return self.lost is not None and self.lost.uid in stage.allowed_next_stages

    def can_go_back(self, index: int) -> bool:
        return index > 0 and self.path[index - 1].uid in self.path[index].allowed_next_stages


def happy_path(config: WorkItemConfig, stages: Sequence[WorkStage]) -> list[WorkStage]:
    """From the initial stage, each time the next allowed stage further down the pipeline
    (a won stage ends it)."""
    by_uid = {stage.uid: stage for stage in stages}
    path: list[WorkStage] = []
    stage = by_uid.get(config.initial_stage or "")
    while stage is not None and stage not in path:
        path.append(stage)
        if stage.kind is not StageKind.OPEN:
            break
        forward = [
            by_uid[uid]
            for uid in stage.allowed_next_stages
            if uid in by_uid
            and by_uid[uid].kind is not StageKind.LOST
            and by_uid[uid].order > stage.order
        ]
        stage = min(forward, key=lambda candidate: candidate.order, default=None)
    return path


# -- field values ------------------------------------------------------------------------


def _days_after(moment: datetime, rng: random.Random, low: int, high: int) -> str:
    return (moment.date() + timedelta(days=rng.randint(low, high))).isoformat()


_Generator = Callable[[random.Random, Prospect, datetime], Any]

_SAMPLE_VALUES: dict[str, _Generator] = {
    "budget": lambda rng, _, __: rng.randrange(5, 250) * 1_000,
    "industry": lambda _, prospect, __: prospect.industry,
    "website": lambda _, prospect, __: f"https://www.{prospect.domain}",
    "expected_close_date": lambda rng, _, moment: _days_after(moment, rng, 14, 120),
    "company_size": lambda rng, _, __: rng.choice(sample.COMPANY_SIZES),
    "decision_maker": lambda _, prospect, __: (
        f"{prospect.first_name} {prospect.last_name} ({prospect.title})"
    ),
    "notes": lambda rng, _, __: rng.choice(sample.NOTES),
}


def _any_value(
    definition: FieldDefinition, rng: random.Random, prospect: Prospect, moment: datetime
) -> Any:
    """A plausible value for a field the sample data does not know (an admin's own field)."""
    if definition.field_type is FieldType.MULTI_SELECT:
        return [rng.choice(definition.option_values)]
    if definition.options:
        return rng.choice(definition.option_values)
    if definition.field_type in (FieldType.INTEGER, FieldType.DECIMAL, FieldType.CURRENCY):
        low = int(definition.min) if definition.min is not None else 0
        high = int(definition.max) if definition.max is not None else low + 1_000
        return rng.randint(low, max(low, high))
    day = _days_after(moment, rng, 1, 90)
    plain: dict[FieldType, Any] = {
        FieldType.BOOLEAN: rng.random() < 0.5,
        FieldType.DATE: day,
        FieldType.DATETIME: f"{day}T10:00:00Z",
        FieldType.EMAIL: f"{prospect.first_name.lower()}@{prospect.domain}",
        FieldType.PHONE: f"+1 555 01{rng.randint(0, 99):02d}",
        FieldType.URL: f"https://www.{prospect.domain}",
    }
    return plain.get(definition.field_type, f"Sample {definition.label.lower()}")


def sample_value(
    definition: FieldDefinition, rng: random.Random, prospect: Prospect, moment: datetime
) -> Any:
    generate = _SAMPLE_VALUES.get(definition.field_key)
    if generate is not None:
        return generate(rng, prospect, moment)
    return _any_value(definition, rng, prospect, moment)


# -- planning ----------------------------------------------------------------------------


def plan_leads(
    *,
    count: int,
    workflow: Workflow,
    assignees: Sequence[str],
    now: datetime,
    rng: random.Random,
) -> list[LeadPlan]:
    """`count` leads created over the last HISTORY_DAYS before `now`, oldest first."""
    draws = _EvenDraws(rng)
    plans = [_Planner(workflow, assignees, now, rng, draws).plan() for _ in range(count)]
    return sorted(plans, key=lambda plan: plan.created_at)


class _EvenDraws:
    """Per stage, the numbers in [0, 1) that decide how each visit ends, spread evenly (a
    golden-ratio sequence from a random start): even 60 leads then split the way the profiles
    say, where independent draws would often miss by a stage's worth of leads."""

    _STEP = 0.6180339887498949

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.last: dict[int, float] = {}

    def next(self, index: int) -> float:
        previous = self.last.get(index)
        value = self.rng.random() if previous is None else (previous + self._STEP) % 1.0
        self.last[index] = value
        return value


def _profile(index: int) -> StageProfile:
    return PROFILES[min(index, len(PROFILES) - 1)]


def _prospect(rng: random.Random) -> Prospect:
    company, domain, industry = rng.choice(sample.COMPANIES)
    return Prospect(
        first_name=rng.choice(sample.FIRST_NAMES),
        last_name=rng.choice(sample.LAST_NAMES),
        title=rng.choice(sample.JOB_TITLES),
        company=company,
        domain=domain,
        industry=industry,
    )


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A moment in [start, end], to the minute after `start`."""
    minutes = max(int((end - start).total_seconds() // 60), 0)
    return start + timedelta(minutes=rng.randint(0, minutes))


class _Planner:
    """Plans one lead: one random generator, drawn from in a fixed order."""

    def __init__(
        self,
        workflow: Workflow,
        assignees: Sequence[str],
        now: datetime,
        rng: random.Random,
        draws: _EvenDraws,
    ) -> None:
        self.workflow = workflow
        self.now = now
        self.rng = rng
        self.draws = draws
        self.prospect = _prospect(rng)
        # A growing business: about twice as many leads arrive in the last month as six
        # months ago, which also keeps the open pipeline full.
        self.created_at = now - timedelta(
            minutes=30 + int(rng.random() ** _GROWTH * HISTORY_DAYS * 24 * 60)
        )
        self.actor = rng.choice(assignees) if assignees else None
        self.steps: list[Step] = []
        self.visited: list[str] = []
        self.filled: set[str] = set()

    def plan(self) -> LeadPlan:
        lead = self._lead_input()
        lost_from = self._walk()
        return LeadPlan(
            created_at=self.created_at,
            lead=lead,
            actor=self.actor,
            steps=self.steps,
            visited=self.visited,
            lost_from=lost_from,
        )

    def _lead_input(self) -> LeadCreate:
        rng, prospect = self.rng, self.prospect
        data = {
            definition.field_key: sample_value(definition, rng, prospect, self.created_at)
            for definition in self.workflow.variables
            if definition.required
            or rng.random() < _FILLED_AT_CREATION.get(definition.field_key, 0.0)
        }
        self.filled.update(data)
        return LeadCreate.model_validate(
            {
                "name": f"{prospect.first_name} {prospect.last_name}",
                "email": f"{prospect.first_name}.{prospect.last_name}@{prospect.domain}".lower(),
                "phone": f"+1 {rng.choice(sample.AREA_CODES)} 555 01{rng.randint(0, 99):02d}",
                "company": prospect.company,
                "source": rng.choice(sample.SOURCES),
                "tags": rng.sample(sample.TAGS, k=rng.randint(0, 2)),
                "assigned_to": [self.actor] if self.actor else [],
                "data": data,
            }
        )

    def _walk(self) -> str | None:
        """The stages the lead goes through until now; the stage it was lost from, if it was."""
        path, workflow, rng = self.workflow.path, self.workflow, self.rng
        if not path:
            return None
        index, entered = 0, self.created_at
        self.visited.append(path[0].uid)
        stepped_back = False
        while True:
            stage, profile = path[index], _profile(index)
            exit_at = entered + timedelta(days=rng.uniform(*profile.days))
            draw = self.draws.next(index)
            last = index == len(path) - 1
            outcome: VisitEnd
            if draw < profile.advance and (not last or workflow.won is not None):
                target = workflow.won if last else path[index + 1]
                if (
                    not stepped_back
                    and index >= 2
                    and workflow.can_go_back(index)
                    and rng.random() < _BACK_MOVE
                ):
                    target, stepped_back = path[index - 1], True
                outcome = "move"
            elif draw < profile.advance + profile.stall or not workflow.can_lose(stage):
                target, outcome = None, "stall"
            else:
                target, outcome = workflow.lost, "lose"
            if not self._visit(stage, index, entered, exit_at, outcome):
                return None  # still there now
            assert target is not None
            if outcome == "lose":
                self._move(target, exit_at, lost=profile.lost_reasons)
                self._closed_stage(target, exit_at)
                return stage.uid
            self._move(target, exit_at)
            if target is workflow.won:
                self._closed_stage(target, exit_at)
                return None
            index = path.index(target)
            entered = exit_at

    def _visit(
        self, stage: WorkStage, index: int, entered: datetime, exit_at: datetime, outcome: VisitEnd
    ) -> bool:
        """Plan what happens in the stage until it is left at `exit_at` (True), or until now
        when the lead is still there (False)."""
        rng, profile = self.rng, _profile(index)
        leaves = outcome != "stall" and exit_at <= self.now
        # A forgotten lead saw a few days of work, then nothing.
        work_until = (
            entered + timedelta(days=rng.uniform(0.5, 3)) if outcome == "stall" else exit_at
        )
        planned: list[Step] = [
            self._log(stage, _between(rng, entered, work_until))
            for _ in range(rng.randint(*profile.activities))
        ]
        for template in stage.task_templates:
            done_at = self._task_done_at(template, entered, exit_at)
            if outcome == "stall" and (template.required or rng.random() < 0.5):
                continue  # what made it stall
            if leaves:
                # Whatever the stage asked for is dealt with before the lead leaves it.
                latest = exit_at - timedelta(minutes=rng.randint(5, 120))
                done_at = max(entered, min(done_at, latest))
            planned.append(
                Finish(
                    at=done_at,
                    stage=stage.uid,
                    template_uid=template.uid,
                    skip=template.skippable and rng.random() < _SKIP,
                )
            )
        planned.sort(key=lambda step: step.at)
        self.steps.extend(step for step in planned if step.at <= self.now)
        return leaves

    def _task_done_at(
        self, template: TaskTemplate, entered: datetime, exit_at: datetime
    ) -> datetime:
        hours = template.due_in_hours
        if hours is None:
            return _between(self.rng, entered, exit_at)
        share = (
            self.rng.uniform(1.0, 3.0)
            if self.rng.random() < _LATE_TASK
            else self.rng.uniform(0.2, 1.0)
        )
        return entered + timedelta(hours=hours * share)

    def _closed_stage(self, stage: WorkStage, entered: datetime) -> None:
        """The tasks a won or lost lead gets, done within their due time, and a last note."""
        rng = self.rng
        planned: list[Step] = [
            Finish(
                at=entered + timedelta(hours=(template.due_in_hours or 24) * rng.uniform(0.1, 0.9)),
                stage=stage.uid,
                template_uid=template.uid,
                skip=template.skippable and rng.random() < _SKIP,
            )
            for template in stage.task_templates
        ]
        if rng.random() < 0.3:
            planned.append(self._log(stage, entered + timedelta(hours=rng.uniform(1, 48))))
        planned.sort(key=lambda step: step.at)
        self.steps.extend(step for step in planned if step.at <= self.now)

    def _log(self, stage: WorkStage, at: datetime) -> Log:
        rng = self.rng
        kind, body = rng.choice(sample.STAGE_ACTIVITIES.get(stage.slug, sample.GENERIC_ACTIVITIES))
        outcome, minutes = None, None
        if kind is ActivityType.CALL:
            outcome, minutes = rng.choice(sample.CALL_OUTCOMES), rng.randint(3, 40)
        elif kind is ActivityType.MEETING:
            outcome, minutes = "Held", rng.choice([30, 45, 60, 90])
        # Sellers log only calls, emails, notes and meetings: the input model checks the type.
        activity = ActivityCreate.model_validate(
            {
                "type": kind,
                "body": body,
                "outcome": outcome,
                "duration_minutes": minutes,
                "occurred_at": at,
            }
        )
        return Log(at=at, activity=activity)

    def _move(self, target: WorkStage, at: datetime, lost: tuple[str, ...] = ()) -> None:
        rng = self.rng
        data = {
            key: sample_value(self.workflow.fields[key], rng, self.prospect, at)
            for key in target.required_fields
            if key in self.workflow.fields and key not in self.filled
        }
        self.filled.update(data)
        reason, note = None, None
        if target.kind is StageKind.LOST:
            known = self.workflow.lost_reasons
            likely = [value for value in lost if value in known] or known or ["other"]
            # The first reasons of a stage are the common ones.
            reason = rng.choices(likely, weights=range(len(likely) + 1, 1, -1))[0]
            if rng.random() < 0.5:
                note = rng.choice(sample.LOST_NOTES.get(reason, sample.LOST_NOTES["other"]))
        self.steps.append(
            Move(at=at, to_stage=target.uid, data=data, lost_reason=reason, lost_note=note)
        )
        self.visited.append(target.uid)
