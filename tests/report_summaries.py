"""Reports through the summaries: build them from the stored leads, and make them usable (a
reader holds its lease) or not (nobody does)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from leads.domain.models import utcnow
from leads.domain.report_facts import (
    funnel_steps_of,
    report_activity,
    report_funnel,
    report_visits,
)
from leads.selectors.workflow import config_get, stage_list
from leads.store import events as event_store
from leads.store.connection import database, leads
from leads.store.report_sources import (
    FACTS_DEFINITION,
    LEAD_FACTS,
    REPORT_FACT_INDEXES,
    SUMMARIES_STATE,
    SUMMARIES_STATE_ID,
)

OWNER = "tests-reader"


def _fact(lead: dict[str, Any], value_field: str | None, date_field: str | None,
          funnel: list[str]) -> dict[str, Any]:  # fmt: skip
    data = lead.get("data") or {}
    visits = report_visits(lead, funnel)
    return {
        "_id": lead["uid"],
        "stage": lead.get("current_stage"),
        "status": lead.get("status"),
        "value": data.get(value_field) if value_field else None,
        "assigned_to": lead.get("assigned_to") or [],
        "source": lead.get("source"),
        "tags": lead.get("tags") or [],
        "created_at": lead.get("created_at"),
        "closed_at": lead.get("closed_at"),
        "lost_reason": lead.get("lost_reason"),
        "expected_close": data.get(date_field) if date_field else None,
        "visits": visits,
        "funnel": report_funnel(visits),
        "activity": report_activity(lead),
        "version": lead.get("version"),
    }


def build() -> None:
    """The summaries of the leads stored now, and their state."""
    config = config_get()
    value_field = config.value_field if config else None
    date_field = config.forecast_date_field if config else None
    funnel = funnel_steps_of(stage_list())
    facts = database()[LEAD_FACTS]
    facts.delete_many({})
    facts.create_indexes(REPORT_FACT_INDEXES)
    batch: list[dict[str, Any]] = []
    for lead in leads().find({"type": "lead"}, batch_size=1000):
        batch.append(_fact(lead, value_field, date_field, funnel))
        if len(batch) == 1000:
            facts.insert_many(batch)
            batch = []
    if batch:
        facts.insert_many(batch)
    database()[SUMMARIES_STATE].replace_one(
        {"_id": SUMMARIES_STATE_ID},
        {
            "built_at": utcnow(),
            "definition": FACTS_DEFINITION,
            "value_field": value_field,
            "close_date_field": date_field,
            "funnel": funnel,
        },
        upsert=True,
    )


def hold_reader_lease() -> None:
    now = utcnow()
    assert event_store.claim_reader(owner=OWNER, now=now, lease_until=now + timedelta(hours=1))


def release_reader_lease() -> None:
    event_store.release_reader(owner=OWNER)
