"""Reading every lead a filter matches, as a stream: what exports walk."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from pydantic import ValidationError

from leads.domain.export import EXPORTED_FIELDS, ExportedLead
from leads.domain.queries import LeadFilter, LeadSortKey

from .connection import Doc, leads
from .leads import _filter_query

logger = logging.getLogger(__name__)

# Only what an export shows: the embedded tasks, activities and history stay on the server.
EXPORT_PROJECTION: Doc = {"_id": 0, **{name: 1 for name in EXPORTED_FIELDS}}
EXPORT_BATCH = 1_000


def stream_leads(
    lead_filter: LeadFilter, *, sort_key: LeadSortKey, descending: bool
) -> Iterator[ExportedLead]:
    """Every lead `lead_filter` matches, in the sort order, one batch of documents in memory at a
    time. The query runs when the first lead is asked for.

    Served as the list's first page is (find_leads): the sort's index type_created_uid /
    type_updated_uid / type_name_uid walked in order, or the filter's own index."""
    walk = -1 if descending else 1
    # index: type_created_uid / type_updated_uid / type_name_uid (or the filter's, as find_leads)
    cursor = (
        leads()
        .find(_filter_query(lead_filter), EXPORT_PROJECTION)
        .sort([(sort_key, walk), ("uid", walk)])
        .batch_size(EXPORT_BATCH)
    )
    with cursor:
        for document in cursor:
            try:
                yield ExportedLead.model_validate(document)
            except ValidationError as exc:
                # As the list does (documents.readable_documents): one lead stored wrongly must
                # not break everyone's export; it is logged, to be fixed where it is.
                logger.warning(
                    "left out of an export: unreadable lead %r: %s",
                    document.get("uid"),
                    exc.errors(include_url=False, include_input=False),
                )


def count_leads(lead_filter: LeadFilter) -> int:
    """How many leads `lead_filter` matches (for a progress bar)."""
    # index: the filter's, as find_leads; type_uid when there is none
    return leads().count_documents(_filter_query(lead_filter))
