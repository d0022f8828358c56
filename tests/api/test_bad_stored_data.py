"""Bad data already stored (an older version, an import, a hand edit) never takes a page down:
the board and the list render, and the column sums stay finite."""

from __future__ import annotations

import math
from typing import Any

import pytest
from bson.int64 import Int64

from leads.domain.enums import UserRole
from leads.store import connection
from tests.builders import client_for, field, make_lead, make_pipeline, make_user


def _stored_lead(template: dict[str, Any], uid: str, **changes: Any) -> None:
    """Insert a raw copy of `template` (a stored lead) with `changes`; None removes a field."""
    document = {key: value for key, value in template.items() if key != "_id"}
    document["uid"] = uid
    for key, value in changes.items():
        target = document
        *parents, last = key.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        if value is None:
            target.pop(last, None)
        else:
            target[last] = value
    connection.leads().insert_one(document)


BAD_BUDGETS: list[Any] = [
    1e308,
    -1e308,
    float("inf"),
    float("-inf"),
    float("nan"),
    "12,000",
    "not a number",
    [1, 2],
    {"amount": 1},
    True,
    Int64(2**63 - 1),
]


@pytest.fixture
def board_with_bad_budgets() -> dict[str, Any]:
    make_pipeline(field("budget", "currency"), field("industry", "text"))
    member = make_user(UserRole.MEMBER)
    good = make_lead(member, name="Good", data={"budget": 1000})
    template = connection.leads().find_one({"type": "lead", "uid": good.uid})
    assert template is not None
    for index, budget in enumerate(BAD_BUDGETS):
        _stored_lead(template, f"LEAD-209901-{index:05d}", **{"data.budget": budget})
    _stored_lead(template, "LEAD-209902-00001", **{"data.budget": None})
    _stored_lead(template, "LEAD-209902-00002", data=None)
    return {"member": member, "good": good}


def test_the_board_over_bad_stored_amounts_renders_with_finite_sums(
    board_with_bad_budgets: dict[str, Any],
) -> None:
    client = client_for(board_with_bad_budgets["member"])

    response = client.get("/api/leads/kanban/")

    assert response.status_code == 200, response.content[:300]
    [new, *_] = response.json()["columns"]
    assert new["count"] == 1 + len(BAD_BUDGETS) + 2
    # Only the good lead counts: every stored value outside ±1e15 or not a number counts 0.
    assert new["value_total"] == 1000
    assert math.isfinite(new["weighted_total"])


def test_cards_over_bad_stored_amounts_show_no_value(
    board_with_bad_budgets: dict[str, Any],
) -> None:
    client = client_for(board_with_bad_budgets["member"])

    cards = client.get("/api/leads/kanban/?per_column=100").json()["columns"][0]["leads"]

    good = board_with_bad_budgets["good"].uid
    values = {card["uid"]: card["value"] for card in cards}
    assert values.pop(good) == 1000
    assert len(values) == len(BAD_BUDGETS) + 2
    # A card shows the stored number when it is one; never text, infinity or NaN.
    assert all(value is None or math.isfinite(value) for value in values.values())


def test_the_list_and_detail_over_bad_stored_amounts_render(
    board_with_bad_budgets: dict[str, Any],
) -> None:
    client = client_for(board_with_bad_budgets["member"])

    listing = client.get("/api/leads/?limit=100")
    details = [client.get(f"/api/leads/{row['uid']}/") for row in listing.json()["results"]]

    assert listing.status_code == 200, listing.content[:300]
    assert len(listing.json()["results"]) == 1 + len(BAD_BUDGETS) + 2
    assert [detail.status_code for detail in details] == [200] * len(details)


def test_a_sum_of_many_large_amounts_stays_finite() -> None:
    make_pipeline()
    member = make_user(UserRole.MEMBER)
    good = make_lead(member, data={"budget": 1e15})
    template = connection.leads().find_one({"type": "lead", "uid": good.uid})
    assert template is not None
    for index in range(50):
        _stored_lead(template, f"LEAD-209901-{index:05d}")

    response = client_for(member).get("/api/leads/kanban/")

    assert response.status_code == 200
    assert response.json()["columns"][0]["value_total"] == 51e15


@pytest.mark.parametrize(
    "changes",
    [
        {"name": None},
        {"rank": None},
        {"status": "no-such-status"},
        {"created_at": "yesterday"},
        {"tasks": "none"},
        {"assigned_to": None, "name": 12},
    ],
    ids=["no-name", "no-rank", "bad-status", "bad-date", "bad-tasks", "bad-name"],
)
def test_a_lead_stored_without_what_it_needs_leaves_the_board_and_list_readable(
    changes: dict[str, Any],
) -> None:
    make_pipeline()
    member = make_user(UserRole.MEMBER)
    good = make_lead(member, name="Good")
    template = connection.leads().find_one({"type": "lead", "uid": good.uid})
    assert template is not None
    _stored_lead(template, "LEAD-209901-00001", **changes)
    client = client_for(member)

    board = client.get("/api/leads/kanban/")
    listing = client.get("/api/leads/")

    assert board.status_code == 200, board.content[:300]
    assert listing.status_code == 200, listing.content[:300]
    assert good.uid in [card["uid"] for card in board.json()["columns"][0]["leads"]]
    assert good.uid in [row["uid"] for row in listing.json()["results"]]
