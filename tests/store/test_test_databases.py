"""The `database` fixture hands a test an emptied database of an earlier test: nothing that test
left (documents, collections, indexes, collection options) reaches the next one."""

from __future__ import annotations

from pymongo import ASCENDING, MongoClient

from leads.store import connection
from leads.store.indexes import ensure_board_totals_index
from tests.conftest import Databases, Doc, _layout


def _leave_a_mess() -> None:
    db = connection.database()
    connection.leads().insert_one({"type": "lead", "uid": "LEAD-202601-00001"})
    db["audit"].insert_one({"uid": "left-behind"})
    db["users"].create_index([("email", ASCENDING)], name="added_by_a_test")
    facts_index = next(i["name"] for i in db["lead_facts"].list_indexes() if i["name"] != "_id_")
    db["lead_facts"].drop_index(facts_index)
    ensure_board_totals_index("budget")
    db["guards"].insert_one({"_id": "a collection no index makes"})
    db.command("collMod", "audit", validator={"action": {"$exists": True}})
    db.drop_collection("views")
    db.create_collection("a_view", viewOn="leads", pipeline=[])


def test_a_database_a_test_left_in_a_mess_is_handed_on_as_a_new_one_would_be(
    mongo_uri: str,
) -> None:
    client: MongoClient[Doc]
    with MongoClient(mongo_uri, tz_aware=True) as client:
        databases = Databases(uri=mongo_uri, client=client)
        first = databases.take(fresh=False)
        _leave_a_mess()
        databases.give_back(first, fresh=False)

        second = databases.take(fresh=False)
        new = databases.take(fresh=True)
        try:
            assert second == first
            assert _layout(client[second]) == _layout(client[new]) == databases.standard
            assert {
                name: client[second][name].count_documents({})
                for name in client[second].list_collection_names()
            } == dict.fromkeys(client[new].list_collection_names(), 0)
            assert databases.counts == {"reused": 1, "new": 2, "repaired": 1}
        finally:
            for name in (second, new):
                client.drop_database(name)


def test_a_database_a_test_left_untouched_needs_no_repair(mongo_uri: str) -> None:
    client: MongoClient[Doc]
    with MongoClient(mongo_uri, tz_aware=True) as client:
        databases = Databases(uri=mongo_uri, client=client)
        first = databases.take(fresh=False)
        connection.leads().insert_one({"type": "lead", "uid": "LEAD-202601-00001"})
        databases.give_back(first, fresh=False)
        try:
            assert databases.spare == first
            assert databases.counts == {"reused": 0, "new": 1, "repaired": 0}
            documents: Doc = client[first].command("dbStats")
            assert documents["objects"] == 0
        finally:
            client.drop_database(first)


def test_a_database_a_test_filled_with_many_leads_is_handed_on_as_a_new_one_would_be(
    mongo_uri: str,
) -> None:
    client: MongoClient[Doc]
    with MongoClient(mongo_uri, tz_aware=True) as client:
        databases = Databases(uri=mongo_uri, client=client)
        first = databases.take(fresh=False)
        connection.leads().insert_many(
            [{"type": "lead", "uid": f"LEAD-202601-{n:05d}"} for n in range(1, 302)]
        )
        ensure_board_totals_index("budget")
        databases.give_back(first, fresh=False)
        try:
            assert databases.spare == first
            assert _layout(client[first]) == databases.standard
            assert client[first].command("dbStats")["objects"] == 0
        finally:
            client.drop_database(first)
