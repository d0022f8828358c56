"""/api/config/: the one workflow config, its custom fields and the locked workflow."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from leads.domain.enums import UserRole
from tests.builders import (
    admin_client,
    assert_error,
    client_for,
    make_pipeline,
    make_stage,
    make_user,
)

BUDGET = {"field_key": "budget", "label": "Budget", "field_type": "currency", "min": 0}
INDUSTRY = {
    "field_key": "industry",
    "label": "Industry",
    "field_type": "select",
    "options": [{"value": "saas", "label": "SaaS"}, {"value": "retail", "label": "Retail"}],
}
SEATS = {"field_key": "seats", "label": "Seats", "field_type": "integer"}


def field_keys(config: dict[str, Any]) -> list[str]:
    return [definition["field_key"] for definition in config["variables"]]


def test_get_returns_the_config_with_its_version_as_etag() -> None:
    stages = make_pipeline()

    response = client_for(make_user(UserRole.VIEWER)).get("/api/config/")

    assert response.status_code == 200
    body = response.json()
    assert body["uid"] == "default"
    assert field_keys(body) == ["budget", "industry"]
    assert body["initial_stage"] == stages["new"].uid
    assert body["value_field"] == "budget"
    assert body["locked"] is False
    assert response["ETag"] == f'"{body["version"]}"'


def test_patching_the_variables_replaces_them_and_bumps_the_version() -> None:
    make_pipeline()
    admin = admin_client()
    before = admin.get("/api/config/").json()

    response = admin.patch("/api/config/", {"variables": [BUDGET, INDUSTRY, SEATS]}, format="json")

    assert response.status_code == 200
    assert field_keys(response.json()) == ["budget", "industry", "seats"]
    assert response.json()["variables"][2]["input_type"] == "number"
    assert response.json()["version"] == before["version"] + 1
    assert field_keys(admin.get("/api/config/").json()) == ["budget", "industry", "seats"]


def test_a_duplicate_field_key_is_400_naming_variables() -> None:
    make_pipeline()
    admin = admin_client()

    response = admin.patch(
        "/api/config/",
        {"variables": [BUDGET, INDUSTRY, {**SEATS, "field_key": "budget"}]},
        format="json",
    )

    error = assert_error(response, 400, "invalid", "variables")
    assert "budget" in error["message"]
    assert field_keys(admin.get("/api/config/").json()) == ["budget", "industry"]


def test_a_select_field_without_options_is_400_naming_it() -> None:
    make_pipeline()
    admin = admin_client()

    response = admin.patch(
        "/api/config/", {"variables": [BUDGET, {**INDUSTRY, "options": []}]}, format="json"
    )

    error = assert_error(response, 400, "invalid", "variables.1")
    assert "option" in error["fields"]["variables.1"][0]


def test_an_input_type_that_does_not_fit_the_field_type_is_400_naming_it() -> None:
    make_pipeline()

    response = admin_client().patch(
        "/api/config/",
        {"variables": [BUDGET, INDUSTRY, {**SEATS, "input_type": "checkbox"}]},
        format="json",
    )

    error = assert_error(response, 400, "invalid", "variables.2")
    assert "input_type" in error["fields"]["variables.2"][0]


def test_a_bad_field_key_is_400_naming_it() -> None:
    make_pipeline()

    response = admin_client().patch(
        "/api/config/",
        {"variables": [BUDGET, INDUSTRY, {**SEATS, "field_key": "Seats!"}]},
        format="json",
    )

    assert_error(response, 400, "invalid", "variables.2.field_key")


def test_the_value_field_must_be_a_number_field() -> None:
    make_pipeline()
    admin = admin_client()

    response = admin.patch("/api/config/", {"value_field": "industry"}, format="json")

    assert_error(response, 400, "invalid", "value_field")
    assert admin.get("/api/config/").json()["value_field"] == "budget"


def test_the_value_field_must_name_an_existing_field() -> None:
    make_pipeline()

    response = admin_client().patch("/api/config/", {"value_field": "revenue"}, format="json")

    assert_error(response, 400, "invalid", "value_field")


def test_an_integer_field_can_be_the_value_field() -> None:
    make_pipeline()
    admin = admin_client()

    response = admin.patch(
        "/api/config/",
        {"variables": [BUDGET, INDUSTRY, SEATS], "value_field": "seats"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["value_field"] == "seats"


def test_the_initial_stage_must_be_an_open_stage() -> None:
    stages = make_pipeline()
    admin = admin_client()

    response = admin.patch("/api/config/", {"initial_stage": stages["won"].uid}, format="json")

    assert_error(response, 400, "invalid", "initial_stage")
    assert admin.get("/api/config/").json()["initial_stage"] == stages["new"].uid


def test_an_unknown_initial_stage_is_400() -> None:
    make_pipeline()

    response = admin_client().patch("/api/config/", {"initial_stage": "stage-nope"}, format="json")

    assert_error(response, 400, "invalid", "initial_stage")


def test_another_open_stage_can_become_the_initial_stage() -> None:
    stages = make_pipeline()

    response = admin_client().patch(
        "/api/config/", {"initial_stage": stages["contacted"].uid}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["initial_stage"] == stages["contacted"].uid


def test_an_unknown_config_key_is_400_naming_it() -> None:
    make_pipeline()

    response = admin_client().patch("/api/config/", {"colour": "blue"}, format="json")

    assert_error(response, 400, "invalid", "colour")


# --- locked ---------------------------------------------------------------------------------


def locked_admin() -> APIClient:
    make_pipeline()
    admin = admin_client()
    assert admin.patch("/api/config/", {"locked": True}, format="json").status_code == 200
    return admin


def test_a_field_can_be_added_to_a_locked_workflow() -> None:
    admin = locked_admin()

    response = admin.patch("/api/config/", {"variables": [BUDGET, INDUSTRY, SEATS]}, format="json")

    assert response.status_code == 200
    assert field_keys(response.json()) == ["budget", "industry", "seats"]
    assert response.json()["locked"] is True


def test_removing_a_field_from_a_locked_workflow_is_409() -> None:
    admin = locked_admin()

    response = admin.patch("/api/config/", {"variables": [BUDGET]}, format="json")

    error = assert_error(response, 409, "config_locked", "variables")
    assert "locked" in error["message"] and "industry" in error["message"]
    assert field_keys(admin.get("/api/config/").json()) == ["budget", "industry"]


def test_changing_a_fields_type_in_a_locked_workflow_is_409() -> None:
    admin = locked_admin()

    response = admin.patch(
        "/api/config/",
        {"variables": [{**BUDGET, "field_type": "decimal"}, INDUSTRY]},
        format="json",
    )

    error = assert_error(response, 409, "config_locked", "variables")
    assert "locked" in error["message"] and "budget" in error["message"]
    assert admin.get("/api/config/").json()["variables"][0]["field_type"] == "currency"


def test_a_locked_workflow_cannot_be_unlocked() -> None:
    admin = locked_admin()

    response = admin.patch("/api/config/", {"locked": False}, format="json")

    assert_error(response, 409, "config_locked", "locked")
    assert admin.get("/api/config/").json()["locked"] is True


def test_a_locked_workflow_still_takes_a_new_label_for_a_field() -> None:
    admin = locked_admin()

    response = admin.patch(
        "/api/config/", {"variables": [{**BUDGET, "label": "Deal size"}, INDUSTRY]}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["variables"][0]["label"] == "Deal size"


# --- versions -------------------------------------------------------------------------------


def test_a_stale_version_in_the_body_is_409_and_nothing_changes() -> None:
    make_pipeline()
    admin = admin_client()
    read = admin.get("/api/config/").json()
    admin.patch("/api/config/", {"workflow_name": "First"}, format="json")

    response = admin.patch(
        "/api/config/", {"workflow_name": "Second", "version": read["version"]}, format="json"
    )

    assert_error(response, 409, "version_conflict")
    assert admin.get("/api/config/").json()["workflow_name"] == "First"


def test_a_stale_if_match_is_409_and_nothing_changes() -> None:
    make_pipeline()
    admin = admin_client()
    etag = admin.get("/api/config/")["ETag"]
    admin.patch("/api/config/", {"workflow_name": "First"}, format="json")

    response = admin.patch(
        "/api/config/", {"variables": [BUDGET]}, format="json", HTTP_IF_MATCH=etag
    )

    assert_error(response, 409, "version_conflict")
    after = admin.get("/api/config/").json()
    assert after["workflow_name"] == "First" and field_keys(after) == ["budget", "industry"]


def test_the_current_if_match_is_accepted() -> None:
    make_pipeline()
    admin = admin_client()
    etag = admin.get("/api/config/")["ETag"]

    response = admin.patch(
        "/api/config/", {"workflow_name": "Renamed"}, format="json", HTTP_IF_MATCH=etag
    )

    assert response.status_code == 200
    assert response["ETag"] != etag


def test_an_if_match_that_is_not_a_version_is_400() -> None:
    make_pipeline()

    response = admin_client().patch(
        "/api/config/", {"workflow_name": "X"}, format="json", HTTP_IF_MATCH='"abc"'
    )

    assert_error(response, 400, "invalid", "If-Match")


# --- fields and stages ----------------------------------------------------------------------


def test_removing_a_field_drops_it_from_the_stages_that_required_it() -> None:
    stages = make_pipeline()
    proposal = make_stage("Proposal", required_fields=["budget", "industry"])
    admin = admin_client()

    response = admin.patch(
        "/api/config/", {"variables": [INDUSTRY], "value_field": None}, format="json"
    )

    assert response.status_code == 200
    assert admin.get(f"/api/stages/{proposal.uid}/").json()["required_fields"] == ["industry"]
    assert admin.get(f"/api/stages/{stages['new'].uid}/").json()["required_fields"] == []


def test_removing_the_value_field_without_clearing_it_is_400() -> None:
    make_pipeline()
    admin = admin_client()

    response = admin.patch("/api/config/", {"variables": [INDUSTRY]}, format="json")

    assert_error(response, 400, "invalid", "value_field")
    assert field_keys(admin.get("/api/config/").json()) == ["budget", "industry"]
