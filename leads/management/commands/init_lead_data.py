"""`python manage.py init_lead_data [--leads N] [--seed S]`: the sample pipeline, sample leads."""

from __future__ import annotations

import argparse
import random
import threading
from collections import Counter, defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leads.domain.attention import idle_days, is_overdue
from leads.domain.changes import next_due_at
from leads.domain.enums import StageKind, UserRole, WorkItemStatus
from leads.domain.errors import DomainError
from leads.domain.inputs import ConfigUpdate, StageUpdate
from leads.domain.models import User, WorkItem, WorkStage, recorded_at
from leads.management import sample_workflow as sample
from leads.management.sample_history import (
    HISTORY_DAYS,
    Finish,
    LeadPlan,
    Log,
    Workflow,
    plan_leads,
)
from leads.selectors.users import user_list
from leads.selectors.workflow import config_get, stage_list
from leads.services.leads import activity_log, lead_create
from leads.services.tasks import task_complete, task_skip
from leads.services.transitions import lead_transition
from leads.services.workflow import (
    DATE_FIELD_TYPES,
    config_ensure,
    config_update,
    stage_create,
    stage_update,
)
from leads.store.indexes import ensure_indexes
from leads.store.mongod import MongodError
from leads.store.server import database_server

DEFAULT_SEED = 2024
# Who creates the sample leads when no admin exists yet: a name in the history, not an account.
SYSTEM_ACTOR = User(uid="system", username="system", display_name="System", role=UserRole.ADMIN)


def _describe(exc: DomainError) -> str:
    problems = "; ".join(f"{field}: {', '.join(errors)}" for field, errors in exc.fields.items())
    return f"{exc.message} ({problems})" if problems else exc.message


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _replay(plan: LeadPlan, *, creator: User, worker: User) -> WorkItem:
    """Create the lead and walk it through its plan with the services, each step recorded at
    its moment; the lead as the last write left it."""
    with recorded_at(plan.created_at):
        lead = lead_create(data=plan.lead, actor=creator).lead
    for step in plan.steps:
        with recorded_at(step.at):
            if isinstance(step, Log):
                activity_log(uid=lead.uid, data=step.activity, actor=worker)
            elif isinstance(step, Finish):
                task = next(
                    task
                    for task in lead.stage_tasks()
                    if task.template_uid == step.template_uid and task.is_open
                )
                finish = task_skip if step.skip else task_complete
                lead = finish(uid=lead.uid, task_uid=task.uid, actor=worker).detail.lead
            else:
                lead = lead_transition(
                    uid=lead.uid,
                    to_stage=step.to_stage,
                    actor=worker,
                    data=step.data or None,
                    lost_reason=step.lost_reason,
                    lost_note=step.lost_note,
                ).lead
    return lead


@dataclass(frozen=True)
class _Outcome:
    plan: LeadPlan
    lead: WorkItem


def _replay_all(
    plans: Sequence[LeadPlan], *, creator: User, workers: dict[str, User]
) -> list[_Outcome]:
    """Replay the plans, those of each month in their own thread, oldest first: lead numbers
    count per month, so they follow the creation dates and come out the same every run, while
    the months overlap their waits on the database (a sample of 1,000 leads is some 20,000
    writes)."""
    by_month: dict[str, list[LeadPlan]] = defaultdict(list)
    for plan in sorted(plans, key=lambda plan: plan.created_at):
        by_month[f"{plan.created_at:%Y%m}"].append(plan)
    failed = threading.Event()

    def replay_month(month: list[LeadPlan]) -> list[_Outcome]:
        outcomes = []
        for plan in month:
            if failed.is_set():
                break
            worker = workers.get(plan.actor or "", creator)
            try:
                outcomes.append(_Outcome(plan, _replay(plan, creator=creator, worker=worker)))
            except BaseException:
                failed.set()
                raise
        return outcomes

    with ThreadPoolExecutor(max_workers=max(len(by_month), 1)) as pool:
        months = [pool.submit(replay_month, month) for month in by_month.values()]
        return [outcome for month in months for outcome in month.result()]


def _funnel(outcomes: Sequence[_Outcome], stages: Sequence[WorkStage], now: datetime) -> str:
    """What the sample leads add up to: how many entered each stage, where they were lost,
    where the open ones are and how many of those need attention."""
    entered = Counter(uid for outcome in outcomes for uid in set(outcome.plan.visited))
    lost_from = Counter(outcome.plan.lost_from for outcome in outcomes if outcome.plan.lost_from)
    still_open = [outcome for outcome in outcomes if outcome.lead.status is WorkItemStatus.OPEN]
    in_stage = Counter(outcome.lead.current_stage for outcome in still_open)
    by_uid = {stage.uid: stage for stage in stages}
    overdue = sum(
        is_overdue(outcome.lead.status, next_due_at(outcome.lead.tasks), now)
        for outcome in still_open
    )
    # The lead the last write returned may predate the activities logged after it.
    stale = sum(
        idle_days(
            status=outcome.lead.status,
            stage=by_uid.get(outcome.lead.current_stage),
            last_activity_at=max(
                [outcome.plan.created_at, *(step.at for step in outcome.plan.steps)]
            ),
            now=now,
        )
        is not None
        for outcome in still_open
    )
    names = {stage.uid: stage.name for stage in stages}

    def listed(counts: Counter[str]) -> str:
        return ", ".join(f"{names[uid]} {counts[uid]}" for uid in names if counts[uid]) or "none"

    return (
        f"entered {listed(entered)}; lost from {listed(lost_from)}; "
        f"open in {listed(in_stage)}, {overdue} of them overdue, {stale} stale."
    )


class Command(BaseCommand):
    help = (
        "Load the sample sales pipeline (custom fields, lost reasons and stages New -> "
        "Contacted -> Qualified -> Proposal -> Negotiation -> Won / Lost) unless the workflow "
        "has stages already; with --leads N, also add N sample leads created over the last six "
        "months, each walked through the stages with tasks done, calls and emails logged, and "
        "won, lost or still open."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--leads",
            type=_count,
            default=0,
            metavar="N",
            help="add N sample leads (also to a workflow loaded before)",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"random seed for the sample leads; the same seed gives the same leads, their "
            f"dates counted back from now (default {DEFAULT_SEED})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with database_server():
                # A database this command sees first needs the unique indexes before any write.
                ensure_indexes()
                self._load_workflow()
                if options["leads"]:
                    self._add_leads(options["leads"], random.Random(options["seed"]))
        except MongodError as exc:
            raise CommandError(str(exc)) from None
        except DomainError as exc:
            raise CommandError(_describe(exc)) from None

    def _load_workflow(self) -> None:
        existing = stage_list()
        if existing:
            self.stdout.write(
                f"The workflow already has {len(existing)} stages: left as it is, "
                "no sample workflow loaded."
            )
            return
        config = config_ensure()
        # Fields and lost reasons an admin defined before any stage existed stay; the sample
        # adds the other fields, and its lost reasons when there are none.
        known = {definition.field_key for definition in config.variables}
        variables = config.variables + [
            field for field in sample.FIELDS if field.field_key not in known
        ]
        # An admin's own field of that name keeps its type: the forecast uses it if it is a date.
        forecast_field = next(
            (
                field
                for field in variables
                if field.field_key == sample.FORECAST_DATE_FIELD
                and field.field_type in DATE_FIELD_TYPES
            ),
            None,
        )
        config_update(
            changes=ConfigUpdate(
                workflow_name=sample.WORKFLOW_NAME,
                variables=variables,
                lost_reasons=config.lost_reasons or sample.LOST_REASONS,
                value_field=sample.VALUE_FIELD,
                forecast_date_field=forecast_field.field_key if forecast_field else None,
            ),
            expected_version=config.version,
        )
        # A stage may only name stages that exist: closed stages first, then the open ones from
        # the end of the pipeline backwards. Edges that still point at a later-created stage
        # (a step back) are added once every stage exists.
        creation_order = sorted(
            sample.STAGES, key=lambda data: (data.kind is StageKind.OPEN, -(data.order or 0))
        )
        created: set[str] = set()
        pending_edges: dict[str, list[str]] = {}
        for data in creation_order:
            wanted = data.allowed_next_stages or []
            known_next = [uid for uid in wanted if uid in created]
            stage = stage_create(data=data.model_copy(update={"allowed_next_stages": known_next}))
            created.add(stage.uid)
            if known_next != wanted:
                pending_edges[stage.uid] = wanted
        for uid, allowed_next in pending_edges.items():
            stage_update(
                uid=uid,
                changes=StageUpdate(allowed_next_stages=allowed_next),
                expected_version=None,
            )
        config_update(
            changes=ConfigUpdate(initial_stage=sample.INITIAL_STAGE), expected_version=None
        )
        open_names = [data.name for data in sample.STAGES if data.kind is StageKind.OPEN]
        closed_names = [data.name for data in sample.STAGES if data.kind is not StageKind.OPEN]
        names = " -> ".join([*open_names, " / ".join(closed_names)])
        self.stdout.write(
            f"Loaded the sample workflow '{sample.WORKFLOW_NAME}': "
            f"{len(sample.FIELDS)} custom fields, {len(sample.LOST_REASONS)} lost reasons, "
            f"stages {names}."
        )

    def _add_leads(self, count: int, rng: random.Random) -> None:
        stages = stage_list()
        workflow = Workflow.of(config_get(), stages)
        users = user_list(include_inactive=False)
        creator = next((user for user in users if user.role is UserRole.ADMIN), SYSTEM_ACTOR)
        workers = {user.uid: user for user in users if user.can_write_leads}
        # Dates count back from a whole minute, so two runs differ by a shift of time only.
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        assignees = [user.uid for user in sorted(workers.values(), key=lambda user: user.username)]
        plans = plan_leads(count=count, workflow=workflow, assignees=assignees, now=now, rng=rng)
        outcomes = _replay_all(plans, creator=creator, workers=workers)
        self.stdout.write(
            f"Added {count} sample leads created over the last {HISTORY_DAYS} days: "
            f"{_funnel(outcomes, stages, now)}"
        )
