"""Bad input at the edge: text that cannot be stored or searched, numbers out of range, deep
nesting. Each case is a 4xx in the error shape, stores nothing and uses no lead number."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from leads.domain.enums import UserRole
from tests.builders import (
    assert_error,
    client_for,
    field,
    make_lead,
    make_pipeline,
    make_user,
    stored_documents,
)

SURROGATE = "\ud800"
NUL = "a\x00b"


class World:
    """A pipeline with one field of each numeric type, a member with a lead, an admin."""

    def __init__(self) -> None:
        self.stages = make_pipeline(
            field("budget", "currency"),
            field("headcount", "integer"),
            field("score", "decimal"),
            field("website", "text"),
            field(
                "industry",
                "multi_select",
                options=[{"value": "saas", "label": "SaaS"}, {"value": "retail", "label": "R"}],
            ),
        )
        self.member = make_user(UserRole.MEMBER)
        self.admin = make_user(UserRole.ADMIN)
        self.lead = make_lead(self.member, name="Acme")
        self.client = client_for(self.member)
        self.admin_client = client_for(self.admin)


@pytest.fixture
def world() -> World:
    return World()


def _raw(client: APIClient, method: str, path: str, text: str) -> Any:
    """Send `text` as the body byte for byte (json.dumps escapes a surrogate as `\\ud800`)."""
    return getattr(client, method)(path, text.encode(), content_type="application/json")


def _json(value: Any) -> str:
    return json.dumps(value)


def _lead_bodies(bad: str) -> list[tuple[str, dict[str, Any]]]:
    """(what, body) for every string position of a lead create, holding `bad`."""
    return [
        ("name", {"name": bad}),
        ("email", {"name": "A", "email": bad}),
        ("phone", {"name": "A", "phone": bad}),
        ("company", {"name": "A", "company": bad}),
        ("source", {"name": "A", "source": bad}),
        ("tags.0", {"name": "A", "tags": [bad]}),
        ("assigned_to.0", {"name": "A", "assigned_to": [bad]}),
        ("data.website", {"name": "A", "data": {"website": bad}}),
        ("data.industry.0", {"name": "A", "data": {"industry": [bad]}}),
        ("data", {"name": "A", "data": {bad: "x"}}),
        ("key", {"name": "A", bad: "x"}),
    ]


# Every write that takes strings, with `bad` in each of its string positions:
# (method, path template, body). `{lead}` and `{stage}` are filled in from the world.
def _writes(bad: str) -> list[tuple[str, str, dict[str, Any]]]:
    writes: list[tuple[str, str, dict[str, Any]]] = [
        ("post", "/api/leads/", body) for _, body in _lead_bodies(bad)
    ]
    writes += [
        ("patch", "/api/leads/{lead}/", {"name": bad}),
        ("patch", "/api/leads/{lead}/", {"company": bad}),
        ("patch", "/api/leads/{lead}/", {"tags": [bad]}),
        ("patch", "/api/leads/{lead}/", {"data": {"website": bad}}),
        ("patch", "/api/leads/{lead}/", {"data": {bad: 1}}),
        ("post", "/api/leads/{lead}/transition/", {"to_stage": bad}),
        ("post", "/api/leads/{lead}/transition/", {"to_stage": "{stage}", "note": bad}),
        ("post", "/api/leads/{lead}/transition/", {"to_stage": "{stage}", "data": {bad: 1}}),
        ("post", "/api/leads/{lead}/assign/", {"user_ids": [bad]}),
        ("post", "/api/leads/{lead}/assign/", {"user_ids": [], "mode": bad}),
        ("post", "/api/leads/{lead}/activities/", {"type": "note", "body": bad}),
        ("post", "/api/leads/{lead}/tasks/", {"title": bad}),
        ("post", "/api/leads/kanban/move/", {"lead_uid": bad, "to_stage": "{stage}"}),
        ("post", "/api/leads/kanban/move/", {"lead_uid": "{lead}", "to_stage": bad}),
        ("post", "/api/stages/reorder/", {"order": [bad]}),
        ("post", "/api/stages/", {"name": bad}),
        ("patch", "/api/config/", {"workflow_name": bad}),
    ]
    return writes


def _fill(world: World, value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("{lead}", world.lead.uid).replace(
            "{stage}", world.stages["contacted"].uid
        )
    if isinstance(value, dict):
        return {_fill(world, key): _fill(world, item) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(world, item) for item in value]
    return value


def _assert_nothing_changed(world: World, before: list[dict[str, Any]]) -> None:
    assert stored_documents() == before
    # No lead number was used either: the next lead takes the one after the world's lead.
    created = make_lead(world.member)
    assert int(created.uid.rsplit("-", 1)[1]) == int(world.lead.uid.rsplit("-", 1)[1]) + 1


def _case_ids(writes: list[tuple[str, str, dict[str, Any]]]) -> list[str]:
    return [f"{index}-{method}-{path}" for index, (method, path, _) in enumerate(writes)]


@pytest.mark.parametrize(
    ("method", "path", "body"), _writes(SURROGATE), ids=_case_ids(_writes(SURROGATE))
)
def test_a_lone_surrogate_anywhere_in_a_write_is_400_and_changes_nothing(
    world: World, method: str, path: str, body: dict[str, Any]
) -> None:
    before = stored_documents()
    client = world.admin_client if path.startswith(("/api/stages", "/api/config")) else world.client

    response = _raw(client, method, _fill(world, path), _json(_fill(world, body)))

    error = assert_error(response, 400, "invalid")
    assert "Unicode" in json.dumps(error["fields"])
    _assert_nothing_changed(world, before)


@pytest.mark.parametrize(("method", "path", "body"), _writes(NUL), ids=_case_ids(_writes(NUL)))
def test_a_nul_character_anywhere_in_a_write_is_400_and_changes_nothing(
    world: World, method: str, path: str, body: dict[str, Any]
) -> None:
    before = stored_documents()
    client = world.admin_client if path.startswith(("/api/stages", "/api/config")) else world.client

    response = _raw(client, method, _fill(world, path), _json(_fill(world, body)))

    error = assert_error(response, 400, "invalid")
    assert "NUL" in json.dumps(error["fields"])
    _assert_nothing_changed(world, before)


@pytest.mark.parametrize(
    ("what", "body"), _lead_bodies(SURROGATE), ids=[what for what, _ in _lead_bodies("")]
)
def test_the_error_names_where_the_surrogate_is(
    world: World, what: str, body: dict[str, Any]
) -> None:
    response = _raw(world.client, "post", "/api/leads/", _json(body))

    fields = assert_error(response, 400, "invalid")["fields"]
    named = {"key": "body", "data": "data"}.get(what, what)
    assert list(fields) == [named]


def test_a_surrogate_sent_as_raw_utf8_bytes_is_400(world: World) -> None:
    before = stored_documents()

    response = world.client.post(
        "/api/leads/", b'{"name": "A\xed\xa0\x80"}', content_type="application/json"
    )

    assert_error(response, 400, "invalid", "name")
    _assert_nothing_changed(world, before)


# --- numbers --------------------------------------------------------------------------------

# (field, the JSON number as sent, the status code): each field type's range.
NUMBERS = [
    ("budget", "1e308", "invalid"),
    ("budget", "-1e308", "invalid"),
    ("budget", "1e16", "invalid"),
    ("budget", "1" + "0" * 399, "invalid"),
    ("budget", "-" + "9" * 400, "invalid"),
    ("budget", "1e400", "parse_error"),
    ("budget", "-1e400", "parse_error"),
    ("budget", "NaN", "parse_error"),
    ("budget", '"1e308"', "invalid"),
    ("budget", '"1' + "0" * 399 + '"', "invalid"),
    ("score", "1e308", "invalid"),
    ("score", "1" + "0" * 30, "invalid"),
    ("score", "Infinity", "parse_error"),
    ("headcount", str(2**63), "invalid"),
    ("headcount", str(-(2**63) - 1), "invalid"),
    ("headcount", "1e20", "invalid"),
    ("headcount", '"' + "9" * 30 + '"', "invalid"),
    ("headcount", "1e400", "parse_error"),
]


@pytest.mark.parametrize(("key", "number", "code"), NUMBERS)
def test_a_number_out_of_its_field_types_range_is_refused_on_create(
    world: World, key: str, number: str, code: str
) -> None:
    before = stored_documents()

    response = _raw(
        world.client, "post", "/api/leads/", f'{{"name": "A", "data": {{"{key}": {number}}}}}'
    )

    error = assert_error(response, 400, code)
    if code == "invalid":
        assert f"data.{key}" in error["fields"] or "body" in error["fields"]
    _assert_nothing_changed(world, before)


@pytest.mark.parametrize(("key", "number", "code"), NUMBERS)
def test_a_number_out_of_its_field_types_range_is_refused_on_update(
    world: World, key: str, number: str, code: str
) -> None:
    before = stored_documents()

    response = _raw(
        world.client, "patch", f"/api/leads/{world.lead.uid}/", f'{{"data": {{"{key}": {number}}}}}'
    )

    assert_error(response, 400, code)
    _assert_nothing_changed(world, before)


@pytest.mark.parametrize(
    ("key", "number", "stored"),
    [
        ("budget", "1e15", 1e15),
        ("budget", "-1e15", -1e15),
        ("headcount", str(2**63 - 1), 2**63 - 1),
    ],
)
def test_a_number_at_the_edge_of_its_range_is_accepted(
    world: World, key: str, number: str, stored: float
) -> None:
    response = _raw(
        world.client, "post", "/api/leads/", f'{{"name": "A", "data": {{"{key}": {number}}}}}'
    )

    assert response.status_code == 201, response.content
    assert response.json()["data"][key] == stored


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/stages/", '{"name": "S", "probability": 1e308}'),
        ("/api/stages/", '{"name": "S", "order": 1e400}'),
        (
            "/api/leads/{lead}/activities/",
            '{"type": "call", "duration_minutes": 1' + "0" * 30 + "}",
        ),
        ("/api/leads/{lead}/tasks/", '{"title": "T", "due_in_hours": 1e308}'),
    ],
)
def test_numbers_out_of_range_elsewhere_are_4xx_and_change_nothing(
    world: World, path: str, body: str
) -> None:
    before = stored_documents()

    response = _raw(world.admin_client, "post", _fill(world, path), body)

    assert response.status_code == 400, response.content
    assert set(response.json()) == {"error"}
    _assert_nothing_changed(world, before)


# --- nesting --------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [40, 5_000, 100_000])
def test_deep_nesting_is_400_and_changes_nothing(world: World, depth: int) -> None:
    before = stored_documents()
    body = '{"name": "A", "data": {"website": ' + "[" * depth + "]" * depth + "}}"

    response = _raw(world.client, "post", "/api/leads/", body)

    assert response.status_code == 400, response.content[:200]
    assert set(response.json()) == {"error"}
    _assert_nothing_changed(world, before)


# --- query parameters -----------------------------------------------------------------------

LIST_PARAMETERS = [
    "stage",
    "status",
    "assigned_to",
    "tag",
    "created_after",
    "created_before",
    "q",
    "email",
    "phone",
    "sort",
    "limit",
    "cursor",
    "data.website",
]
BOARD_PARAMETERS = ["per_column", "stage", "cursor", "assigned_to", "q", "status", "tag"]


def _query(client: APIClient, path: str, query: str) -> Any:
    return client.get(f"{path}?{query}")


@pytest.mark.parametrize(
    ("path", "name"),
    [("/api/leads/", name) for name in LIST_PARAMETERS]
    + [("/api/leads/kanban/", name) for name in BOARD_PARAMETERS]
    + [("/api/users/", "include_inactive"), ("/api/leads/{lead}/activities/", "type")],
)
def test_a_nul_in_a_query_parameter_is_400_naming_it(world: World, path: str, name: str) -> None:
    response = _query(world.client, _fill(world, path), f"{name}=a%00b")

    error = assert_error(response, 400, "invalid", name)
    assert "NUL" in error["fields"][name][0]


def test_a_nul_in_a_query_parameter_name_is_400(world: World) -> None:
    assert_error(_query(world.client, "/api/leads/", "q%00=a"), 400, "invalid", "query")


@pytest.mark.parametrize("path", ["/api/leads/", "/api/leads/kanban/"])
def test_a_search_for_regex_characters_is_literal_and_works(world: World, path: str) -> None:
    response = _query(world.client, path, "q=a.*(%5B")

    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("method", "path", "body", "field_name", "words"),
    [
        ("post", "/api/leads/", {"name": ""}, "name", "cannot be empty"),
        (
            "post",
            "/api/leads/",
            {"name": "A", "tags": ["x" * 41]},
            "tags.0",
            "at most 40 characters",
        ),
        ("post", "/api/leads/", {"name": 7}, "name", "must be text"),
        ("post", "/api/leads/", {}, "name", "is required"),
        ("patch", "/api/leads/{lead}/", {"status": "asleep"}, "status", "must be 'open'"),
    ],
)
def test_a_refused_value_is_explained_in_words_not_in_the_validator_s(
    world: World, method: str, path: str, body: dict[str, Any], field_name: str, words: str
) -> None:
    before = stored_documents()

    response = getattr(world.client, method)(path.format(lead=world.lead.uid), body, format="json")

    error = assert_error(response, 400, "invalid", field_name)
    said = " ".join(error["fields"][field_name])
    assert words in said, said
    assert "should" not in said, said
    assert stored_documents() == before
