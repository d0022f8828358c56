"""Every index the service's queries use. Each query in the store names the one serving it."""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel

from .connection import database, deadline, leads, login_failures, users

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
    IndexModel([("type", ASCENDING), ("email", ASCENDING)], name="type_email"),
    IndexModel([("type", ASCENDING), ("phone", ASCENDING)], name="type_phone"),
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
    # stages in pipeline order; slugs unique among stages only
    IndexModel([("type", ASCENDING), ("order", ASCENDING), ("uid", ASCENDING)], name="type_order"),
    IndexModel(
        [("type", ASCENDING), ("slug", ASCENDING)],
        name="stage_slug_unique",
        unique=True,
        partialFilterExpression={"type": "stage"},
    ),
]

USER_INDEXES = [
    IndexModel([("uid", ASCENDING)], name="uid_unique", unique=True),
    IndexModel([("username", ASCENDING)], name="username_unique", unique=True),
    IndexModel([("tokens.digest", ASCENDING)], name="token_digest"),
]

# Failed sign-ins: one counter per key; MongoDB drops each once its window is over.
LOGIN_FAILURE_INDEXES = [
    IndexModel([("key", ASCENDING)], name="key_unique", unique=True),
    IndexModel([("expires_at", ASCENDING)], name="expires_at_ttl", expireAfterSeconds=0),
]


def ensure_indexes() -> list[str]:
    """Create the indexes that are missing (idempotent); returns every index name."""
    with deadline(REACH_SECONDS):
        database().command("ping")
    with deadline(INDEX_BUILD_SECONDS):
        names = leads().create_indexes(LEAD_INDEXES)
        names += users().create_indexes(USER_INDEXES)
        names += login_failures().create_indexes(LOGIN_FAILURE_INDEXES)
    return names
