"""Who reaches what: only the owner; others' assignments look like no assignment; errors are JSON.

The full route × role table is in tests/access_rows/api.py; these tests check the bodies too.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.helpers import API, ApiClient
from tests.conftest import World, login

READS = ["", "/progress", "/answers", "/answers/cijfer"]


def _signed_in(app: Flask, world: World, role: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = "https://localhost/"
    user = world.people[role]
    if user is not None:
        login(client, user)
    return client


@pytest.mark.parametrize("suffix", READS)
def test_another_clients_assignment_looks_like_none_at_all(api: ApiClient, world: World,
                                                           suffix: str) -> None:
    theirs = api.get(api.url(suffix, world.assignment_b.id))
    missing = api.get(api.url(suffix, 999_999))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.get_json() == missing.get_json()


def test_saving_into_another_clients_assignment_is_not_found_and_changes_nothing(
    api: ApiClient, app: Flask, world: World
) -> None:
    response = api.put_answer("cijfer", {"value": 3}, assignment_id=world.assignment_b.id)
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"
    owner = ApiClient(_signed_in(app, world, "client_b"), world.assignment_b.id)
    assert owner.answer("cijfer")["revision"] == 0


@pytest.mark.parametrize("role", ["own_therapist", "other_therapist", "author", "admin",
                                  "other_admin"])
def test_staff_get_403_json_on_client_endpoints(app: Flask, world: World, role: str) -> None:
    client = _signed_in(app, world, role)
    for suffix in READS:
        response = client.get(f"{API}/assignments/{world.assignment_a.id}{suffix}")
        assert response.status_code == 403
        assert response.get_json()["error"] == "forbidden"
    assert client.get(f"{API}/assignments").status_code == 403


def test_visitors_get_401_json(client: FlaskClient, world: World) -> None:
    for path in [f"{API}/assignments", f"{API}/csrf-token",
                 *(f"{API}/assignments/{world.assignment_a.id}{s}" for s in READS)]:
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.is_json
        assert response.get_json()["error"] == "unauthorized"


def test_an_unknown_api_path_is_json_404_while_pages_keep_html(client: FlaskClient) -> None:
    api_response = client.get(f"{API}/nothing-here")
    assert api_response.status_code == 404
    assert api_response.get_json()["error"] == "not_found"
    page = client.get("/nothing-here")
    assert page.status_code == 404
    assert page.mimetype == "text/html"


def test_a_wrong_method_is_json_405_with_allow(api: ApiClient) -> None:
    response = api.client.delete(api.url("/answers/cijfer"),
                                 headers={"X-CSRFToken": api.token()})
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"
    assert "PUT" in response.headers["Allow"]


def test_an_unexpected_error_is_json_500_with_a_reference_and_no_trace(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("internal detail that must not leak")

    monkeypatch.setattr("ehealth.api.routes.state_of", broken)
    response = api.get(api.url())
    assert response.status_code == 500
    body = response.get_json()
    assert body["error"] == "internal_error"
    assert len(body["reference"]) == 12
    text = response.get_data(as_text=True)
    assert "internal detail" not in text
    assert "Traceback" not in text


def test_the_csrf_token_endpoint_serves_any_signed_in_person(app: Flask, world: World) -> None:
    for role in ("client_a", "own_therapist", "admin"):
        response = _signed_in(app, world, role).get(f"{API}/csrf-token")
        assert response.status_code == 200
        assert response.get_json()["csrf_token"]
