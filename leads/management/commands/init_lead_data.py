"""`python manage.py init_lead_data [--leads N] [--seed S]`: the sample pipeline, sample leads."""

from __future__ import annotations

import argparse
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leads.domain.enums import FieldType, StageKind, UserRole
from leads.domain.errors import DomainError
from leads.domain.fields import FieldDefinition, is_blank
from leads.domain.inputs import ConfigUpdate, LeadCreate, StageUpdate
from leads.domain.models import User, WorkItem, WorkItemConfig, WorkStage
from leads.management import sample_workflow as sample
from leads.selectors.workflow import config_get, stage_list
from leads.services.leads import lead_create
from leads.services.tasks import task_complete
from leads.services.transitions import lead_transition
from leads.services.workflow import config_ensure, config_update, stage_create, stage_update
from leads.store import users as user_store
from leads.store.indexes import ensure_indexes
from leads.store.mongod import MongodError
from leads.store.server import database_server

DEFAULT_SEED = 2024
# Who creates the sample leads when no admin exists yet: a name in the history, not an account.
SYSTEM_ACTOR = User(uid="system", username="system", display_name="System", role=UserRole.ADMIN)
# How likely a new sample lead already holds each field; the rest are filled in on the way,
# by the transitions whose target stage requires them.
_FILLED_AT_CREATION = {
    "budget": 1.0,
    "industry": 0.6,
    "website": 0.8,
    "company_size": 0.7,
    "notes": 0.4,
}
# Sample leads land on the happy path (its stages weigh len(path) down to 2) or in Lost.
_LOST_WEIGHT = 3


def _describe(exc: DomainError) -> str:
    problems = "; ".join(f"{field}: {', '.join(errors)}" for field, errors in exc.fields.items())
    return f"{exc.message} ({problems})" if problems else exc.message


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


@dataclass(frozen=True)
class _Prospect:
    """The made-up person and company one sample lead is about."""

    first_name: str
    last_name: str
    title: str
    company: str
    domain: str
    industry: str


def _days_ahead(rng: random.Random, low: int, high: int) -> str:
    return (date.today() + timedelta(days=rng.randint(low, high))).isoformat()


_Generator = Callable[[random.Random, _Prospect], Any]

_SAMPLE_VALUES: dict[str, _Generator] = {
    "budget": lambda rng, _: rng.randrange(5, 250) * 1_000,
    "industry": lambda _, prospect: prospect.industry,
    "website": lambda _, prospect: f"https://www.{prospect.domain}",
    "expected_close_date": lambda rng, _: _days_ahead(rng, 14, 120),
    "company_size": lambda rng, _: rng.choice(sample.COMPANY_SIZES),
    "decision_maker": lambda rng, prospect: (
        f"{prospect.first_name} {prospect.last_name} ({prospect.title})"
    ),
    "notes": lambda rng, _: rng.choice(sample.NOTES),
}


def _any_value(definition: FieldDefinition, rng: random.Random, prospect: _Prospect) -> Any:
    """A plausible value for a field the sample data does not know (an admin's own field)."""
    if definition.field_type is FieldType.MULTI_SELECT:
        return [rng.choice(definition.option_values)]
    if definition.options:
        return rng.choice(definition.option_values)
    if definition.field_type in (FieldType.INTEGER, FieldType.DECIMAL, FieldType.CURRENCY):
        low = int(definition.min) if definition.min is not None else 0
        high = int(definition.max) if definition.max is not None else low + 1_000
        return rng.randint(low, max(low, high))
    plain: dict[FieldType, Any] = {
        FieldType.BOOLEAN: rng.random() < 0.5,
        FieldType.DATE: _days_ahead(rng, 1, 90),
        FieldType.DATETIME: f"{_days_ahead(rng, 1, 90)}T10:00:00Z",
        FieldType.EMAIL: f"{prospect.first_name.lower()}@{prospect.domain}",
        FieldType.PHONE: f"+1 555 01{rng.randint(0, 99):02d}",
        FieldType.URL: f"https://www.{prospect.domain}",
    }
    return plain.get(definition.field_type, f"Sample {definition.label.lower()}")


def _sample_value(definition: FieldDefinition, rng: random.Random, prospect: _Prospect) -> Any:
    generate = _SAMPLE_VALUES.get(definition.field_key)
    if generate is not None:
        return generate(rng, prospect)
    return _any_value(definition, rng, prospect)


def _happy_path(config: WorkItemConfig, stages: list[WorkStage]) -> list[WorkStage]:
    """From the initial stage, each time the next allowed stage further down the pipeline."""
    by_uid = {stage.uid: stage for stage in stages}
    path: list[WorkStage] = []
    stage = by_uid.get(config.initial_stage or "")
    while stage is not None:
        path.append(stage)
        forward = [
            by_uid[uid]
            for uid in stage.allowed_next_stages
            if uid in by_uid
            and by_uid[uid].kind is not StageKind.LOST
            and by_uid[uid].order > stage.order
        ]
        stage = min(forward, key=lambda candidate: candidate.order, default=None)
    return path


class Command(BaseCommand):
    help = (
        "Load the sample sales pipeline (custom fields and stages New -> Contacted -> Qualified "
        "-> Proposal -> Negotiation -> Won / Lost) unless the workflow has stages already; "
        "with --leads N, also add N sample leads spread over the stages."
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
            help=f"random seed for the sample leads; the same seed gives the same leads "
            f"(default {DEFAULT_SEED})",
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
        # Fields an admin defined before any stage existed stay; the sample adds the others.
        known = {definition.field_key for definition in config.variables}
        config_update(
            changes=ConfigUpdate(
                workflow_name=sample.WORKFLOW_NAME,
                variables=config.variables
                + [field for field in sample.FIELDS if field.field_key not in known],
                value_field=sample.VALUE_FIELD,
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
            known_next = [uid for uid in data.allowed_next_stages if uid in created]
            stage = stage_create(data=data.model_copy(update={"allowed_next_stages": known_next}))
            created.add(stage.uid)
            if known_next != data.allowed_next_stages:
                pending_edges[stage.uid] = data.allowed_next_stages
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
            f"{len(sample.FIELDS)} custom fields, stages {names}."
        )

    def _add_leads(self, count: int, rng: random.Random) -> None:
        config = config_get()
        stages = stage_list()
        path = _happy_path(config, stages)
        lost = next((stage for stage in stages if stage.kind is StageKind.LOST), None)
        lose_from = [
            index
            for index, stage in enumerate(path)
            if lost is not None and lost.uid in stage.allowed_next_stages
        ]
        # The funnel narrows: earlier stages hold more leads than later ones.
        targets = [*path, *([lost] if lost is not None and lose_from else [])]
        weights = [max(len(path) - index, 2) for index in range(len(path))]
        weights += [_LOST_WEIGHT] * (len(targets) - len(path))
        users = user_store.list_users(active_only=True)
        actor = next((user for user in users if user.role is UserRole.ADMIN), SYSTEM_ACTOR)
        assignees = [user.uid for user in users if user.can_write_leads]
        definitions = {definition.field_key: definition for definition in config.variables}
        placed: Counter[str] = Counter()
        for _ in range(count):
            prospect = self._prospect(rng)
            lead = lead_create(
                data=self._lead_input(rng, prospect, config, assignees), actor=actor
            ).lead
            target = rng.choices(targets, weights)[0]
            if target.kind is StageKind.LOST:
                steps = [*path[1 : rng.choice(lose_from) + 1], target]
            else:
                steps = path[1 : path.index(target) + 1]
            for stage in steps:
                lead = self._move(lead, stage, definitions, rng, prospect, actor)
            placed[lead.current_stage] += 1
        spread = ", ".join(f"{stage.name} {placed[stage.uid]}" for stage in stages)
        self.stdout.write(f"Added {count} sample leads: {spread}.")

    @staticmethod
    def _prospect(rng: random.Random) -> _Prospect:
        company, domain, industry = rng.choice(sample.COMPANIES)
        return _Prospect(
            first_name=rng.choice(sample.FIRST_NAMES),
            last_name=rng.choice(sample.LAST_NAMES),
            title=rng.choice(sample.JOB_TITLES),
            company=company,
            domain=domain,
            industry=industry,
        )

    @staticmethod
    def _lead_input(
        rng: random.Random, prospect: _Prospect, config: WorkItemConfig, assignees: list[str]
    ) -> LeadCreate:
        data = {
            definition.field_key: _sample_value(definition, rng, prospect)
            for definition in config.variables
            if definition.required
            or rng.random() < _FILLED_AT_CREATION.get(definition.field_key, 0.0)
        }
        return LeadCreate.model_validate(
            {
                "name": f"{prospect.first_name} {prospect.last_name}",
                "email": f"{prospect.first_name}.{prospect.last_name}@{prospect.domain}".lower(),
                "phone": f"+1 {rng.choice(sample.AREA_CODES)} 555 01{rng.randint(0, 99):02d}",
                "company": prospect.company,
                "source": rng.choice(sample.SOURCES),
                "tags": rng.sample(sample.TAGS, k=rng.randint(0, 2)),
                "assigned_to": [rng.choice(assignees)] if assignees and rng.random() < 0.8 else [],
                "data": data,
            }
        )

    @staticmethod
    def _move(
        lead: WorkItem,
        target: WorkStage,
        definitions: dict[str, FieldDefinition],
        rng: random.Random,
        prospect: _Prospect,
        actor: User,
    ) -> WorkItem:
        """Do what the lead's current stage demands before it may leave, then move it."""
        blocking = [task.uid for task in lead.stage_tasks() if task.blocks_leaving]
        for task_uid in blocking:
            lead = task_complete(uid=lead.uid, task_uid=task_uid, actor=actor).detail.lead
        data = {
            key: _sample_value(definitions[key], rng, prospect)
            for key in target.required_fields
            if key in definitions and is_blank(lead.data.get(key))
        }
        return lead_transition(
            uid=lead.uid,
            to_stage=target.uid,
            actor=actor,
            expected_version=lead.version,
            data=data or None,
        ).lead
