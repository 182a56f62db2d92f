"""The OpenAPI document: valid OpenAPI 3, listing every /api/v1 route with its shapes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.helpers import API, ApiClient

PATH_ARGUMENT = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    result: dict[str, Any] = response.get_json()
    return result


def _schema(document: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
    name = reference["$ref"].rsplit("/", 1)[-1]
    result: dict[str, Any] = document["components"]["schemas"][name]
    return result


def test_the_document_is_valid_openapi_3(document: dict[str, Any]) -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(document)


def test_the_document_has_the_shape_of_openapi_3(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"]
    assert document["info"]["version"]
    assert set(document["components"]["securitySchemes"]) == {"session", "csrf"}
    for path, operations in document["paths"].items():
        assert path.startswith("/api/v1/")
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation["summary"], (method, path)
            assert "200" in operation["responses"], (method, path)
            for response in operation["responses"].values():
                schema = response["content"]["application/json"]["schema"]
                assert schema["$ref"].startswith("#/components/schemas/")
                _schema(document, schema)


def test_the_document_lists_every_api_route(app: Flask, document: dict[str, Any]) -> None:
    routes = {
        (method.lower(), PATH_ARGUMENT.sub(r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules() if rule.rule.startswith(f"{API}/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    documented = {
        (method, path)
        for path, operations in document["paths"].items()
        for method in operations if method != "parameters"
    }
    assert routes == documented
    assert len(routes) == 11


def test_the_save_documents_its_body_header_and_errors(document: dict[str, Any]) -> None:
    save = document["paths"][f"{API}/assignments/{{assignment_id}}/answers/{{step_id}}"]["put"]
    assert set(save["responses"]) == {"200", "400", "401", "403", "404", "409", "415", "422",
                                      "500"}
    body = _schema(document, save["requestBody"]["content"]["application/json"]["schema"])
    assert set(body["required"]) == {"value", "revision"}
    assert body["properties"]["revision"]["minimum"] == 0
    header = next(p for p in save["parameters"] if p["in"] == "header")
    assert header["name"] == "Idempotency-Key"
    assert header["schema"]["maxLength"] == 64
    assert save["security"] == [{"session": [], "csrf": []}]
    conflict = _schema(document, save["responses"]["409"]["content"]["application/json"]
                       ["schema"])
    assert "current" in conflict["properties"]
    parameters = document["paths"][f"{API}/assignments/{{assignment_id}}/answers/{{step_id}}"][
        "parameters"]
    assert {(p["name"], p["schema"]["type"]) for p in parameters} == {
        ("assignment_id", "integer"), ("step_id", "string")}


def test_responses_carry_the_documented_fields(api: ApiClient, document: dict[str, Any]
                                               ) -> None:
    schemas = document["components"]["schemas"]
    saved = api.put_answer("cijfer", {"value": 3}).get_json()
    assert set(saved) == set(schemas["Answer"]["properties"])
    progress = api.progress()
    assert set(progress) == set(schemas["Progress"]["properties"])
    detail = api.get(api.url()).get_json()
    assert set(detail) == set(schemas["AssignmentDetail"]["properties"])
    assert set(detail["module"]) == set(schemas["ModuleContent"]["properties"])
    assert set(detail["resume"]) == set(schemas["Resume"]["properties"])
    listed = api.get(f"{API}/assignments").get_json()["assignments"][0]
    assert set(listed) == set(schemas["AssignmentSummary"]["properties"])
    stale = api.put_answer("cijfer", {"value": 3}).get_json()
    assert set(stale) <= set(schemas["Conflict"]["properties"])
