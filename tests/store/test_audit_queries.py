"""The audit log's queries are served by its indexes, newest first without a sort in memory,
and a page reads about as many keys as it shows (explained as the store sends them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from leads.domain.audit import AuditAction, AuditEntry, audit_uid, uid_bound
from leads.store import audit as audit_store
from tests.store.test_query_plans import Explainer, describe, explainer, plan_indexes, plan_stages

__all__ = ["explainer"]  # the fixture, shared with the lead queries' tests

ENTRY_COUNT = 600
BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)
ACTIONS = list(AuditAction)
PAGE = 20


@pytest.fixture
def entries() -> list[AuditEntry]:
    made = []
    for i in range(ENTRY_COUNT):
        at = BASE_TIME + timedelta(minutes=i // 2)  # pairs share a moment: the uid decides
        made.append(
            AuditEntry(
                uid=audit_uid(at),
                at=at,
                action=ACTIONS[i % len(ACTIONS)],
                actor_username=f"user{i % 12}",
                summary=f"entry {i}",
            )
        )
    audit_store.insert_entries(made)
    return made


def _find(**filters: Any) -> None:
    query: dict[str, Any] = {"actions": None, "actor": None, "from_uid": None, "to_uid": None}
    audit_store.find_entries(**{**query, **filters}, limit=PAGE + 1)


CASES: dict[str, tuple[dict[str, Any], str]] = {
    "all": ({}, "uid_unique"),
    "a kind": ({"actions": ["stage.created", "stage.updated", "stage.deleted"]}, "action_uid"),
    "one code": ({"actions": ["auth.sign_in_failed"]}, "action_uid"),
    "a person": ({"actor": "user3"}, "actor_uid"),
    "a time window": ({"from_uid": uid_bound(BASE_TIME + timedelta(hours=1))}, "uid_unique"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_audit_filter_is_served_by_its_index_without_a_sort(
    case: str, entries: list[AuditEntry], explainer: Explainer
) -> None:
    filters, index = CASES[case]

    explained = explainer.only(lambda: _find(**filters))

    stages = plan_stages(explained)
    assert index in plan_indexes(explained), describe(explained)
    assert "SORT" not in stages and "COLLSCAN" not in stages, describe(explained)


@pytest.mark.parametrize("case", list(CASES))
def test_a_late_audit_page_reads_about_as_many_keys_as_it_shows(
    case: str, entries: list[AuditEntry], explainer: Explainer
) -> None:
    filters, _ = CASES[case]
    middle = sorted(entries, key=lambda entry: (entry.at, entry.uid))[ENTRY_COUNT // 2]

    explained = explainer.only(lambda: _find(**filters, to_uid=middle.uid))

    stats = explained["executionStats"]
    assert "SORT" not in plan_stages(explained), describe(explained)
    # One key per entry shown, plus at most one per merged run of a code.
    assert stats["totalKeysExamined"] <= PAGE + 1 + len(ACTIONS), describe(explained)
