"""A request run again after an election (its first run's answer lost) applies its write once.

The first run below completes; the re-run stands for the one the API middleware makes when that
run's answer was lost with the old primary (a write that landed, an acknowledgement that did
not). What must hold: nothing applied twice, no conflict with itself, no lead number used twice
or skipped.
"""

from __future__ import annotations

import threading

import pytest

from leads.domain.enums import UserRole
from leads.domain.errors import VersionConflict
from leads.domain.inputs import LeadCreate, LeadUpdate
from leads.services.leads import lead_create, lead_update
from leads.store import connection
from leads.store import leads as lead_store
from leads.store.workflow import next_lead_number
from tests.builders import make_lead, make_pipeline, make_user


def test_a_rerun_recognises_its_landed_write_instead_of_conflicting_with_it() -> None:
    make_pipeline()
    member = make_user(UserRole.MEMBER)
    lead = make_lead(member)
    changes = LeadUpdate.model_validate({"company": "Acme"})

    with connection.request_journal() as journal:
        lead_update(uid=lead.uid, changes=changes, actor=member, expected_version=lead.version)
        journal.next_run()
        again = lead_update(
            uid=lead.uid, changes=changes, actor=member, expected_version=lead.version
        )

    assert again.lead.company == "Acme"
    assert again.lead.version == lead.version + 1
    stored = lead_store.get_lead(lead.uid)
    assert stored is not None and stored.lead.version == lead.version + 1
    assert stored.activity_count == 2  # created, then one field change


def test_a_rerun_whose_write_was_overtaken_refuses_rather_than_writing_twice() -> None:
    make_pipeline()
    member = make_user(UserRole.MEMBER)
    lead = make_lead(member)

    with connection.request_journal() as journal:
        lead_update(
            uid=lead.uid,
            changes=LeadUpdate.model_validate({"company": "Acme"}),
            actor=member,
            expected_version=None,
        )
        # Another request (another thread, so outside this journal) writes before the re-run:
        # whether ours is under its write can no longer be told.
        other = threading.Thread(
            target=lead_update,
            kwargs={
                "uid": lead.uid,
                "changes": LeadUpdate.model_validate({"phone": "+1 555 0100"}),
                "actor": make_user(UserRole.MEMBER),
                "expected_version": None,
            },
        )
        other.start()
        other.join()
        journal.next_run()
        with pytest.raises(VersionConflict):
            lead_update(
                uid=lead.uid,
                changes=LeadUpdate.model_validate({"company": "Acme"}),
                actor=member,
                expected_version=None,
            )

    stored = lead_store.get_lead(lead.uid)
    assert stored is not None and stored.lead.version == lead.version + 2


def test_a_rerun_of_a_create_that_landed_answers_the_same_lead_and_uses_one_number() -> None:
    make_pipeline()
    member = make_user(UserRole.MEMBER)
    data = LeadCreate.model_validate({"name": "Once"})

    with connection.request_journal() as journal:
        first = lead_create(data=data, actor=member)
        journal.next_run()
        again = lead_create(data=data, actor=member)

    assert again.lead.uid == first.lead.uid
    assert connection.leads().count_documents({"type": "lead", "name": "Once"}) == 1
    number = int(first.lead.uid.rsplit("-", 1)[1])
    assert next_lead_number(f"{first.lead.created_at:%Y%m}") == number + 1


def test_a_rerun_of_a_create_whose_insert_was_lost_stores_it_under_the_same_number() -> None:
    make_pipeline()
    member = make_user(UserRole.MEMBER)
    data = LeadCreate.model_validate({"name": "Lost insert"})

    with connection.request_journal() as journal:
        first = lead_create(data=data, actor=member)
        # As if the insert had died with the primary after the counter answered.
        connection.leads().delete_one({"type": "lead", "uid": first.lead.uid})
        journal.next_run()
        again = lead_create(data=data, actor=member)

    assert again.lead.uid == first.lead.uid
    assert lead_store.get_lead(first.lead.uid) is not None
    number = int(first.lead.uid.rsplit("-", 1)[1])
    assert next_lead_number(f"{first.lead.created_at:%Y%m}") == number + 1


def test_outside_a_request_every_create_takes_a_new_number() -> None:
    make_pipeline()
    member = make_user(UserRole.MEMBER)
    data = LeadCreate.model_validate({"name": "Twice"})

    first = lead_create(data=data, actor=member)
    second = lead_create(data=data, actor=member)

    assert second.lead.uid != first.lead.uid
