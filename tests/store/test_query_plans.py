"""The queries the store really sends are served by an index: explained on a few hundred leads.

The commands are captured with a CommandListener on a client swapped in for the store's, then
explained as sent, so a change in how the store builds a query is what these tests see.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.monitoring import (
    CommandFailedEvent,
    CommandListener,
    CommandStartedEvent,
    CommandSucceededEvent,
)

from leads.domain.changes import LeadChange
from leads.domain.enums import ActivityType, WorkItemStatus
from leads.domain.models import Activity, TaskInstance, WorkItem, WorkStage, utcnow
from leads.domain.queries import LeadFilter, LeadSortKey, PageRequest
from leads.domain.ranks import rank_for_arrival
from leads.services import summaries as summary_services
from leads.services import users as user_services
from leads.store import activities as activity_store
from leads.store import connection, indexes
from leads.store import duplicates as duplicate_store
from leads.store import exports as export_store
from leads.store import leads as lead_store
from leads.store import users as user_store
from leads.store import workflow as workflow_store
from leads.store.documents import to_document
from tests.builders import PASSWORD, a_stamp, make_pipeline, make_user

Doc = dict[str, Any]

LEAD_COUNT = 400
TAGS = ("hot", "cold", "partner", "event", "inbound", "outbound")
INDUSTRIES = ("saas", "retail")
BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)
QUERY_COMMANDS = {"find", "findAndModify", "aggregate", "count", "distinct", "update", "delete"}
# Fields a driver adds to a command that explain refuses or does not need.
_SESSION_FIELDS = {
    "lsid",
    "$db",
    "$clusterTime",
    "$readPreference",
    "txnNumber",
    "autocommit",
    "startTransaction",
    "readConcern",
    "writeConcern",
}
SORTS: list[tuple[LeadSortKey, bool]] = [
    (key, descending)
    for key in ("created_at", "updated_at", "name")
    for descending in (True, False)
]


# ---------------------------------------------------------------------------------------------
# explain helpers


def winning_plans(explain: Doc) -> list[Doc]:
    """Every winningPlan in an explain answer: a find's, an aggregate's $cursor, each shard's."""
    found: list[Doc] = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            planner = node.get("queryPlanner")
            if isinstance(planner, dict) and "winningPlan" in planner:
                found.append(planner["winningPlan"])
                return
            if "winningPlan" in node and "stage" not in node:
                found.append(node["winningPlan"])
                return
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(explain)
    return found


def _plan_nodes(plan: Doc) -> Iterator[Doc]:
    """The nodes of a plan tree, depth first; the SBE form's `queryPlan` is walked too."""
    if "queryPlan" in plan:
        yield from _plan_nodes(plan["queryPlan"])
        return
    if "winningPlan" in plan:  # a shard's entry
        yield from _plan_nodes(plan["winningPlan"])
        return
    yield plan
    for key in ("inputStage", "thenStage", "elseStage", "outerStage", "innerStage"):
        child = plan.get(key)
        if isinstance(child, dict):
            yield from _plan_nodes(child)
    for key in ("inputStages", "shards"):
        for child in plan.get(key) or []:
            yield from _plan_nodes(child)


def plan_stages(explain: Doc) -> list[str]:
    """The stage names of every winning plan in an explain answer, outermost first."""
    plans = winning_plans(explain)
    assert plans, f"no winningPlan in {explain}"
    return [node["stage"] for plan in plans for node in _plan_nodes(plan) if "stage" in node]


def plan_indexes(explain: Doc) -> list[str]:
    return [
        node["indexName"]
        for plan in winning_plans(explain)
        for node in _plan_nodes(plan)
        if "indexName" in node
    ]


def describe(explain: Doc) -> str:
    """`LIMIT > FETCH > IXSCAN(type_created_uid)`: the shape of the winning plan, for messages."""
    parts = []
    for plan in winning_plans(explain):
        for node in _plan_nodes(plan):
            if "stage" in node:
                name = node["stage"]
                if "indexName" in node:
                    name += f"({node['indexName']})"
                parts.append(name)
    return " > ".join(parts)


def is_index_served(stages: list[str]) -> bool:
    """No collection scan, and some index (or the _id / EXPRESS fast paths) finds the rows."""
    return "COLLSCAN" not in stages and any(
        stage in ("IXSCAN", "IDHACK", "COUNT_SCAN", "DISTINCT_SCAN") or stage.startswith("EXPRESS")
        for stage in stages
    )


def test_plan_walker_reads_classic_sbe_and_aggregate_forms() -> None:
    classic = {
        "queryPlanner": {
            "winningPlan": {
                "stage": "LIMIT",
                "inputStage": {
                    "stage": "OR",
                    "inputStages": [
                        {"stage": "IXSCAN", "indexName": "a"},
                        {"stage": "FETCH", "inputStage": {"stage": "IXSCAN", "indexName": "b"}},
                    ],
                },
            }
        }
    }
    sbe = {
        "queryPlanner": {
            "winningPlan": {
                "queryPlan": {"stage": "SORT", "inputStage": {"stage": "COLLSCAN"}},
                "slotBasedPlan": {"stages": "[1] scan ..."},
            }
        }
    }
    aggregate = {"stages": [{"$cursor": classic}, {"$group": {}}]}
    assert plan_stages(classic) == ["LIMIT", "OR", "IXSCAN", "FETCH", "IXSCAN"]
    assert plan_indexes(classic) == ["a", "b"]
    assert plan_stages(sbe) == ["SORT", "COLLSCAN"]
    assert plan_stages(aggregate) == plan_stages(classic)
    assert is_index_served(plan_stages(classic))
    assert not is_index_served(plan_stages(sbe))


# ---------------------------------------------------------------------------------------------
# capturing what the store sends


class _Capture(CommandListener):
    def __init__(self) -> None:
        self.commands: list[Doc] = []
        self._lock = threading.Lock()

    def started(self, event: CommandStartedEvent) -> None:
        if event.command_name in QUERY_COMMANDS:
            command = {
                key: copy.deepcopy(value)
                for key, value in event.command.items()
                if key not in _SESSION_FIELDS
            }
            with self._lock:
                self.commands.append(command)

    def succeeded(self, event: CommandSucceededEvent) -> None:
        return None

    def failed(self, event: CommandFailedEvent) -> None:
        return None


@dataclass
class Explainer:
    capture: _Capture

    def sent_by(self, call: Callable[[], object]) -> list[Doc]:
        """The query commands `call` sends through the store, as the server received them."""
        self.capture.commands.clear()
        call()
        commands = list(self.capture.commands)
        assert commands, "the call sent no query"
        return commands

    def explain(self, command: Doc) -> Doc:
        explained: Doc = connection.database().command(
            {"explain": command, "verbosity": "executionStats"}
        )
        return explained

    def only(self, call: Callable[[], object]) -> Doc:
        """The explain answer of the one query `call` sends."""
        commands = self.sent_by(call)
        assert len(commands) == 1, commands
        return self.explain(commands[0])


@pytest.fixture
def explainer(mongo_uri: str) -> Iterator[Explainer]:
    capture = _Capture()
    client: MongoClient[Doc] = MongoClient(
        mongo_uri, tz_aware=True, serverSelectionTimeoutMS=5_000, event_listeners=[capture]
    )
    # Every store module reaches MongoDB through connection.client(); swap in a listening one,
    # and put the store's back before the database fixture drops the test database with it.
    store_client = connection.client()
    connection._client = client
    try:
        yield Explainer(capture)
    finally:
        connection._client = store_client
        client.close()


# ---------------------------------------------------------------------------------------------
# data


@dataclass
class World:
    stages: dict[str, WorkStage]
    user_ids: list[str]
    token: str
    username: str
    leads: list[WorkItem]


def _bulk_leads(stages: list[WorkStage], user_ids: list[str]) -> list[WorkItem]:
    statuses = list(WorkItemStatus)
    leads = []
    for i in range(LEAD_COUNT):
        created = BASE_TIME + timedelta(hours=i)
        leads.append(
            WorkItem(
                uid=f"LEAD-202601-{i + 1:05d}",
                name=f"Lead {(i * 7919) % LEAD_COUNT:04d}",
                email=f"lead{i}@example{i % 13}.com",
                phone=f"+4930{i:07d}",
                company=f"Company {i % 37}",
                status=statuses[i % len(statuses)],
                current_stage=stages[i % len(stages)].uid,
                rank=rank_for_arrival(created),
                assigned_to=[user_ids[i % len(user_ids)]] if i % 3 else [],
                data={"budget": (i % 50) * 1000, "industry": INDUSTRIES[i % 2]},
                tags=[TAGS[i % len(TAGS)], TAGS[(i + 1) % len(TAGS)]] if i % 5 else [],
                created_at=created,
                updated_at=created + timedelta(minutes=(i * 37) % 1000),
                stage_entered_at=created,
                next_due_at=created + timedelta(hours=(i * 13) % 48) if i % 4 else None,
                last_activity_at=created,
            )
        )
    # Same ties on the sort keys as real data has: the uid must break them.
    leads[1].created_at = leads[0].created_at
    leads[3].name = leads[2].name
    connection.leads().insert_many([to_document(lead, "lead") for lead in leads])
    return leads


@pytest.fixture
def world() -> World:
    stages = make_pipeline()
    users = [make_user() for _ in range(5)]
    sign_in = user_services.auth_login(username=users[0].username, password=PASSWORD)
    leads = _bulk_leads(list(stages.values()), [user.uid for user in users])
    return World(
        stages=stages,
        user_ids=[user.uid for user in users],
        token=sign_in.token,
        username=users[0].username,
        leads=leads,
    )


def _assert_no_collscan(explain: Doc) -> list[str]:
    stages = plan_stages(explain)
    assert is_index_served(stages), describe(explain)
    return stages


def _assert_streams_in_index_order(explain: Doc) -> None:
    stages = _assert_no_collscan(explain)
    # SORT_MERGE merges already-sorted index scans; only SORT holds every row back.
    assert "SORT" not in stages, describe(explain)
    assert not any(stage.startswith("SORT_KEY") for stage in stages), describe(explain)


# ---------------------------------------------------------------------------------------------
# the lead list


def test_find_leads_sends_one_find_with_the_filter_and_sort_the_store_builds(
    world: World, explainer: Explainer
) -> None:
    lead_filter = LeadFilter(stage=world.stages["new"].uid, tag="hot")
    commands = explainer.sent_by(
        lambda: lead_store.find_leads(lead_filter, PageRequest(sort_key="name", descending=False))
    )
    assert len(commands) == 1
    (command,) = commands
    assert command["find"] == "leads"
    assert command["filter"] == lead_store._filter_query(lead_filter)
    assert list(command["sort"].items()) == [("name", 1), ("uid", 1)]
    assert command["limit"] == 25


@pytest.mark.parametrize(("sort_key", "descending"), SORTS)
def test_every_sort_of_the_unfiltered_list_streams_from_an_index(
    world: World, explainer: Explainer, sort_key: LeadSortKey, descending: bool
) -> None:
    page = PageRequest(sort_key=sort_key, descending=descending)
    explain = explainer.only(lambda: lead_store.find_leads(LeadFilter(), page))
    _assert_streams_in_index_order(explain)
    stats = explain["executionStats"]
    assert stats["nReturned"] == page.limit
    # The sort's own index, walked in order: a page reads a page of keys, not the collection.
    assert stats["totalKeysExamined"] <= page.limit + 1, describe(explain)


@pytest.mark.parametrize(("sort_key", "descending"), SORTS)
@pytest.mark.parametrize("backward", [False, True], ids=["next", "previous"])
def test_every_keyset_page_streams_from_an_index(
    world: World, explainer: Explainer, sort_key: LeadSortKey, descending: bool, backward: bool
) -> None:
    ordered = sorted(
        world.leads, key=lambda lead: (getattr(lead, sort_key), lead.uid), reverse=descending
    )
    cursor_row = ordered[len(ordered) // 2]
    page = PageRequest(
        sort_key=sort_key,
        descending=descending,
        after=(getattr(cursor_row, sort_key), cursor_row.uid),
        backward=backward,
    )
    rows: list[Any] = []
    explain = explainer.only(lambda: rows.extend(lead_store.find_leads(LeadFilter(), page)))
    _assert_streams_in_index_order(explain)
    middle = len(ordered) // 2
    expected = ordered[middle - page.limit : middle] if backward else ordered[middle + 1 :][:25]
    assert [row.uid for row in rows] == [lead.uid for lead in expected]


@pytest.mark.parametrize(("sort_key", "descending"), SORTS)
def test_a_late_keyset_page_reads_no_more_keys_than_the_first(
    world: World, explainer: Explainer, sort_key: LeadSortKey, descending: bool
) -> None:
    ordered = sorted(
        world.leads, key=lambda lead: (getattr(lead, sort_key), lead.uid), reverse=descending
    )
    cursor_row = ordered[-50]
    page = PageRequest(
        sort_key=sort_key,
        descending=descending,
        after=(getattr(cursor_row, sort_key), cursor_row.uid),
    )
    explain = explainer.only(lambda: lead_store.find_leads(LeadFilter(), page))
    stats = explain["executionStats"]
    assert stats["nReturned"] == page.limit
    # find_leads promises "a late page costs what the first does".
    assert stats["totalKeysExamined"] <= 2 * page.limit + 2, (
        f"{stats['totalKeysExamined']} keys for a page of {page.limit}: {describe(explain)}"
    )


def _filters(world: World) -> dict[str, LeadFilter]:
    return {
        "stage": LeadFilter(stage=world.stages["contacted"].uid),
        "status": LeadFilter(status=WorkItemStatus.WON),
        "assigned_to": LeadFilter(assigned_to=world.user_ids[1]),
        "tag": LeadFilter(tag="partner"),
        "created_after": LeadFilter(created_after=BASE_TIME + timedelta(hours=300)),
        "created_before": LeadFilter(created_before=BASE_TIME + timedelta(hours=100)),
        "created_between": LeadFilter(
            created_after=BASE_TIME + timedelta(hours=100),
            created_before=BASE_TIME + timedelta(hours=150),
        ),
        "search": LeadFilter(search="lead 01"),
        "data": LeadFilter(data_equals={"industry": "saas"}),
        "everything": LeadFilter(
            stage=world.stages["new"].uid,
            status=WorkItemStatus.OPEN,
            assigned_to=world.user_ids[4],
            tag="inbound",
            search="example",
            data_equals={"budget": 4000},
        ),
    }


FILTER_NAMES = [
    "stage",
    "status",
    "assigned_to",
    "tag",
    "created_after",
    "created_before",
    "created_between",
    "search",
    "data",
    "everything",
]


@pytest.mark.parametrize("name", FILTER_NAMES)
@pytest.mark.parametrize(("sort_key", "descending"), SORTS)
def test_every_filter_of_the_list_is_served_by_an_index(
    world: World, explainer: Explainer, name: str, sort_key: LeadSortKey, descending: bool
) -> None:
    lead_filter = _filters(world)[name]
    page = PageRequest(sort_key=sort_key, descending=descending)
    explain = explainer.only(lambda: lead_store.find_leads(lead_filter, page))
    _assert_no_collscan(explain)


@pytest.mark.parametrize("name", FILTER_NAMES)
def test_every_filtered_keyset_page_is_served_by_an_index(
    world: World, explainer: Explainer, name: str
) -> None:
    lead_filter = _filters(world)[name]
    first = lead_store.find_leads(lead_filter, PageRequest(limit=5))
    assert first, f"the {name} filter matches no lead"
    after = (first[-1].created_at, first[-1].uid)
    page = PageRequest(after=after, limit=5)
    explain = explainer.only(lambda: lead_store.find_leads(lead_filter, page))
    _assert_no_collscan(explain)


# ---------------------------------------------------------------------------------------------
# the other queries


def test_lead_detail_is_one_exact_index_lookup(world: World, explainer: Explainer) -> None:
    uid = world.leads[123].uid
    explain = explainer.only(lambda: lead_store.get_lead(uid))
    _assert_no_collscan(explain)
    assert set(plan_indexes(explain)) == {"type_uid"}
    assert explain["executionStats"]["totalDocsExamined"] == 1


def test_lead_update_and_delete_find_their_lead_by_the_uid_index(
    world: World, explainer: Explainer
) -> None:
    lead = world.leads[9]
    update = explainer.only(
        lambda: lead_store.write_lead(
            uid=lead.uid,
            expected_version=lead.version,
            change=LeadChange(at=utcnow(), set_fields={"name": "Renamed"}),
        )
    )
    stamp, delete, delete_pages = explainer.sent_by(
        lambda: lead_store.delete_lead(
            stamp=a_stamp(), uid=lead.uid, expected_version=lead.version + 1
        )
    )
    for explain in (update, explainer.explain(stamp), explainer.explain(delete)):
        _assert_no_collscan(explain)
        assert set(plan_indexes(explain)) == {"type_uid"}
    pages = explainer.explain(delete_pages)
    _assert_no_collscan(pages)
    assert set(plan_indexes(pages)) == {"activity_page_lead_page"}, describe(pages)


def test_config_and_stages_are_one_query_on_the_uid_index(
    world: World, explainer: Explainer
) -> None:
    explain = explainer.only(workflow_store.get_config_and_stages)
    _assert_no_collscan(explain)
    # Reads the config and the four stages, never the leads.
    assert explain["executionStats"]["totalDocsExamined"] == 1 + len(world.stages)


def test_config_alone_is_an_exact_index_lookup(world: World, explainer: Explainer) -> None:
    explain = explainer.only(workflow_store.get_config)
    _assert_no_collscan(explain)
    assert explain["executionStats"]["totalDocsExamined"] == 1


def test_listing_stages_reads_only_stages_through_an_index(
    world: World, explainer: Explainer
) -> None:
    explain = explainer.only(workflow_store.list_stages)
    _assert_no_collscan(explain)
    assert explain["executionStats"]["totalDocsExamined"] == len(world.stages)


def test_one_stage_is_an_exact_index_lookup(world: World, explainer: Explainer) -> None:
    uid = world.stages["won"].uid
    explain = explainer.only(lambda: workflow_store.get_stage(uid))
    _assert_no_collscan(explain)
    assert explain["executionStats"]["totalDocsExamined"] == 1


def test_counting_a_stage_s_leads_reads_only_its_index_keys(
    world: World, explainer: Explainer
) -> None:
    uid = world.stages["new"].uid
    explain = explainer.only(lambda: lead_store.count_leads_in_stage(uid))
    _assert_no_collscan(explain)
    assert "type_stage_rank" in plan_indexes(explain)


def test_the_lead_number_counter_is_an_exact_index_lookup(
    world: World, explainer: Explainer
) -> None:
    workflow_store.next_lead_number("202601")
    explain = explainer.only(lambda: workflow_store.next_lead_number("202601"))
    _assert_no_collscan(explain)
    assert set(plan_indexes(explain)) == {"type_uid"}


def test_user_by_token_uses_the_token_digest_index(world: World, explainer: Explainer) -> None:
    user = None

    def call() -> None:
        nonlocal user
        user = user_services.auth_user_for_token(world.token)

    explain = explainer.only(call)
    assert user is not None and user.uid == world.user_ids[0]
    _assert_no_collscan(explain)
    assert set(plan_indexes(explain)) == {"token_digest"}


def test_user_by_username_and_by_uid_use_their_unique_indexes(
    world: World, explainer: Explainer
) -> None:
    by_name = explainer.only(lambda: user_store.get_user_by_username(world.username))
    by_uid = explainer.only(lambda: user_store.get_user(world.user_ids[2]))
    _assert_no_collscan(by_name)
    _assert_no_collscan(by_uid)
    assert set(plan_indexes(by_name)) == {"username_unique"}
    assert set(plan_indexes(by_uid)) == {"uid_unique"}


# ---------------------------------------------------------------------------------------------
# the board and the lead's own writes


def _union_branches(explain: Doc) -> list[Doc]:
    """The explained sub-pipelines of an aggregate's $unionWith stages (one per Kanban column)."""
    branches = []
    for stage in explain.get("stages", []):
        union = stage.get("$unionWith")
        if union is not None:
            branches.append(union["pipeline"][0]["$cursor"])
    return branches


def test_lead_with_workflow_is_one_query_on_the_uid_index(
    world: World, explainer: Explainer
) -> None:
    uid, neighbours = world.leads[5].uid, (world.leads[6].uid, world.leads[7].uid)
    explain = explainer.only(lambda: lead_store.get_lead_with_workflow(uid, neighbours))
    _assert_no_collscan(explain)
    # An aggregate: its first stage is the $match, run as a query.
    stats = explain["stages"][0]["$cursor"]["executionStats"]
    # The lead, its two neighbours, the config and the four stages; no other lead.
    assert stats["totalDocsExamined"] == 3 + 1 + len(world.stages)


def test_the_board_totals_and_every_column_are_served_by_indexes(
    world: World, explainer: Explainer
) -> None:
    stage_uids = [stage.uid for stage in world.stages.values()]
    explain = explainer.only(
        lambda: lead_store.kanban(
            lead_filter=LeadFilter(),
            stage_uids=stage_uids,
            per_column=10,
            value_field="budget",
            data_keys=["budget"],
        )
    )
    _assert_no_collscan(explain)
    assert len(_union_branches(explain)) == len(stage_uids)
    for branch in _union_branches(explain):
        _assert_no_collscan(branch)
        assert plan_indexes(branch) == ["type_stage_rank"], describe(branch)


def test_a_board_column_walks_its_index_and_stops_after_its_cards(
    world: World, explainer: Explainer
) -> None:
    per_column = 10
    stage_uids = [stage.uid for stage in world.stages.values()]
    explain = explainer.only(
        lambda: lead_store.kanban(
            lead_filter=LeadFilter(),
            stage_uids=stage_uids,
            per_column=per_column,
            value_field="budget",
            data_keys=["budget"],
        )
    )
    # kanban() promises "an index walk of type_stage_rank that stops after `per_column` cards,
    # so no stage's leads are all loaded": no SORT stage, and about a page of leads read.
    columns = [
        (describe(branch), branch["executionStats"]["totalDocsExamined"])
        for branch in _union_branches(explain)
    ]
    assert len(columns) == len(stage_uids)
    loaded_whole_stage = [
        f"{plan} read {docs} leads for {per_column} cards"
        for plan, docs in columns
        if "SORT" in plan.split(" > ") or docs > per_column + 1
    ]
    assert loaded_whole_stage == []


def test_a_later_board_column_page_is_served_by_the_stage_index(
    world: World, explainer: Explainer
) -> None:
    new = world.stages["new"].uid
    first = lead_store.kanban(
        lead_filter=LeadFilter(),
        stage_uids=[new],
        per_column=10,
        value_field="budget",
        data_keys=[],
    )[1][new]
    after = {new: (first[-1].rank, first[-1].uid)}
    explain = explainer.only(
        lambda: lead_store.kanban(
            lead_filter=LeadFilter(),
            stage_uids=[new],
            per_column=10,
            value_field="budget",
            data_keys=[],
            after=after,
        )
    )
    (branch,) = _union_branches(explain)
    _assert_no_collscan(branch)
    assert "type_stage_rank" in plan_indexes(branch), describe(branch)


def test_a_page_of_activities_reads_one_lead_by_the_uid_index(
    world: World, explainer: Explainer
) -> None:
    uid = world.leads[11].uid
    explain = explainer.only(
        lambda: activity_store.timeline(uid=uid, types=["note"], before=None, limit=10)
    )
    _assert_no_collscan(explain)
    assert set(plan_indexes(explain)) == {"type_uid"}


def _lead_with_pages(lead: WorkItem, activities: int) -> None:
    for n in range(activities):
        kind = ActivityType.CALL if n % 10 == 0 else ActivityType.NOTE
        lead_store.append_activity(
            stamp=a_stamp(), uid=lead.uid, activity=Activity(type=kind, body=f"{n}")
        )


@pytest.mark.parametrize("types", [None, ["call"]])
def test_an_older_page_of_activities_reads_its_pages_by_the_page_index(
    world: World, explainer: Explainer, types: list[str] | None
) -> None:
    lead = world.leads[12]
    _lead_with_pages(lead, 5 * activity_store.PAGE_SIZE)
    middle = 2 * activity_store.PAGE_SIZE + 10

    head, pages = explainer.sent_by(
        lambda: activity_store.timeline(uid=lead.uid, types=types, before=middle, limit=20)
    )
    assert set(plan_indexes(explainer.explain(head))) == {"type_uid"}
    explain = explainer.explain(pages)
    _assert_no_collscan(explain)
    assert set(plan_indexes(explain)) == {"activity_page_lead_page"}, describe(explain)
    stats = explain["stages"][0]["$cursor"]["executionStats"]
    # Only the pages that hold the answer (positions 190-209, or the 21 calls back from 209,
    # one in ten activities), never the lead's other pages.
    assert stats["totalDocsExamined"] == (2 if types is None else 3), describe(explain)


def test_task_and_activity_writes_find_their_lead_by_the_uid_index(
    world: World, explainer: Explainer
) -> None:
    lead = world.leads[13]
    activity = Activity(type=ActivityType.NOTE, body="hello")
    task = TaskInstance(title="Follow up")
    added = explainer.only(
        lambda: lead_store.add_task(stamp=a_stamp(), uid=lead.uid, task=task, activity=activity)
    )
    appended = explainer.only(
        lambda: lead_store.append_activity(stamp=a_stamp(), uid=lead.uid, activity=activity)
    )
    for explain in (added, appended):
        _assert_no_collscan(explain)
        assert set(plan_indexes(explain)) == {"type_uid"}, describe(explain)


def test_the_overdue_filter_reads_only_the_leads_due_before_now_by_their_index(
    world: World, explainer: Explainer
) -> None:
    due_before = BASE_TIME + timedelta(hours=40)
    overdue = LeadFilter(due_before=due_before)
    due = [lead for lead in world.leads if lead.next_due_at and lead.next_due_at < due_before]
    late = {lead.uid for lead in due if lead.status is WorkItemStatus.OPEN}

    explain = explainer.only(lambda: lead_store.find_leads(overdue, PageRequest(limit=200)))
    found = lead_store.find_leads(overdue, PageRequest(limit=200))

    _assert_no_collscan(explain)
    assert "type_next_due" in plan_indexes(explain), describe(explain)
    assert explain["executionStats"]["totalKeysExamined"] <= len(due) + 1
    assert {lead.uid for lead in found} == late


def test_the_stale_filter_walks_each_rotting_stage_s_activity_index(
    world: World, explainer: Explainer
) -> None:
    cutoff = BASE_TIME + timedelta(hours=60)
    stale = LeadFilter(
        stale_since={world.stages["new"].uid: cutoff, world.stages["contacted"].uid: cutoff}
    )

    explain = explainer.only(lambda: lead_store.find_leads(stale, PageRequest(limit=200)))

    _assert_no_collscan(explain)
    assert "type_stage_activity" in plan_indexes(explain), describe(explain)
    # Only leads of the two stages idle since before the cutoff are looked at.
    assert explain["executionStats"]["totalKeysExamined"] <= 60 + 4


# ---------------------------------------------------------------------------------------------
# duplicates and exports


def test_duplicate_lookups_are_served_by_the_contact_key_indexes(
    world: World, explainer: Explainer
) -> None:
    lead = world.leads[5]
    explain = explainer.only(
        lambda: duplicate_store.find_matches(
            email_key=lead.email_key, phone_key=lead.phone_key, exclude_uid=lead.uid, limit=5
        )
    )
    _assert_no_collscan(explain)
    assert set(plan_indexes(explain)) == {"type_email_key", "type_phone_key"}, describe(explain)
    assert explain["executionStats"]["totalDocsExamined"] <= 2


@pytest.mark.parametrize(("sort_key", "descending"), SORTS)
def test_an_export_streams_in_index_order(
    world: World, explainer: Explainer, sort_key: LeadSortKey, descending: bool
) -> None:
    rows: list[Any] = []
    explain = explainer.only(
        lambda: rows.extend(
            export_store.stream_leads(LeadFilter(), sort_key=sort_key, descending=descending)
        )
    )
    _assert_streams_in_index_order(explain)
    assert len(rows) == LEAD_COUNT


def _totals_stats(explain: Doc) -> Doc:
    """The executionStats of the totals part of a board aggregate (its first stage)."""
    stats: Doc = explain["stages"][0]["$cursor"]["executionStats"]
    return stats


def _board(lead_filter: LeadFilter, stage_uids: list[str]) -> Callable[[], object]:
    return lambda: lead_store.kanban(
        lead_filter=lead_filter,
        stage_uids=stage_uids,
        per_column=10,
        value_field="budget",
        data_keys=["budget"],
    )


@pytest.mark.parametrize(
    "lead_filter",
    [
        LeadFilter(hide_archived=True),
        LeadFilter(),
        LeadFilter(status=WorkItemStatus.WON),
    ],
    ids=["as the board asks", "archived too", "one status"],
)
def test_the_board_totals_are_summed_from_index_keys_without_reading_a_lead(
    world: World, explainer: Explainer, lead_filter: LeadFilter
) -> None:
    indexes.ensure_board_totals_index("budget")
    stage_uids = [stage.uid for stage in world.stages.values()]
    explain = explainer.only(_board(lead_filter, stage_uids))
    totals = explain["stages"][0]["$cursor"]
    assert plan_indexes(totals) == ["board_totals__budget"], describe(totals)
    stats = _totals_stats(explain)
    assert stats["totalDocsExamined"] == 0, describe(totals)
    # One key per lead at most (and a few seeks past the archived ones).
    assert stats["totalKeysExamined"] <= LEAD_COUNT + 2 * len(stage_uids) + 2


def test_the_board_totals_follow_the_config_s_value_field(
    world: World, explainer: Explainer
) -> None:
    indexes.ensure_board_totals_index("budget")
    indexes.ensure_board_totals_index("industry")
    names = set(connection.leads().index_information())
    assert "board_totals__industry" in names
    assert "board_totals__budget" not in names, "the old field's index costs every write"
    stage_uids = [stage.uid for stage in world.stages.values()]
    explain = explainer.only(
        lambda: lead_store.kanban(
            lead_filter=LeadFilter(hide_archived=True),
            stage_uids=stage_uids,
            per_column=10,
            value_field="industry",
            data_keys=[],
        )
    )
    assert _totals_stats(explain)["totalDocsExamined"] == 0
    assert plan_indexes(explain["stages"][0]["$cursor"]) == ["board_totals__industry"]


@pytest.mark.parametrize(
    ("name", "lead_filter", "index"),
    [
        ("tag", LeadFilter(hide_archived=True, tag="partner"), "type_tags"),
        ("assignee", LeadFilter(hide_archived=True, assigned_to="USER"), "type_assigned"),
        ("search", LeadFilter(hide_archived=True, search="0012"), "type_search_created"),
    ],
)
def test_a_filtered_board_reads_only_the_filter_s_leads_for_its_totals(
    world: World, explainer: Explainer, name: str, lead_filter: LeadFilter, index: str
) -> None:
    indexes.ensure_board_totals_index("budget")
    if lead_filter.assigned_to == "USER":
        lead_filter = replace(lead_filter, assigned_to=world.user_ids[1])
    lead_store.fill_missing_search_terms()
    matching = connection.leads().count_documents(lead_store._filter_query(lead_filter))
    assert 0 < matching < LEAD_COUNT / 3, f"{name}: the data should make the filter selective"
    stage_uids = [stage.uid for stage in world.stages.values()]
    explain = explainer.only(_board(lead_filter, stage_uids))
    totals = explain["stages"][0]["$cursor"]
    assert index in plan_indexes(totals), describe(totals)
    stats = _totals_stats(explain)
    # Bounded by the filter's leads (its index's keys), not by the collection.
    assert stats["totalDocsExamined"] <= 2 * matching + 2, describe(totals)
    assert stats["totalKeysExamined"] <= 2 * matching + 2, describe(totals)


def test_the_leads_of_a_bulk_action_are_one_query_on_the_uid_index(
    world: World, explainer: Explainer
) -> None:
    uids = [lead.uid for lead in world.leads[10:40]]
    explain = explainer.only(lambda: lead_store.get_leads_with_workflow(uids))
    _assert_no_collscan(explain)
    stats = explain["stages"][0]["$cursor"]["executionStats"]
    # The 30 leads, the config and the four stages; no other lead.
    assert stats["totalDocsExamined"] == len(uids) + 1 + len(world.stages)
    versions = explainer.only(lambda: lead_store.lead_versions(uids))
    _assert_no_collscan(versions)
    assert set(plan_indexes(versions)) == {"type_uid"}
    assert versions["executionStats"]["totalDocsExamined"] == len(uids)


@pytest.mark.parametrize(
    "lead_filter",
    [LeadFilter(hide_archived=True), LeadFilter(), LeadFilter(status=WorkItemStatus.WON)],
    ids=["as the board asks", "archived too", "one status"],
)
def test_the_oldest_entry_of_each_column_is_one_index_key_per_stage_and_status(
    world: World, lead_filter: LeadFilter
) -> None:
    probes = [
        stage["$unionWith"]["pipeline"]
        for stage in lead_store._summary_rows(lead_store._filter_query(lead_filter))
        if "$unionWith" in stage
    ]
    assert len(probes) == (1 if lead_filter.status else 4 - lead_filter.hide_archived)
    for probe in probes:
        explain = connection.database().command(
            {
                "explain": {"aggregate": "leads", "pipeline": probe, "cursor": {}},
                "verbosity": "executionStats",
            }
        )
        assert "DISTINCT_SCAN" in plan_stages(explain), describe(explain)
        assert plan_indexes(explain) == ["type_status_stage_entered"], describe(explain)
        stats = _totals_stats(explain)
        assert stats["totalDocsExamined"] == 0, describe(explain)
        # One key per stage, and a seek past it.
        assert stats["totalKeysExamined"] <= 2 * len(world.stages) + 2, stats


def test_the_board_reads_its_totals_from_the_summaries_in_one_query_of_a_few_documents(
    world: World, explainer: Explainer
) -> None:
    summary_services.summaries_rebuild(owner="test", lease_seconds=30, wait_seconds=0)
    stage_uids = [stage.uid for stage in world.stages.values()]
    commands = explainer.sent_by(
        lambda: lead_store.kanban(
            lead_filter=LeadFilter(hide_archived=True),
            stage_uids=stage_uids,
            per_column=10,
            value_field="budget",
            data_keys=["budget"],
            summaries=True,
        )
    )
    assert [command.get("aggregate") for command in commands] == ["stage_totals"]
    explain = explainer.explain(commands[0])
    stats = explain["stages"][0]["$cursor"]["executionStats"]
    # The stages' totals documents (archived ones too: their status is checked on them).
    assert stats["totalDocsExamined"] <= len(world.stages) * len(WorkItemStatus)
