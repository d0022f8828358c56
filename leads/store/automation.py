"""Automation rules, their runs, and where the executor is in the event stream.

Rules live in their own collection, `automation_rules`, not in `leads`: they are not workflow
data a lead list, the board or the change stream of `leads` should ever see (a rule's stats
change on every run; in `leads` each of those writes would reach the change-stream reader and
be filtered out there). A run is keyed by (rule, event seq): `_id` is `<rule uid>:<seq>`, and a
unique index on the pair says so for any other writer. Runs expire 30 days after they start.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from leads.domain.automation import RUN_RETENTION, Rule, RuleError, Run, RunAction, RunStatus

from .connection import Doc, database
from .documents import from_document, from_documents, to_document
from .leases import LeasedRole

RULES = "automation_rules"
RUNS = "automation_runs"
_EXECUTOR = LeasedRole("automation", "events")

RULE_INDEXES = [
    IndexModel([("uid", ASCENDING)], name="uid_unique", unique=True),
    # the list, newest first
    IndexModel([("created_at", DESCENDING), ("uid", DESCENDING)], name="created_at"),
]

RUN_INDEXES = [
    # one run per (rule, event): a replay finds the run it started
    IndexModel(
        [("rule", ASCENDING), ("event_seq", ASCENDING)], name="rule_seq_unique", unique=True
    ),
    # a rule's runs, newest first
    IndexModel([("rule", ASCENDING), ("at", DESCENDING)], name="rule_at"),
    IndexModel([("expires_at", ASCENDING)], name="expires_at_ttl", expireAfterSeconds=0),
]

_PUBLIC: Doc = {"_id": 0}


def rules() -> Collection[Doc]:
    return database()[RULES]


def runs() -> Collection[Doc]:
    return database()[RUNS]


# --- rules ----------------------------------------------------------------------------------


def insert_rule(rule: Rule) -> None:
    rules().insert_one(to_document(rule))


def count_rules() -> int:
    # index: uid_unique (a count of the whole collection reads the index)
    return rules().count_documents({})


def get_rule(uid: str) -> Rule | None:
    # index: uid_unique
    return from_document(Rule, rules().find_one({"uid": uid}, _PUBLIC))


def list_rules() -> list[Rule]:
    """Every rule (at most MAX_RULES), newest first."""
    # index: created_at
    cursor = rules().find({}, _PUBLIC).sort([("created_at", DESCENDING), ("uid", DESCENDING)])
    return from_documents(Rule, cursor)


def get_rule_names(uids: list[str]) -> dict[str, str]:
    """The names of these rules (a lead's history names the rules that changed it)."""
    if not uids:
        return {}
    # index: uid_unique
    cursor = rules().find({"uid": {"$in": uids}}, {"_id": 0, "uid": 1, "name": 1})
    return {doc["uid"]: doc["name"] for doc in cursor}


def update_rule(uid: str, *, expected_version: int, changes: Doc) -> Rule | None:
    """Set `changes` if the rule is still at `expected_version`; None when not (or gone)."""
    # index: uid_unique
    document = rules().find_one_and_update(
        {"uid": uid, "version": expected_version},
        {"$set": changes, "$inc": {"version": 1}},
        projection=_PUBLIC,
        return_document=ReturnDocument.AFTER,
    )
    return from_document(Rule, document)


def delete_rule(uid: str, *, expected_version: int) -> bool:
    # index: uid_unique
    return rules().delete_one({"uid": uid, "version": expected_version}).deleted_count == 1


def take_turn(uid: str) -> int | None:
    """Advance the rule's round-robin counter atomically; the turn taken (None: rule gone)."""
    # index: uid_unique
    document = rules().find_one_and_update(
        {"uid": uid},
        {"$inc": {"turns": 1}},
        projection={"_id": 0, "turns": 1},
        return_document=ReturnDocument.BEFORE,
    )
    return None if document is None else int(document.get("turns", 0))


def record_run(uid: str, *, at: datetime, error: RuleError | None) -> None:
    """Count a finished run (and a failure, with why) on the rule; its version is the admins'
    and does not change."""
    changes: Doc = {"stats.last_run_at": at}
    counts = {"stats.runs": 1}
    if error is not None:
        changes["stats.last_error"] = to_document(error)
        counts["stats.failures"] = 1
    # index: uid_unique
    rules().update_one({"uid": uid}, {"$set": changes, "$inc": counts})


# --- runs -----------------------------------------------------------------------------------


def _run_document(run: Run) -> Doc:
    document = to_document(run)
    document["_id"] = document.pop("id")
    document["expires_at"] = run.at + RUN_RETENTION
    return document


def _run(document: Doc | None) -> Run | None:
    if document is None:
        return None
    return Run.model_validate({**document, "id": document["_id"]})


def start_run(run: Run) -> Run:
    """Store a new run; when one for the same (rule, event) is stored already (a replay), that
    one."""
    try:
        runs().insert_one(_run_document(run))
    except DuplicateKeyError:
        # index: rule_seq_unique
        stored = _run(runs().find_one({"rule": run.rule, "event_seq": run.event_seq}))
        if stored is not None:
            return stored
        raise
    return run


def save_run_action(run_id: str, index: int, action: RunAction) -> None:
    # index: _id
    runs().update_one({"_id": run_id}, {"$set": {f"actions.{index}": to_document(action)}})


def finish_run(run_id: str, *, status: RunStatus, error: str | None, at: datetime) -> None:
    # index: _id
    runs().update_one(
        {"_id": run_id}, {"$set": {"status": status.value, "error": error, "finished_at": at}}
    )


def list_runs(rule: str, *, limit: int) -> list[Run]:
    # index: rule_at
    cursor = runs().find({"rule": rule}).sort("at", DESCENDING).limit(limit)
    return [run for run in (_run(doc) for doc in cursor) if run is not None]


def get_run(run_id: str) -> Run | None:
    # index: _id
    return _run(runs().find_one({"_id": run_id}))


# --- the executor's place in the event stream ------------------------------------------------


def claim_executor(*, owner: str, now: datetime, lease_until: datetime) -> bool:
    return _EXECUTOR.claim(owner=owner, now=now, lease_until=lease_until)


def executor_position() -> int | None:
    """The seq of the last event handled; None before the executor first ran."""
    seq: Any = _EXECUTOR.progress("seq")
    return None if seq is None else int(seq)


def save_executor_position(*, owner: str, seq: int, lease_until: datetime) -> bool:
    return _EXECUTOR.save(owner=owner, name="seq", value=seq, lease_until=lease_until)


def release_executor(*, owner: str) -> None:
    _EXECUTOR.release(owner=owner)
