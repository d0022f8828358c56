"""Every index the service's queries use. Each query in the store names the one serving it."""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel

from .connection import database, deadline, import_errors, jobs, leads, login_failures, users
from .leads import fill_missing_contact_keys

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
    # overdue leads: an open task due before now
    IndexModel([("type", ASCENDING), ("next_due_at", ASCENDING)], name="type_next_due"),
    # stale leads: per stage, no activity since its rot threshold
    IndexModel(
        [("type", ASCENDING), ("current_stage", ASCENDING), ("last_activity_at", ASCENDING)],
        name="type_stage_activity",
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
        names += users().create_indexes(USER_INDEXES)
        names += login_failures().create_indexes(LOGIN_FAILURE_INDEXES)
        names += jobs().create_indexes(JOB_INDEXES)
        names += import_errors().create_indexes(IMPORT_ERROR_INDEXES)
        names += database()["import_files.files"].create_indexes(IMPORT_FILE_INDEXES)
        names += database()["import_files.chunks"].create_indexes(IMPORT_CHUNK_INDEXES)
        # Leads written before contact keys existed get theirs, so the filters that read them
        # find every lead.
        fill_missing_contact_keys()
    return names
