"""What the schemathesis run found, each kept as a regression test: values the schema refuses
must be refused by the API too (not read some other way)."""

from __future__ import annotations

import pytest

from leads.domain.enums import UserRole
from tests.builders import assert_error, client_for, make_lead, make_pipeline, make_user


def test_a_user_list_flag_that_is_not_a_boolean_is_refused_not_read_as_false() -> None:
    admin = client_for(make_user(UserRole.ADMIN))

    assert_error(admin.get("/api/users/?include_inactive=null"), 400, "invalid", "include_inactive")
    assert admin.get("/api/users/?include_inactive=true").status_code == 200
    assert admin.get("/api/users/?include_inactive=false").status_code == 200


def test_an_activity_moment_sent_as_a_number_is_refused() -> None:
    make_pipeline()
    member = make_user(UserRole.MEMBER)
    lead = make_lead(member)
    client = client_for(member)

    response = client.post(
        f"/api/leads/{lead.uid}/activities/",
        {"type": "call", "occurred_at": 0},
        format="json",
    )

    assert_error(response, 400, "invalid", "occurred_at")
    assert client.get(f"/api/leads/{lead.uid}/").json()["activity_count"] == 1


def test_a_task_due_date_sent_as_a_number_is_refused() -> None:
    make_pipeline()
    member = make_user(UserRole.MEMBER)
    lead = make_lead(member)
    client = client_for(member)

    response = client.post(
        f"/api/leads/{lead.uid}/tasks/", {"title": "Call back", "due_at": 0}, format="json"
    )

    assert_error(response, 400, "invalid", "due_at")
    accepted = client.post(
        f"/api/leads/{lead.uid}/tasks/",
        {"title": "Call back", "due_at": "2026-12-01T09:00:00Z"},
        format="json",
    )
    assert accepted.status_code == 201, accepted.content


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/audit/", "to"),
        ("/api/leads/", "created_after"),
        ("/api/leads/", "entered_to"),
        ("/api/reports/funnel/", "from"),
    ],
)
def test_a_number_is_no_date_in_a_query_string(path: str, parameter: str) -> None:
    admin = make_user(UserRole.ADMIN)
    make_pipeline()

    response = client_for(admin).get(path, {parameter: "0.5"})

    assert_error(response, 400, "invalid", parameter)
