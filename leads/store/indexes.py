"""Every index the service's queries use. Each query in the store names the one serving it."""

from __future__ import annotations

import logging

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import PyMongoError

from .audit import audit
from .automation import RULE_INDEXES, RUN_INDEXES, rules, runs
from .connection import (
    database,
    deadline,
    import_errors,
    jobs,
    leads,
    login_failures,
    users,
    views,
)
from .events import EVENT_INDEXES, events
from .facts import lead_facts, report_rollups
from .leads import (
    BOARD_TOTALS,
    board_totals_index_name,
    fill_missing_contact_keys,
    fill_missing_search_terms,
)
from .report_sources import REPORT_FACT_INDEXES, REPORT_ROLLUP_INDEXES
from .webhooks import DELIVERY_INDEXES, WEBHOOK_INDEXES, deliveries, webhooks
from .workflow import get_config

logger = logging.getLogger(__name__)

# Building an index on a large collection takes longer than a request may wait: start-up and
# `ensure_indexes` lift the per-operation timeout to this, once the server has answered (under
# a client-side timeout PyMongo waits that long for an unreachable server too).
INDEX_BUILD_SECONDS = 3600
REACH_SECONDS = 5

# Leads, stages, config and counters share `leads`; every query filters on `type` first.
LEAD_INDEXES = [
    # any document by its key; lead detail, config, counters, stages by uid
    IndexModel([("type", ASCENDING), ("uid", ASCENDING)], name="type_uid", unique=True),
    # a Kanban column in card order (uid breaks rank ties, so a column walk stops after its
    # cards instead of sorting the stage); leads of one stage (stage delete, counts)
    IndexModel(
        [
            ("type", ASCENDING),
            ("current_stage", ASCENDING),
            ("rank", ASCENDING),
            ("uid", ASCENDING),
        ],
        name="type_stage_rank",
    ),
    IndexModel([("type", ASCENDING), ("status", ASCENDING)], name="type_status"),
    # the default lead list (newest first) and its keyset pages; uid breaks ties
    IndexModel(
        [("type", ASCENDING), ("created_at", DESCENDING), ("uid", DESCENDING)],
        name="type_created_uid",
    ),
    IndexModel(
        [("type", ASCENDING), ("updated_at", DESCENDING), ("uid", DESCENDING)],
        name="type_updated_uid",
    ),
    IndexModel(
        [("type", ASCENDING), ("name", ASCENDING), ("uid", ASCENDING)], name="type_name_uid"
    ),
    # leads by the keys their email and phone compare by (domain/contacts.py): the list's
    # email/phone filters, duplicates, import matching
    IndexModel([("type", ASCENDING), ("email_key", ASCENDING)], name="type_email_key"),
    IndexModel([("type", ASCENDING), ("phone_key", ASCENDING)], name="type_phone_key"),
    # "my leads", newest first, without an in-memory sort
    IndexModel(
        [
            ("type", ASCENDING),
            ("assigned_to", ASCENDING),
            ("created_at", DESCENDING),
            ("uid", DESCENDING),
        ],
        name="type_assigned",
    ),
    IndexModel([("type", ASCENDING), ("tags", ASCENDING)], name="type_tags"),
    # `q`: one entry per stored search term (domain/search.py), each term's leads newest first,
    # so the default list order and the quick search's candidates stop after a page
    IndexModel(
        [
            ("type", ASCENDING),
            ("search_terms", ASCENDING),
            ("created_at", DESCENDING),
            ("uid", DESCENDING),
        ],
        name="type_search_created",
    ),
    # the start-up back-fill: leads whose search terms are of an older definition
    IndexModel([("type", ASCENDING), ("search_terms_v", ASCENDING)], name="type_search_version"),
    # overdue leads: an open task due before now
    IndexModel([("type", ASCENDING), ("next_due_at", ASCENDING)], name="type_next_due"),
    # stale leads: per stage, no activity since its rot threshold
    IndexModel(
        [("type", ASCENDING), ("current_stage", ASCENDING), ("last_activity_at", ASCENDING)],
        name="type_stage_activity",
    ),
    # reports (store/reports.py): stage visits entered / ended in a period, leads closed in a
    # period, leads with an activity since a moment
    IndexModel([("type", ASCENDING), ("history.entered_at", ASCENDING)], name="type_visit_entered"),
    IndexModel([("type", ASCENDING), ("history.exited_at", ASCENDING)], name="type_visit_exited"),
    IndexModel(
        [("type", ASCENDING), ("status", ASCENDING), ("closed_at", ASCENDING)],
        name="type_status_closed",
    ),
    IndexModel([("type", ASCENDING), ("last_activity_at", ASCENDING)], name="type_last_activity"),
    # the lead list's "entered this stage in the period" (a click on a funnel step)
    IndexModel(
        [("type", ASCENDING), ("history.stage", ASCENDING), ("history.entered_at", ASCENDING)],
        name="type_visit_stage_entered",
    ),
    # the board's oldest entry per stage when its totals come from the summaries: one
    # DISTINCT_SCAN per status (store/leads.py _summary_rows)
    IndexModel(
        [
            ("type", ASCENDING),
            ("status", ASCENDING),
            ("current_stage", ASCENDING),
            ("stage_entered_at", ASCENDING),
        ],
        name="type_status_stage_entered",
    ),
    # stages in pipeline order; slugs unique among stages only
    IndexModel([("type", ASCENDING), ("order", ASCENDING), ("uid", ASCENDING)], name="type_order"),
    IndexModel(
        [("type", ASCENDING), ("slug", ASCENDING)],
        name="stage_slug_unique",
        unique=True,
        partialFilterExpression={"type": "stage"},
    ),
    # a lead's older activities (store/activities.py), one document per page: a timeline page
    # by number, a walk back through them, and one spill's page written once
    IndexModel(
        [("type", ASCENDING), ("lead", ASCENDING), ("page", ASCENDING)],
        name="activity_page_lead_page",
        unique=True,
        partialFilterExpression={"type": "activity_page"},
    ),
]


# The Kanban board's column totals from index keys alone (a covered plan: no lead is read): per
# stage and status (the board leaves archived leads out), the config's value field (summed) and
# the stage entry times (the oldest). Its keys follow the config, so it is made by
# ensure_board_totals_index, not with LEAD_INDEXES.
def board_totals_index(value_field: str | None) -> IndexModel:
    keys = [("type", ASCENDING), ("current_stage", ASCENDING), ("status", ASCENDING)]
    if value_field is not None:
        keys.append((f"data.{value_field}", ASCENDING))
    keys.append(("stage_entered_at", ASCENDING))
    return IndexModel(keys, name=board_totals_index_name(value_field))


def ensure_board_totals_index(value_field: str | None) -> str:
    """Build the board-totals index for `value_field` and drop those made for other value
    fields (each costs every lead write). Idempotent; returns the index's name."""
    wanted = board_totals_index(value_field)
    name: str = wanted.document["name"]
    leads().create_indexes([wanted])
    for index in leads().list_indexes():
        if index["name"].startswith(BOARD_TOTALS) and index["name"] != name:
            leads().drop_index(index["name"])
    return name


def follow_value_field(value_field: str | None) -> None:
    """After the config's value field changed: its board-totals index, built now. On a large
    collection the build may outlast the request's deadline; the board's totals stay right
    without it (the planner reads the leads instead), and `ensure_indexes` builds it."""
    try:
        ensure_board_totals_index(value_field)
    except PyMongoError:
        logger.exception("board totals index for value field %r not built", value_field)


USER_INDEXES = [
    IndexModel([("uid", ASCENDING)], name="uid_unique", unique=True),
    IndexModel([("username", ASCENDING)], name="username_unique", unique=True),
    IndexModel([("tokens.digest", ASCENDING)], name="token_digest"),
]

# Saved views: one by uid; a user's own and the shared ones, by name.
VIEW_INDEXES = [
    IndexModel([("uid", ASCENDING)], name="uid_unique", unique=True),
    IndexModel([("owner", ASCENDING), ("name", ASCENDING)], name="owner_name"),
    IndexModel([("shared", ASCENDING), ("name", ASCENDING)], name="shared_name"),
]

# Failed sign-ins: one counter per key; MongoDB drops each once its window is over.
LOGIN_FAILURE_INDEXES = [
    IndexModel([("key", ASCENDING)], name="key_unique", unique=True),
    IndexModel([("expires_at", ASCENDING)], name="expires_at_ttl", expireAfterSeconds=0),
]

# The audit log, newest first: all of it, one kind or code (an `$in` of codes), one person.
# An entry's uid sorts as its time does, so the uid alone orders, pages and bounds the time.
# Each entry expires at its own `expires_at` (the retention when it was written).
AUDIT_INDEXES = [
    IndexModel([("uid", DESCENDING)], name="uid_unique", unique=True),
    IndexModel([("action", ASCENDING), ("uid", DESCENDING)], name="action_uid"),
    IndexModel([("actor_username", ASCENDING), ("uid", DESCENDING)], name="actor_uid"),
    IndexModel([("expires_at", ASCENDING)], name="expires_at_ttl", expireAfterSeconds=0),
    IndexModel(
        [("repeat_key", ASCENDING)],
        name="repeat_key_unique",
        unique=True,
        partialFilterExpression={"repeat_key": {"$exists": True}},
    ),
]


# Worker jobs: by uid; claiming looks for queued ones and running ones whose lease ran out.
JOB_INDEXES = [
    IndexModel([("uid", ASCENDING)], name="uid_unique", unique=True),
    IndexModel([("status", ASCENDING), ("lease_until", ASCENDING)], name="status_lease"),
    IndexModel([("kind", ASCENDING), ("created_at", ASCENDING)], name="kind_created"),
]

# The failed rows of an import, one per row (a replayed batch overwrites its own), in row order.
IMPORT_ERROR_INDEXES = [
    IndexModel([("import_uid", ASCENDING), ("row", ASCENDING)], name="import_row", unique=True),
]


# GridFS's own indexes for the uploaded files (the driver would make them on the first upload).
IMPORT_FILE_INDEXES = [
    IndexModel([("filename", ASCENDING), ("uploadDate", ASCENDING)], name="filename_1_uploadDate_1")
]
IMPORT_CHUNK_INDEXES = [
    IndexModel([("files_id", ASCENDING), ("n", ASCENDING)], name="files_id_1_n_1", unique=True)
]


def ensure_indexes() -> list[str]:
    """Create the indexes that are missing (idempotent); returns every index name."""
    with deadline(REACH_SECONDS):
        database().command("ping")
    with deadline(INDEX_BUILD_SECONDS):
        names = leads().create_indexes(LEAD_INDEXES)
        config = get_config()
        names.append(ensure_board_totals_index(config.value_field if config else None))
        names += users().create_indexes(USER_INDEXES)
        names += login_failures().create_indexes(LOGIN_FAILURE_INDEXES)
        names += views().create_indexes(VIEW_INDEXES)
        names += jobs().create_indexes(JOB_INDEXES)
        names += import_errors().create_indexes(IMPORT_ERROR_INDEXES)
        names += database()["import_files.files"].create_indexes(IMPORT_FILE_INDEXES)
        names += database()["import_files.chunks"].create_indexes(IMPORT_CHUNK_INDEXES)
        # Leads written before contact keys existed get theirs, so the filters that read them
        # find every lead.
        fill_missing_contact_keys()
        # Likewise their search terms, so `q` finds them.
        fill_missing_search_terms()
        names += audit().create_indexes(AUDIT_INDEXES)
        names += events().create_indexes(EVENT_INDEXES)
        names += lead_facts().create_indexes(REPORT_FACT_INDEXES)
        names += report_rollups().create_indexes(REPORT_ROLLUP_INDEXES)
        names += webhooks().create_indexes(WEBHOOK_INDEXES)
        names += deliveries().create_indexes(DELIVERY_INDEXES)
        names += rules().create_indexes(RULE_INDEXES)
        names += runs().create_indexes(RUN_INDEXES)
    return names
