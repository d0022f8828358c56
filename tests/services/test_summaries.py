"""The board's summaries kept by the change-stream reader: the facts are those of the leads as
they are, and the totals the sum of the facts, whatever the writes, replays and rebuilds."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from leads.domain.enums import UserRole
from leads.domain.facts import exact_amount, lead_fact, totals_key
from leads.domain.report_facts import funnel_steps_of
from leads.store import facts as facts_store
from leads.store import workflow as workflow_store
from tests.builders import client_for, make_pipeline, make_user
from tests.event_reader import Reader, wait_until


@pytest.fixture(autouse=True)
def short_lease(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADCRM_EVENT_READER_LEASE_SECONDS", "1.5")


@pytest.fixture
def team() -> Iterator[dict[str, Any]]:
    stages = make_pipeline()
    member = make_user(UserRole.MEMBER, username="sam")
    yield {"stages": stages, "member": member, "client": client_for(member)}


def fresh_facts() -> list[dict[str, Any]]:
    """Every lead's fact computed now from the leads."""
    config, stages = workflow_store.get_config_and_stages()
    funnel = funnel_steps_of(stages)
    facts = [lead_fact(source, config, funnel) for source in facts_store.all_fact_sources()]
    return sorted(facts, key=lambda fact: str(fact["_id"]))


def fresh_totals() -> dict[str, tuple[int, Decimal]]:
    totals: dict[str, tuple[int, Decimal]] = {}
    for fact in fresh_facts():
        key = totals_key(fact["stage"], fact["status"])
        count, value = totals.get(key, (0, Decimal(0)))
        totals[key] = (count + 1, value + exact_amount(fact["value"]))
    return totals


def kept_totals() -> dict[str, tuple[int, Decimal]]:
    return {
        key: (int(doc["count"]), doc["value_sum"])
        for key, doc in facts_store.all_totals().items()
        if doc["count"] != 0 or doc["value_sum"] != 0
    }


def summaries_exact() -> bool:
    return kept_totals() == fresh_totals() and facts_store.all_facts() == fresh_facts()


def wait_for_exact_summaries() -> None:
    wait_until(summaries_exact, "the summaries to equal the leads'")


def test_the_reader_keeps_facts_and_totals_of_created_moved_edited_and_deleted_leads(
    team: dict[str, Any],
) -> None:
    client, stages = team["client"], team["stages"]
    with Reader():
        uids = [
            client.post(
                "/api/leads/", {"name": f"L{n}", "data": {"budget": 100.1 * n}}, format="json"
            ).json()["uid"]
            for n in range(4)
        ]
        wait_for_exact_summaries()  # each step on the facts the one before left
        lost = client.post(
            f"/api/leads/{uids[0]}/transition/",
            {"to_stage": stages["lost"].uid, "lost_reason": "price"},
            format="json",
        )
        assert lost.status_code == 200, lost.json()
        edited = client.patch(f"/api/leads/{uids[1]}/", {"data": {"budget": 7}}, format="json")
        assert edited.status_code == 200, edited.json()
        wait_for_exact_summaries()
        assert client.delete(f"/api/leads/{uids[2]}/").status_code == 204
        wait_for_exact_summaries()
    totals = kept_totals()
    assert totals[totals_key(stages["new"].uid, "open")] == (2, Decimal("307.3"))
    assert totals[totals_key(stages["lost"].uid, "lost")] == (1, Decimal(0))
    assert len(facts_store.all_facts()) == 3
