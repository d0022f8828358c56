"""The change-stream reader: each write announced once, as the right kind, in order; a reader
stopped or killed goes on from its stored token, missing nothing and repeating nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from leads.domain.enums import UserRole
from leads.domain.events import Event
from leads.domain.models import CONFIG_UID
from leads.store import events as event_store
from tests.builders import client_for, complete_required_tasks, make_lead, make_pipeline, make_user
from tests.event_reader import Killed, Reader, wait_until


def _events(count: int) -> list[Event]:
    wait_until(lambda: len(event_store.events_after(0)) >= count, f"{count} events")
    time.sleep(0.5)  # and no more than that
    return event_store.events_after(0)


@pytest.fixture(autouse=True)
def short_lease(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADCRM_EVENT_READER_LEASE_SECONDS", "1.5")


@pytest.fixture
def team() -> Iterator[dict[str, Any]]:
    stages = make_pipeline()
    member = make_user(UserRole.MEMBER, username="sam")
    yield {"stages": stages, "member": member, "client": client_for(member)}


def test_each_write_of_a_lead_is_announced_once_as_its_kind_with_who_did_it(
    team: dict[str, Any],
) -> None:
    stages, client = team["stages"], team["client"]
    with Reader():
        created = client.post("/api/leads/", {"name": "Acme"}, format="json").json()
        uid = created["uid"]
        client.patch(f"/api/leads/{uid}/", {"company": "Acme Inc"}, format="json")
        client.post(f"/api/leads/{uid}/activities/", {"type": "note", "body": "hi"}, format="json")
        complete_required_tasks(uid, team["member"])
        moved = client.post(
            f"/api/leads/{uid}/transition/", {"to_stage": stages["contacted"].uid}, format="json"
        )
        assert moved.status_code == 200, moved.json()
        assert client.delete(f"/api/leads/{uid}/").status_code == 204
        events = _events(6)

    kinds = [event.kind.value for event in events]
    assert kinds[0] == "lead.created" and kinds[-2:] == ["lead.moved", "lead.deleted"], kinds
    # Between: the edit, the note, and one update per required task completed.
    assert set(kinds[1:-2]) == {"lead.updated"}, kinds
    assert [event.seq for event in events] == list(range(1, len(events) + 1))
    assert {event.uid for event in events} == {uid}
    assert all(event.by is not None and event.by.name == "Sam" for event in events)
    assert events[0].to_stage == stages["new"].uid
    edit = events[1]
    assert (edit.fields, edit.previous) == (["company"], {"company": None})
    move = events[-2]
    assert (move.from_stage, move.to_stage) == (stages["new"].uid, stages["contacted"].uid)
    assert move.version == moved.json()["version"]
    versions = [event.version or 0 for event in events[:-1]]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)


def test_under_a_steady_trickle_of_writes_each_is_announced_within_a_second(
    team: dict[str, Any],
) -> None:
    # A write every 50 ms: the reader's getMore never comes back empty, so an event must not
    # wait for a quiet moment (or a full batch) to be stored.
    member = team["member"]
    written: list[float] = []
    seen: dict[int, float] = {}
    with Reader():
        started = time.monotonic()
        while time.monotonic() - started < 3.0:
            make_lead(member)
            written.append(time.monotonic())
            for event in event_store.events_after(max(seen, default=0)):
                seen.setdefault(event.seq, time.monotonic())
            time.sleep(0.05)
        wait_until(lambda: len(event_store.events_after(0)) >= len(written), "every event")
        for event in event_store.events_after(max(seen, default=0)):
            seen.setdefault(event.seq, time.monotonic())
    first_seq = min(seen)
    lags = [seen[first_seq + n] - at for n, at in enumerate(written)]
    assert max(lags) < 1.0, [round(lag, 2) for lag in lags]


def test_stage_and_config_changes_are_announced(team: dict[str, Any]) -> None:
    admin = client_for(make_user(UserRole.ADMIN))
    with Reader():
        stage = admin.post("/api/stages/", {"name": "Demo"}, format="json").json()
        admin.patch(f"/api/stages/{stage['uid']}/", {"name": "Demo call"}, format="json")
        renamed = admin.patch("/api/config/", {"workflow_name": "Sales"}, format="json")
        assert renamed.status_code == 200, renamed.json()
        events = _events(3)
    kinds = [(event.kind.value, event.uid) for event in events]
    assert ("stage.changed", stage["uid"]) in kinds
    assert kinds[-1] == ("config.changed", CONFIG_UID)
    assert [kind for kind, _ in kinds].count("config.changed") == 1


def test_deleting_a_stage_announces_each_of_its_leads_moving_by_its_own_uid(
    team: dict[str, Any],
) -> None:
    stages, member = team["stages"], team["member"]
    leads = [make_lead(member) for _ in range(3)]
    admin = client_for(make_user(UserRole.ADMIN))
    initial = {"initial_stage": stages["contacted"].uid}
    assert admin.patch("/api/config/", initial, format="json").status_code == 200
    with Reader():
        response = admin.delete(
            f"/api/stages/{stages['new'].uid}/?move_to={stages['contacted'].uid}"
        )
        assert response.json()["moved_leads"] == 3, response.content
        events = _events(4)
    moves = [event for event in events if event.kind.value == "lead.moved"]
    assert sorted(event.uid for event in moves) == sorted(lead.uid for lead in leads)
    assert {(event.from_stage, event.to_stage) for event in moves} == {
        (stages["new"].uid, stages["contacted"].uid)
    }
    assert all(event.version == 2 for event in moves)
    assert stages["new"].uid in {e.uid for e in events if e.kind.value == "stage.changed"}


def test_writes_while_no_reader_runs_are_announced_when_one_starts_again(
    team: dict[str, Any],
) -> None:
    member = team["member"]
    with Reader():
        make_lead(member, name="Before")
        _events(1)
    while_down = [make_lead(member, name=f"Down {n}").uid for n in range(5)]
    with Reader(owner="another-worker"):
        events = _events(6)
    assert [event.uid for event in events[1:]] == while_down
    assert [event.seq for event in events] == list(range(1, 7))


def test_a_reader_killed_after_storing_events_but_before_its_token_repeats_none(
    team: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    member = team["member"]
    with Reader():
        pass  # a token to resume from
    real_save = event_store.save_reader_token

    def die_after_storing(**kwargs: Any) -> bool:
        if event_store.last_seq() > 0:
            raise Killed()
        return real_save(**kwargs)

    monkeypatch.setattr(event_store, "save_reader_token", die_after_storing)
    uids = [make_lead(member, name=f"L{n}").uid for n in range(4)]
    dying = Reader()
    dying.thread.start()
    wait_until(lambda: dying.failure is not None, "the reader to die")
    assert isinstance(dying.failure, Killed)
    monkeypatch.setattr(event_store, "save_reader_token", real_save)
    event_store.release_reader(owner=dying.owner)  # as its lease running out would

    uids.append(make_lead(member, name="After").uid)
    with Reader(owner="next-worker"):
        events = _events(5)
    assert [event.uid for event in events] == uids
    assert [event.seq for event in events] == list(range(1, 6))


def test_two_workers_announce_each_write_once(team: dict[str, Any]) -> None:
    member = team["member"]
    with Reader(owner="one"), Reader(owner="two"):
        uids = [make_lead(member, name=f"L{n}").uid for n in range(10)]
        events = _events(10)
    assert [event.uid for event in events] == uids


def test_an_import_announces_each_lead_it_creates(team: dict[str, Any]) -> None:
    import io

    from leads.domain.imports import ImportOptions
    from leads.services import imports as import_services
    from leads.services.jobs import job_run_now
    from tests.imports_helpers import csv_bytes

    member = team["member"]
    data = csv_bytes([["Name", "Email"]] + [[f"P{n}", f"p{n}@example.com"] for n in range(30)])
    upload = import_services.import_upload(
        stream=io.BytesIO(data), name="leads.csv", size=len(data), actor=member
    )
    import_services.import_run(
        uid=upload.job.uid,
        options=ImportOptions.model_validate({"mapping": upload.suggested_mapping}),
        actor=member,
    )
    with Reader():
        job_run_now(uid=upload.job.uid)
        events = _events(30)
    assert len(events) == 30
    assert {event.kind.value for event in events} == {"lead.created"}
    assert len({event.uid for event in events}) == 30


def test_a_bulk_action_announces_each_lead_it_changes_and_each_it_deletes(
    team: dict[str, Any],
) -> None:
    member, client = team["member"], team["client"]
    uids = [make_lead(member, name=f"L{n}").uid for n in range(3)]
    with Reader():
        tagged = client.post(
            "/api/leads/bulk/", {"uids": uids, "action": "tag", "tags": ["hot"]}, format="json"
        )
        assert tagged.json()["succeeded"] == 3, tagged.json()
        deleted = client.post(
            "/api/leads/bulk/", {"uids": uids[:2], "action": "delete"}, format="json"
        )
        assert deleted.json()["succeeded"] == 2, deleted.json()
        events = _events(5)
    assert [(event.kind.value, event.uid) for event in events] == [
        *(("lead.updated", uid) for uid in uids),
        *(("lead.deleted", uid) for uid in uids[:2]),
    ]
    assert events[0].fields == ["tags"] and events[0].previous == {"tags": []}
    assert all(event.by is not None and event.by.name == "Sam" for event in events)
