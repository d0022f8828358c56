"""The board's summaries (store/facts.py): kept by the change-stream reader from the leads it
sees change, rebuilt from the leads when they cannot be trusted (never built, built for another
value or close-date field or fact definition, or changes were missed)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from pymongo.errors import PyMongoError

from leads.domain.facts import FACTS_VERSION, lead_fact
from leads.domain.models import WorkItemConfig, utcnow
from leads.domain.report_facts import funnel_steps_of
from leads.store import events as event_store
from leads.store import facts as facts_store
from leads.store import workflow as workflow_store
from leads.store.connection import Doc, Session

logger = logging.getLogger(__name__)


class LeaseLost(Exception):
    """Another worker took the reader's lease: this one stops writing summaries."""


def _built_for(
    state: facts_store.SummariesState | None, config: WorkItemConfig | None, funnel: list[str]
) -> bool:
    return (
        state is not None
        and state.definition == FACTS_VERSION
        and state.value_field == (config.value_field if config else None)
        and state.close_field == (config.forecast_date_field if config else None)
        and state.funnel == funnel
    )


class SummaryKeeper:
    """The reader's side: applies the leads a batch of changes touched, and rebuilds when the
    summaries are missing or built for another config. `renew` keeps the reader's lease during a
    long rebuild (False: it was lost)."""

    def __init__(self, renew: Callable[[], bool], session: Session | None = None) -> None:
        self._renew = renew
        self._session = session
        self.config: WorkItemConfig | None = None
        self.funnel: list[str] = []
        # Set when a fact could not be computed: this reader keeps no summaries any more.
        self.given_up = False

    def _kept(self, keep: Callable[[], object]) -> None:
        """Run `keep` (an apply or a rebuild). A lead whose fact cannot be computed (a bug, or
        stored data nothing expects) must not stop the events the reader stores after it: the
        summaries are dropped instead, so boards and reports read the leads, and the next
        reader to start (a worker restart, with the fix) rebuilds them."""
        if self.given_up:
            return
        try:
            keep()
        except (LeaseLost, PyMongoError):
            raise
        except Exception:
            logger.exception("summaries: a fact could not be computed; they are dropped")
            self.given_up = True
            facts_store.forget_summaries()

    def load_workflow(self) -> None:
        """What facts read of the workflow: the config, and the funnel's steps."""
        config, stages = workflow_store.get_config_and_stages()
        self.config, self.funnel = config, funnel_steps_of(stages)

    def _built(self) -> bool:
        return _built_for(facts_store.summaries_state(), self.config, self.funnel)

    def fact_of(self, lead: Doc) -> Doc:
        return lead_fact(lead, self.config, self.funnel)

    def start(self, *, missed_changes: bool) -> None:
        """On taking the lease: rebuild unless the summaries are built for the config and no
        change can have been missed (the reader resumes from a saved position)."""
        self.load_workflow()
        if missed_changes or not self._built():
            self._kept(self.rebuild)

    def check(self) -> None:
        """When the stream is quiet: rebuild if someone asked for it (or the state is gone)."""
        if not self._built() and not self.given_up:
            self.load_workflow()
            self._kept(self.rebuild)

    def config_changed(self) -> bool:
        """The config or a stage changed: rebuild when what facts read of them did (the value
        or close-date field; the funnel's steps, which a stage added, deleted or reordered
        changes, a rename not); True if so."""
        self.load_workflow()
        if self._built() or self.given_up:
            return False
        self._kept(self.rebuild)
        return True

    def apply(self, uids: list[str]) -> None:
        self._kept(lambda: facts_store.apply_lead_facts(uids, self.fact_of, self._session))

    def rebuild(self) -> int:
        """Build the summaries from the leads; how many facts. Raises LeaseLost."""
        started = time.monotonic()

        def heartbeat() -> None:
            if not self._renew():
                raise LeaseLost

        built = facts_store.rebuild(
            fact_of=self.fact_of,
            config=self.config,
            funnel=self.funnel,
            definition=FACTS_VERSION,
            built_at=utcnow(),
            heartbeat=heartbeat,
        )
        logger.info("summaries rebuilt: %d leads in %.1f s", built, time.monotonic() - started)
        return built


@dataclass(frozen=True)
class RebuildOutcome:
    by_reader: bool
    facts: int | None


def summaries_rebuild(*, owner: str, lease_seconds: float, wait_seconds: float) -> RebuildOutcome:
    """Rebuild the summaries: here, holding the reader's lease, when no reader runs; else ask
    the running reader (which rebuilds between two batches, so no change is applied meanwhile)
    and wait up to `wait_seconds` for it. Raises TimeoutError when it did not finish in time."""

    def renew() -> bool:
        now = utcnow()
        return event_store.claim_reader(
            owner=owner, now=now, lease_until=now + timedelta(seconds=lease_seconds)
        )

    if renew():
        try:
            keeper = SummaryKeeper(renew)
            keeper.load_workflow()
            return RebuildOutcome(by_reader=False, facts=keeper.rebuild())
        finally:
            event_store.release_reader(owner=owner)
    asked = utcnow()
    facts_store.forget_summaries()
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        state = facts_store.summaries_state()
        if state is not None and state.built_at is not None and state.built_at >= asked:
            return RebuildOutcome(by_reader=True, facts=facts_store.count_facts())
        time.sleep(0.2)
    raise TimeoutError("the reader did not rebuild the summaries in time")
