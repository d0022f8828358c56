"""Use cases that read leads out: the export the API streams and `manage.py export_leads` writes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from leads.domain.errors import ConfigNotFound
from leads.domain.export import Cell, ExportLayout
from leads.domain.queries import LeadFilter, LeadSort, sort_order
from leads.store import exports as export_store
from leads.store import users as user_store
from leads.store import workflow as workflow_store

from .leads import with_attention


@dataclass(frozen=True)
class LeadExport:
    header: list[str]
    rows: Iterator[list[Cell]]
    lead_filter: LeadFilter


def lead_export(*, lead_filter: LeadFilter, sort: LeadSort) -> LeadExport:
    """Every lead the filter matches, as rows of cells under a header; the rows are read from
    the database as they are consumed. Raises ConfigNotFound."""
    config, stages = workflow_store.get_config_and_stages()
    if config is None:
        raise ConfigNotFound()
    # Former colleagues still name the leads they worked.
    usernames = {user.uid: user.username for user in user_store.list_users(active_only=False)}
    layout = ExportLayout.of(config, {stage.uid: stage.name for stage in stages}, usernames)
    resolved = with_attention(lead_filter, stages)
    sort_key, descending = sort_order(sort)
    leads = export_store.stream_leads(resolved, sort_key=sort_key, descending=descending)
    return LeadExport(
        header=layout.header, rows=(layout.row(lead) for lead in leads), lead_filter=resolved
    )


def lead_export_count(lead_filter: LeadFilter) -> int:
    """How many leads an export of `lead_filter` (as `lead_export` resolved it) holds."""
    return export_store.count_leads(lead_filter)
