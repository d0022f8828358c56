"""Saved views: personal ones for their owner, shared ones made by admins and read by all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from leads.domain.enums import UserRole
from leads.domain.models import User
from leads.store.connection import count_round_trips
from tests.builders import (
    assert_error,
    client_for,
    field,
    make_lead,
    make_pipeline,
    make_user,
)

AUTH_ROUND_TRIPS = 1


@pytest.fixture
def member() -> User:
    make_pipeline(field("budget", "currency", min=0))
    return make_user()


def _save(user: User, **values: Any) -> Any:
    body = {"name": "My view", "target": "list", **values}
    return client_for(user).post("/api/views/", body, format="json")


def _names(user: User, **params: str) -> list[str]:
    response = client_for(user).get("/api/views/", params)
    assert response.status_code == 200, response.json()
    return [view["name"] for view in response.json()]


def test_a_saved_view_comes_back_with_its_filters_and_sort(member: User) -> None:
    response = _save(
        member,
        name="Hot SaaS",
        filters="tag=hot&q=acme+corp&data.budget=100&assigned_to=me",
        sort="name",
    )

    assert response.status_code == 201, response.json()
    view = client_for(member).get(f"/api/views/{response.json()['uid']}/").json()
    assert view["name"] == "Hot SaaS"
    assert view["filters"] == "tag=hot&q=acme+corp&data.budget=100&assigned_to=me"
    assert (view["sort"], view["target"], view["shared"]) == ("name", "list", False)
    assert view["owner"] == member.uid


def test_a_view_s_filters_give_the_list_they_name(member: User) -> None:
    hot = make_lead(member, name="Acme", tags=["hot"])
    make_lead(member, name="Acme cold", tags=["cold"])
    view = _save(member, filters="tag=hot&q=acm").json()

    response = client_for(member).get(f"/api/leads/?{view['filters']}")

    assert [row["uid"] for row in response.json()["results"]] == [hot.uid]


def test_personal_views_are_their_owner_s_alone(member: User) -> None:
    other = make_user()
    admin = make_user(UserRole.ADMIN)
    mine = _save(member, name="Mine").json()

    assert _names(member) == ["Mine"]
    assert _names(other) == []
    assert _names(admin) == []
    assert_error(client_for(other).get(f"/api/views/{mine['uid']}/"), 404, "view_not_found")
    patch = client_for(other).patch(f"/api/views/{mine['uid']}/", {"name": "X"}, format="json")
    assert_error(patch, 404, "view_not_found")
    assert_error(client_for(admin).delete(f"/api/views/{mine['uid']}/"), 404, "view_not_found")


def test_shared_views_are_made_and_changed_by_admins_and_read_by_everyone(member: User) -> None:
    admin = make_user(UserRole.ADMIN)
    viewer = make_user(UserRole.VIEWER)
    shared = _save(admin, name="Team pipeline", target="board", shared=True).json()
    uid = shared["uid"]

    assert _names(member) == ["Team pipeline"] == _names(viewer)
    assert_error(_save(member, shared=True), 403, "forbidden")
    renamed = client_for(member).patch(f"/api/views/{uid}/", {"name": "Mine"}, format="json")
    assert_error(renamed, 403, "forbidden")
    assert_error(client_for(member).delete(f"/api/views/{uid}/"), 403, "forbidden")
    ok = client_for(admin).patch(f"/api/views/{uid}/", {"name": "Team board"}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    assert _names(viewer) == ["Team board"]


def test_a_member_cannot_share_a_personal_view_by_editing_it(member: User) -> None:
    mine = _save(member).json()

    response = client_for(member).patch(
        f"/api/views/{mine['uid']}/", {"shared": True}, format="json"
    )

    assert_error(response, 403, "forbidden")


def test_viewers_may_keep_views_of_their_own(member: User) -> None:
    viewer = make_user(UserRole.VIEWER)

    assert _save(viewer, name="Read-only").status_code == 201
    assert _names(viewer) == ["Read-only"]


def test_the_owner_renames_and_deletes_a_view(member: User) -> None:
    view = _save(member, name="Old").json()
    client = client_for(member)

    renamed = client.patch(
        f"/api/views/{view['uid']}/", {"name": "New", "filters": "tag=vip"}, format="json"
    )
    assert renamed.status_code == 200, renamed.json()
    assert (renamed.json()["name"], renamed.json()["filters"]) == ("New", "tag=vip")
    assert client.delete(f"/api/views/{view['uid']}/").status_code == 204
    assert _names(member) == []
    assert_error(client.get(f"/api/views/{view['uid']}/"), 404, "view_not_found")


def test_a_stale_version_is_a_conflict(member: User) -> None:
    view = _save(member).json()
    client = client_for(member)
    client.patch(f"/api/views/{view['uid']}/", {"name": "Second"}, format="json")

    response = client.patch(
        f"/api/views/{view['uid']}/", {"name": "Third", "version": 1}, format="json"
    )

    assert_error(response, 409, "version_conflict")


def test_views_are_listed_by_name_and_by_target(member: User) -> None:
    _save(member, name="b list")
    _save(member, name="a board", target="board")
    _save(member, name="c list")

    assert _names(member) == ["a board", "b list", "c list"]
    assert _names(member, target="board") == ["a board"]
    assert _names(member, target="list") == ["b list", "c list"]


@pytest.mark.parametrize(
    ("values", "field_path"),
    [
        ({"filters": "status=maybe"}, "filters.status"),
        ({"filters": "colour=red"}, "filters.colour"),
        ({"filters": "data.colour=red"}, "filters.data.colour"),
        ({"filters": "data.budget=lots"}, "filters.data.budget"),
        ({"filters": "created_after=yesterday"}, "filters.created_after"),
        ({"filters": "limit=10"}, "filters.limit"),
        ({"filters": "q=" + "x" * 201}, "filters.q"),
        ({"filters": "tag"}, "filters"),
        ({"filters": "tag=%00"}, "filters.tag"),
        ({"target": "board", "filters": "stage=stage-new"}, "filters.stage"),
        ({"target": "board", "sort": "name"}, "sort"),
        ({"sort": "email"}, "sort"),
        ({"target": "table"}, "target"),
        ({"name": "  "}, "name"),
        ({"filters": {"tag": "x"}}, "filters"),
        ({"shared": "yes"}, "shared"),
    ],
)
def test_bad_views_are_400_naming_the_field(
    member: User, values: dict[str, Any], field_path: str
) -> None:
    assert_error(_save(member, **values), 400, "invalid", field_path)


def test_a_bad_filter_in_an_edit_is_400_naming_it(member: User) -> None:
    view = _save(member, target="board").json()

    response = client_for(member).patch(
        f"/api/views/{view['uid']}/", {"filters": "created_after=2026-01-01"}, format="json"
    )

    assert_error(response, 400, "invalid", "filters.created_after")


def test_round_trips_per_request(member: User) -> None:
    client = client_for(member)
    counts: dict[str, int] = {}
    with count_round_trips() as trips:
        created = client.post(
            "/api/views/", {"name": "V", "target": "list", "filters": "tag=x"}, format="json"
        ).json()
    counts["create"] = trips.count
    uid = created["uid"]
    calls: dict[str, Callable[[], Any]] = {
        "list": lambda: client.get("/api/views/"),
        "get": lambda: client.get(f"/api/views/{uid}/"),
        "rename": lambda: client.patch(f"/api/views/{uid}/", {"name": "W"}, format="json"),
        "delete": lambda: client.delete(f"/api/views/{uid}/"),
    }
    for name, call in calls.items():
        with count_round_trips() as trips:
            call()
        counts[name] = trips.count

    assert counts == {
        "create": AUTH_ROUND_TRIPS + 1,
        "list": AUTH_ROUND_TRIPS + 1,
        "get": AUTH_ROUND_TRIPS + 1,
        "rename": AUTH_ROUND_TRIPS + 2,
        "delete": AUTH_ROUND_TRIPS + 2,
    }


def test_a_view_with_custom_field_filters_reads_the_config_once_more(member: User) -> None:
    client = client_for(member)

    with count_round_trips() as trips:
        response = client.post(
            "/api/views/",
            {"name": "Big", "target": "list", "filters": "data.budget=100"},
            format="json",
        )

    assert response.status_code == 201
    assert trips.count == AUTH_ROUND_TRIPS + 2
