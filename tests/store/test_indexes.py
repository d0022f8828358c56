"""The indexes of DESIGN section 2, as ensure_indexes leaves them (the database fixture ran it)."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo.errors import DuplicateKeyError
from pytest_django.fixtures import Settings

from leads.domain.errors import DuplicateKey
from leads.domain.models import WorkStage
from leads.store import connection
from leads.store import workflow as workflow_store
from leads.store.audit import AUDIT
from leads.store.facts import lead_facts
from leads.store.indexes import LEAD_INDEXES, USER_INDEXES, ensure_indexes

# Their subject is what ensure_indexes makes of a new database, not of an emptied one.
pytestmark = pytest.mark.fresh_database

Key = list[tuple[str, int]]

EXPECTED_LEAD_INDEXES: dict[str, Key] = {
    "type_uid": [("type", 1), ("uid", 1)],
    "type_stage_rank": [("type", 1), ("current_stage", 1), ("rank", 1), ("uid", 1)],
    "type_status": [("type", 1), ("status", 1)],
    "type_created_uid": [("type", 1), ("created_at", -1), ("uid", -1)],
    "type_updated_uid": [("type", 1), ("updated_at", -1), ("uid", -1)],
    "type_name_uid": [("type", 1), ("name", 1), ("uid", 1)],
    "type_email_key": [("type", 1), ("email_key", 1)],
    "type_phone_key": [("type", 1), ("phone_key", 1)],
    "type_assigned": [("type", 1), ("assigned_to", 1), ("created_at", -1), ("uid", -1)],
    "type_tags": [("type", 1), ("tags", 1)],
    "type_search_created": [("type", 1), ("search_terms", 1), ("created_at", -1), ("uid", -1)],
    "type_search_version": [("type", 1), ("search_terms_v", 1)],
    "type_next_due": [("type", 1), ("next_due_at", 1)],
    "type_stage_activity": [("type", 1), ("current_stage", 1), ("last_activity_at", 1)],
    "type_visit_entered": [("type", 1), ("history.entered_at", 1)],
    "type_visit_exited": [("type", 1), ("history.exited_at", 1)],
    "type_status_closed": [("type", 1), ("status", 1), ("closed_at", 1)],
    "type_last_activity": [("type", 1), ("last_activity_at", 1)],
    "type_visit_stage_entered": [("type", 1), ("history.stage", 1), ("history.entered_at", 1)],
    "type_status_stage_entered": [
        ("type", 1),
        ("status", 1),
        ("current_stage", 1),
        ("stage_entered_at", 1),
    ],
    "type_order": [("type", 1), ("order", 1), ("uid", 1)],
    "stage_slug_unique": [("type", 1), ("slug", 1)],
    "activity_page_lead_page": [("type", 1), ("lead", 1), ("page", 1)],
    # no config yet, so no value field among its keys (test_query_plans has one with it)
    "board_totals": [("type", 1), ("current_stage", 1), ("status", 1), ("stage_entered_at", 1)],
}
EXPECTED_USER_INDEXES: dict[str, Key] = {
    "uid_unique": [("uid", 1)],
    "username_unique": [("username", 1)],
    "token_digest": [("tokens.digest", 1)],
}
EXPECTED_VIEW_INDEXES: dict[str, Key] = {
    "uid_unique": [("uid", 1)],
    "owner_name": [("owner", 1), ("name", 1)],
    "shared_name": [("shared", 1), ("name", 1)],
}
EXPECTED_LOGIN_FAILURE_INDEXES: dict[str, Key] = {
    "key_unique": [("key", 1)],
    "expires_at_ttl": [("expires_at", 1)],
}
EXPECTED_AUDIT_INDEXES: dict[str, Key] = {
    "uid_unique": [("uid", -1)],
    "action_uid": [("action", 1), ("uid", -1)],
    "actor_uid": [("actor_username", 1), ("uid", -1)],
    "expires_at_ttl": [("expires_at", 1)],
    "repeat_key_unique": [("repeat_key", 1)],
}
# Worker jobs, the failed rows of imports, and GridFS's own indexes for the uploaded files.
EXPECTED_JOB_AND_IMPORT_INDEXES = [
    *("uid_unique", "status_lease", "kind_created"),
    "import_row",
    *("filename_1_uploadDate_1", "files_id_1_n_1"),
]
EXPECTED_EVENT_INDEXES = ["seq_unique", "expires_at_ttl"]
# the reports over the lead facts (store/report_sources.py)
EXPECTED_FACT_INDEXES: dict[str, Key] = {
    "facts_status_closed": [("status", 1), ("closed_at", 1)],
    "facts_status_visit_entered": [("status", 1), ("visits.entered_at", 1)],
    "facts_status_visit_exited": [("status", 1), ("visits.exited_at", 1)],
    "facts_status_activity_day": [("status", 1), ("activity.day", 1)],
    "facts_status_assignee": [("status", 1), ("assigned_to", 1)],
    "facts_status_source": [("status", 1), ("source", 1)],
    "facts_status_tag": [("status", 1), ("tags", 1)],
}
# the reports over the rollups
EXPECTED_ROLLUP_INDEXES = ["rollups_kind_day"]
EXPECTED_WEBHOOK_INDEXES = [
    *("uid_unique", "created_at"),
    *("status_due", "lane_status_seq", "webhook_created", "expires_at_ttl"),
]
EXPECTED_AUTOMATION_INDEXES = [
    *("uid_unique", "created_at"),
    *("rule_seq_unique", "rule_at", "expires_at_ttl"),
]
# DESIGN section 2, word for word: each must be an index or the leading keys of one.
DESIGN_LEAD_INDEXES: list[Key] = [
    [("type", 1), ("uid", 1)],
    [("type", 1), ("current_stage", 1), ("rank", 1)],
    [("type", 1), ("status", 1)],
    [("type", 1), ("created_at", -1)],
    # DESIGN §2 names {type, email} and {type, phone}; §8 compares emails case-insensitively and
    # phones by their digits, so the lookups run on the stored comparison keys instead.
    [("type", 1), ("email_key", 1)],
    [("type", 1), ("phone_key", 1)],
    [("type", 1), ("assigned_to", 1)],
    [("type", 1), ("order", 1)],
    [("type", 1), ("slug", 1)],
]


def _indexes(collection_name: str) -> dict[str, dict[str, Any]]:
    return dict(connection.database()[collection_name].index_information())


def _key(index: dict[str, Any]) -> Key:
    return [(name, int(direction)) for name, direction in index["key"]]


def _stage(slug: str, uid: str | None = None) -> WorkStage:
    return WorkStage(uid=uid or f"stage-{slug}", name=slug.title(), slug=slug)


def test_every_lead_index_exists_with_its_name_and_keys() -> None:
    indexes = _indexes(connection.LEADS)
    assert {name: _key(index) for name, index in indexes.items() if name != "_id_"} == (
        EXPECTED_LEAD_INDEXES
    )


def test_every_login_failure_index_exists_with_its_name_and_keys() -> None:
    indexes = _indexes(connection.LOGIN_FAILURES)
    assert {name: _key(index) for name, index in indexes.items() if name != "_id_"} == (
        EXPECTED_LOGIN_FAILURE_INDEXES
    )


def test_every_saved_view_index_exists_with_its_name_and_keys() -> None:
    indexes = _indexes(connection.VIEWS)
    assert {name: _key(index) for name, index in indexes.items() if name != "_id_"} == (
        EXPECTED_VIEW_INDEXES
    )


def test_every_audit_index_exists_with_its_name_and_keys() -> None:
    indexes = _indexes(AUDIT)
    assert {name: _key(index) for name, index in indexes.items() if name != "_id_"} == (
        EXPECTED_AUDIT_INDEXES
    )


def test_audit_entries_expire_by_themselves_and_repeat_keys_are_unique_where_set() -> None:
    indexes = _indexes(AUDIT)

    assert indexes["expires_at_ttl"]["expireAfterSeconds"] == 0
    assert indexes["repeat_key_unique"]["unique"]
    assert indexes["repeat_key_unique"]["partialFilterExpression"] == {
        "repeat_key": {"$exists": True}
    }


def test_every_user_index_exists_with_its_name_and_keys() -> None:
    indexes = _indexes(connection.USERS)
    assert {name: _key(index) for name, index in indexes.items() if name != "_id_"} == (
        EXPECTED_USER_INDEXES
    )


@pytest.mark.parametrize(
    "design_key", DESIGN_LEAD_INDEXES, ids=lambda key: "_".join(f for f, _ in key)
)
def test_every_index_the_design_names_leads_an_index(design_key: Key) -> None:
    keys = [_key(index) for index in _indexes(connection.LEADS).values()]
    assert any(key[: len(design_key)] == design_key for key in keys), keys


def test_only_the_keys_usernames_and_activity_pages_are_unique() -> None:
    unique = {
        name
        for collection in (connection.LEADS, connection.USERS)
        for name, index in _indexes(collection).items()
        if index.get("unique")
    }
    assert unique == {
        "type_uid",
        "stage_slug_unique",
        "activity_page_lead_page",
        "uid_unique",
        "username_unique",
    }


def test_the_slug_and_page_indexes_are_partial_to_their_own_documents() -> None:
    indexes = _indexes(connection.LEADS)
    assert indexes["stage_slug_unique"]["partialFilterExpression"] == {"type": "stage"}
    assert indexes["activity_page_lead_page"]["partialFilterExpression"] == {
        "type": "activity_page"
    }
    partial = {name for name, index in indexes.items() if "partialFilterExpression" in index}
    assert partial == {"stage_slug_unique", "activity_page_lead_page"}


def test_the_index_lists_are_what_the_collections_hold() -> None:
    # The board-totals index follows the config (indexes.board_totals_index), not this list.
    assert [model.document["name"] for model in LEAD_INDEXES] == [
        name for name in EXPECTED_LEAD_INDEXES if name != "board_totals"
    ]
    assert [model.document["name"] for model in USER_INDEXES] == list(EXPECTED_USER_INDEXES)


def test_ensure_indexes_returns_every_index_name() -> None:
    assert sorted(ensure_indexes()) == sorted(
        [
            *EXPECTED_LEAD_INDEXES,
            *EXPECTED_USER_INDEXES,
            *EXPECTED_LOGIN_FAILURE_INDEXES,
            *EXPECTED_VIEW_INDEXES,
            *EXPECTED_AUDIT_INDEXES,
            *EXPECTED_JOB_AND_IMPORT_INDEXES,
            *EXPECTED_EVENT_INDEXES,
            *EXPECTED_WEBHOOK_INDEXES,
            *EXPECTED_AUTOMATION_INDEXES,
            *EXPECTED_FACT_INDEXES,
            *EXPECTED_ROLLUP_INDEXES,
        ]
    )


def test_every_report_fact_index_exists_with_its_name_and_keys() -> None:
    indexes = {
        index["name"]: [(key, int(order)) for key, order in index["key"].items()]
        for index in lead_facts().list_indexes()
    }
    assert {name: indexes.get(name) for name in EXPECTED_FACT_INDEXES} == EXPECTED_FACT_INDEXES


def test_ensure_indexes_twice_is_harmless() -> None:
    before = (_indexes(connection.LEADS), _indexes(connection.USERS))
    first = ensure_indexes()
    second = ensure_indexes()
    assert first == second
    assert (_indexes(connection.LEADS), _indexes(connection.USERS)) == before


def test_ensure_indexes_on_a_collection_with_data_keeps_the_data() -> None:
    connection.database().drop_collection(connection.LEADS)
    workflow_store.insert_stage(_stage("new"))
    ensure_indexes()
    assert workflow_store.get_stage("stage-new") is not None
    assert set(_indexes(connection.LEADS)) == {"_id_", *EXPECTED_LEAD_INDEXES}


def test_a_lead_and_a_stage_may_share_a_slug_value() -> None:
    workflow_store.insert_stage(_stage("new"))
    leads = connection.leads()
    leads.insert_one({"type": "lead", "uid": "LEAD-202601-00001", "slug": "new"})
    leads.insert_one({"type": "lead", "uid": "LEAD-202601-00002", "slug": "new"})
    assert leads.count_documents({"slug": "new"}) == 3


def test_documents_without_a_slug_never_collide_on_the_slug_index() -> None:
    leads = connection.leads()
    leads.insert_many([{"type": "lead", "uid": f"LEAD-202601-{n:05d}"} for n in range(1, 4)])
    leads.insert_one({"type": "counter", "uid": "lead-seq-202601", "value": 3})
    leads.insert_one({"type": "config", "uid": "default"})
    assert leads.count_documents({}) == 5


def test_two_stages_may_not_share_a_slug() -> None:
    workflow_store.insert_stage(_stage("new"))
    with pytest.raises(DuplicateKey, match="slug 'new' is used by another stage"):
        workflow_store.insert_stage(_stage("new", uid="stage-other"))
    assert [stage.uid for stage in workflow_store.list_stages()] == ["stage-new"]


def test_a_raw_second_stage_with_the_same_slug_is_refused_by_the_server() -> None:
    leads = connection.leads()
    leads.insert_one({"type": "stage", "uid": "a", "slug": "same"})
    with pytest.raises(DuplicateKeyError):
        leads.insert_one({"type": "stage", "uid": "b", "slug": "same"})


def test_a_uid_is_unique_within_its_type_only() -> None:
    leads = connection.leads()
    leads.insert_one({"type": "stage", "uid": "shared"})
    leads.insert_one({"type": "lead", "uid": "shared"})
    with pytest.raises(DuplicateKeyError):
        leads.insert_one({"type": "lead", "uid": "shared"})


def test_a_second_stage_with_the_same_uid_is_refused_as_such() -> None:
    workflow_store.insert_stage(_stage("new"))
    with pytest.raises(DuplicateKey, match="a stage with uid 'stage-new' exists already"):
        workflow_store.insert_stage(_stage("renamed", uid="stage-new"))


def test_renaming_a_stage_to_another_stage_s_slug_is_refused() -> None:
    workflow_store.insert_stage(_stage("new"))
    workflow_store.insert_stage(_stage("old"))
    taken = _stage("new", uid="stage-old")
    with pytest.raises(DuplicateKey, match="slug 'new' is used by another stage"):
        workflow_store.replace_stage(taken, expected_version=1)
    stage = workflow_store.get_stage("stage-old")
    assert stage is not None and stage.slug == "old"


def test_index_builds_may_take_longer_than_a_request_may_wait(settings: Settings) -> None:
    with connection.deadline(30):
        connection.leads().drop_indexes()
    # A request timeout far too short for any build (as a big collection's build would be).
    settings.LEADCRM_MONGO_TIMEOUT_MS = 1
    connection.configure(uri=connection.configured_uri() + "&appname=index-build")

    try:
        names = ensure_indexes()
    finally:
        connection.close()

    assert "type_uid" in names
