"""`manage.py rebuild_summaries`: the summaries built from the leads, by the command when no
reader runs, by the reader when one does."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from leads.domain.enums import UserRole
from leads.store import facts as facts_store
from tests.builders import make_lead, make_pipeline, make_user
from tests.event_reader import Reader


@pytest.fixture(autouse=True)
def short_lease(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADCRM_EVENT_READER_LEASE_SECONDS", "1.5")


def test_the_command_builds_the_summaries_itself_when_no_reader_runs() -> None:
    make_pipeline()
    member = make_user(UserRole.MEMBER)
    for budget in (100, 250):
        make_lead(member, data={"budget": budget})
    out = io.StringIO()
    call_command("rebuild_summaries", stdout=out)
    assert out.getvalue().strip() == "summaries rebuilt by this command: 2 leads"
    totals = [doc for doc in facts_store.all_totals().values() if doc["count"]]
    assert [(doc["count"], doc["value_sum"]) for doc in totals] == [(2, 350)]
    state = facts_store.summaries_state()
    assert state is not None and state.value_field == "budget"


def test_the_command_asks_a_running_reader_and_waits_for_its_rebuild() -> None:
    make_pipeline()
    member = make_user(UserRole.MEMBER)
    with Reader():
        make_lead(member, data={"budget": 5})
        out = io.StringIO()
        call_command("rebuild_summaries", "--wait", "20", stdout=out)
    assert out.getvalue().strip() == "summaries rebuilt by the running reader: 1 leads"
