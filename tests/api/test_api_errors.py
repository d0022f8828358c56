"""What the API answers to bad requests, unknown things, and its health, schema and docs."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver
from pydantic import ValidationError as PydanticValidationError
from pytest_django.fixtures import Settings
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from leads.api import errors as api_errors
from leads.api import urls as api_urls
from leads.api.errors import exception_handler
from leads.domain.enums import UserRole
from leads.domain.errors import ValidationFailed
from leads.domain.inputs import LeadCreate
from leads.store import connection
from tests.builders import (
    admin_client,
    assert_error,
    client_for,
    make_lead,
    make_pipeline,
    make_user,
    stored_documents,
)

# Every path of DESIGN.md section 4, in the OpenAPI spelling.
DESIGN_PATHS = [
    "/api/auth/login/",
    "/api/auth/me/",
    "/api/leads/",
    "/api/leads/{uid}/",
    "/api/leads/{uid}/transition/",
    "/api/leads/{uid}/assign/",
    "/api/leads/{uid}/tasks/",
    "/api/leads/{uid}/tasks/{task_uid}/complete/",
    "/api/leads/{uid}/activities/",
    "/api/leads/kanban/",
    "/api/leads/kanban/move/",
    "/api/stages/",
    "/api/stages/{uid}/",
    "/api/stages/reorder/",
    "/api/config/",
]
# The schema does not describe itself (SERVE_INCLUDE_SCHEMA) nor the page that renders it.
NOT_IN_SCHEMA = {"/api/schema/", "/api/docs/"}


def member_client() -> APIClient:
    make_pipeline()
    return client_for(make_user(UserRole.MEMBER))


def post_raw(client: APIClient, path: str, raw: bytes | str) -> Any:
    return client.post(path, raw, content_type="application/json")


def lead_count() -> int:
    return connection.leads().count_documents({"type": "lead"})


def routed_paths() -> set[str]:
    """The paths leads/api/urls.py serves, in the OpenAPI spelling (`{uid}`)."""
    paths = set()
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern | URLResolver)
        route = str(pattern.pattern)
        if route.startswith("^"):  # the catch-all for unknown paths
            continue
        for converter in ("<str:", "<slug:", "<int:", "<"):
            route = route.replace(converter, "{")
        paths.add("/api/" + route.replace(">", "}"))
    return paths


# --- bodies ---------------------------------------------------------------------------------


def test_malformed_json_is_400() -> None:
    client = member_client()

    response = post_raw(client, "/api/leads/", b'{"name": "Acme",')

    error = assert_error(response, 400, "parse_error")
    assert "JSON" in error["message"]
    assert lead_count() == 0


def test_a_json_array_body_is_400_naming_the_body() -> None:
    client = member_client()

    response = post_raw(client, "/api/leads/", b'[{"name": "Acme"}]')

    assert_error(response, 400, "invalid", "body")
    assert lead_count() == 0


def test_an_empty_body_is_400_naming_what_is_required() -> None:
    client = member_client()

    assert_error(post_raw(client, "/api/leads/", b""), 400, "invalid", "name")
    assert lead_count() == 0


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_a_non_finite_number_literal_is_400(literal: str) -> None:
    client = member_client()

    response = post_raw(
        client, "/api/leads/", f'{{"name": "Acme", "data": {{"budget": {literal}}}}}'
    )

    assert_error(response, 400, "parse_error")
    assert lead_count() == 0


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"name": "Acme", "$where": "1"}, "$where"),
        ({"name": "Acme", "data": {"$gt": ""}}, "data.$gt"),
        ({"name": "Acme", "data": {"budget.amount": 1}}, "data.budget.amount"),
        ({"name": "Acme", "tags": ["a"], "data": {"industry": {"$ne": None}}}, "data.industry.$ne"),
    ],
)
def test_operator_or_dotted_keys_in_a_lead_are_400_naming_the_path(
    body: dict[str, Any], path: str
) -> None:
    client = member_client()

    response = client.post("/api/leads/", body, format="json")

    assert_error(response, 400, "invalid", path)
    assert lead_count() == 0


def test_an_operator_key_inside_a_list_of_task_templates_is_400_naming_the_path() -> None:
    client = admin_client()
    before = stored_documents()

    response = client.post(
        "/api/stages/",
        {"name": "Demo", "task_templates": [{"title": "Ok"}, {"title": "Bad", "$set": {"x": 1}}]},
        format="json",
    )

    assert_error(response, 400, "invalid", "task_templates.1.$set")
    assert stored_documents() == before


def test_an_operator_key_in_a_lead_update_changes_nothing() -> None:
    make_pipeline()
    member = make_user()
    lead = make_lead(member, company="Acme")
    before = stored_documents()

    response = client_for(member).patch(
        f"/api/leads/{lead.uid}/", {"company": "Evil", "data": {"a.b": 1}}, format="json"
    )

    assert_error(response, 400, "invalid", "data.a.b")
    assert stored_documents() == before


def test_a_body_larger_than_the_limit_is_413(settings: Settings) -> None:
    client = member_client()
    settings.MAX_BODY_BYTES = 200

    response = client.post("/api/leads/", {"name": "A" * 300}, format="json")

    assert_error(response, 413, "payload_too_large")
    assert lead_count() == 0


def test_a_body_within_the_limit_is_accepted(settings: Settings) -> None:
    client = member_client()
    settings.MAX_BODY_BYTES = 200

    response = client.post("/api/leads/", {"name": "A" * 100}, format="json")

    assert response.status_code == 201


def test_a_form_encoded_body_is_415() -> None:
    client = member_client()

    response = client.post(
        "/api/leads/", "name=Acme", content_type="application/x-www-form-urlencoded"
    )

    assert_error(response, 415, "unsupported_media_type")
    assert lead_count() == 0


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/stages/", {"name": "Huge", "order": 10**30}),
        ("/api/stages/", {"name": "Huge", "task_templates": [{"title": "T", "order": 10**30}]}),
    ],
    ids=["stage-order", "task-template-order"],
)
def test_a_number_too_large_to_store_is_400_not_500(path: str, body: dict[str, Any]) -> None:
    # "Bad input never yields a 500" (DESIGN section 4): MongoDB holds 64-bit integers at most.
    client = admin_client()
    before = stored_documents()

    response = client.post(path, body, format="json")

    assert response.status_code == 400, response.content
    assert_error(response, 400, "invalid")
    assert stored_documents() == before


def test_a_config_field_order_too_large_to_store_is_400_not_500() -> None:
    make_pipeline()
    client = admin_client()
    variables = client.get("/api/config/").json()["variables"]
    variables[0]["order"] = 10**30
    before = stored_documents()

    response = client.patch("/api/config/", {"variables": variables}, format="json")

    assert_error(response, 400, "invalid")
    assert stored_documents() == before


# --- unknown things -------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_an_unknown_api_path_is_a_json_404(method: str) -> None:
    response = getattr(APIClient(), method)("/api/no-such-thing/")

    error = assert_error(response, 404, "not_found")
    assert "/api/no-such-thing/" in error["message"]


def test_an_unknown_lead_uid_is_404() -> None:
    client = member_client()

    response = client.get("/api/leads/LEAD-202601-99999/")

    assert_error(response, 404, "lead_not_found")


def test_a_method_an_endpoint_does_not_have_is_405_in_the_error_shape() -> None:
    client = admin_client()

    assert_error(client.put("/api/config/", {}, format="json"), 405, "method_not_allowed")


# --- health, schema and docs ----------------------------------------------------------------


def test_healthz_reports_the_database_reachable() -> None:
    response = APIClient().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "reachable"}


def test_the_schema_lists_every_design_endpoint_that_is_routed() -> None:
    routed = routed_paths()
    expected = [path for path in DESIGN_PATHS if path in routed]
    assert {"/api/leads/", "/api/stages/reorder/", "/api/config/"} <= set(expected)

    response = APIClient().get("/api/schema/?format=json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    missing = [path for path in expected if path not in schema["paths"]]
    assert missing == []


def test_the_schema_lists_every_routed_api_path() -> None:
    response = APIClient().get("/api/schema/?format=json")

    documented = set(json.loads(response.content)["paths"])
    assert sorted(routed_paths() - NOT_IN_SCHEMA - documented) == []


def test_the_schema_says_every_api_operation_may_answer_503_database_unavailable() -> None:
    schema = json.loads(APIClient().get("/api/schema/?format=json").content)

    undocumented = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if path.startswith("/api/") and "503" not in operation["responses"]
    ]
    assert undocumented == []
    assert schema["paths"]["/api/leads/"]["get"]["responses"]["503"]["content"] == {
        "application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}
    }


def test_the_schema_documents_the_request_body_from_the_input_model() -> None:
    response = APIClient().get("/api/schema/?format=json")

    schema = json.loads(response.content)
    body = schema["paths"]["/api/stages/"]["post"]["requestBody"]["content"]["application/json"]
    reference = body["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "name" in schema["components"]["schemas"][reference]["properties"]
    assert "/api/{rest}" not in schema["paths"]


def test_the_docs_page_uses_local_static_assets_only() -> None:
    response = APIClient().get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn.jsdelivr" not in page and "unpkg" not in page


def test_the_docs_page_has_no_inline_script_or_style_so_the_csp_allows_it() -> None:
    client = APIClient()

    page = client.get("/api/docs/").content.decode()
    script = client.get("/api/docs/?script=")

    assert "<style" not in page and " style=" not in page
    assert re.findall(r"<script[^>]*>\s*[^<\s]", page) == []  # every script is a src, none inline
    assert '<script src="/api/docs/?script="></script>' in page
    assert client.get("/static/leads/swagger_page.css").status_code == 200
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


def test_the_docs_assets_are_served() -> None:
    client = APIClient()

    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        response = client.get(f"/static/drf_spectacular_sidecar/swagger-ui-dist/{asset}")
        assert response.status_code == 200, asset


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("post", "/api/docs/", 405),
        ("delete", "/api/schema/", 405),
        ("get", "/api/", 404),
        ("put", "/api/leads/", 405),
        ("patch", "/api/auth/login/", 405),
    ],
)
def test_django_and_library_answers_under_api_come_in_the_error_shape(
    method: str, path: str, status: int
) -> None:
    response = getattr(admin_client(), method)(path)

    assert response["Content-Type"] == "application/json"
    assert_error(response, status, {404: "not_found", 405: "method_not_allowed"}[status])


def test_an_error_quoting_a_lone_surrogate_still_renders_as_json() -> None:
    # Messages may quote what the client sent; UTF-8 cannot carry a lone surrogate.
    error = ValidationFailed.on("data.\ud800", "unknown option '\ud800'")

    response = exception_handler(error, {})
    assert response is not None
    rendered = JSONRenderer().render(response.data)

    body = json.loads(rendered)
    assert response.status_code == 400
    assert body["error"]["fields"] == {"data.\\ud800": ["unknown option '\\ud800'"]}


def test_the_error_handler_answers_a_json_500_even_when_it_fails_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise TypeError("a bug in the handler")

    monkeypatch.setattr(api_errors, "pydantic_fields", broken)
    with pytest.raises(PydanticValidationError) as caught:
        LeadCreate.model_validate({})

    response = exception_handler(caught.value, {})

    assert response is not None
    assert response.status_code == 500
    assert response.data["error"]["code"] == "server_error"
