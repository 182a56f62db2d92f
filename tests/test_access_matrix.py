"""Access control: every route × every role has an expected status.

A route that is not in MATRIX fails ``test_every_route_is_in_the_matrix``; add its row when you
add the route. Roles follow ../shared/guide/security.md: anonymous, client A, client B, the
client's own therapist, another therapist, an author, an admin, and another organisation's admin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import Assignment, ModuleVersion, Organisation, Role, User
from tests.conftest import csrf_token

ROLES = (
    "anonymous", "client_a", "client_b", "own_therapist", "other_therapist", "author", "admin",
    "other_admin",
)


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


# (method, rule) -> (concrete path, form data or None, expected status per role)
MATRIX: dict[tuple[str, str], tuple[str, dict[str, str] | None, dict[str, int]]] = {
    ("GET", "/"): ("/", None, everyone(200)),
    ("GET", "/modules/<module_id>"): ("/modules/voorbeeld", None, everyone(200)),
    ("POST", "/language"): ("/language", {"language": "en", "next": "/"}, everyone(303)),
    ("GET", "/media/<path:filename>"): ("/media/voorbeeld/cover.svg", None, everyone(200)),
    ("GET", "/static/<path:filename>"): ("/static/css/app.css", None, everyone(200)),
    ("GET", "/healthz"): ("/healthz", None, everyone(200)),
}


@pytest.fixture
def people(app: Flask) -> dict[str, User | None]:
    with connected():
        home = Organisation.create(name="Zorg Oost", slug="zorg-oost")
        other = Organisation.create(name="Zorg West", slug="zorg-west")

        def person(email: str, role: str, org: Organisation = home) -> User:
            return User.create(organisation=org, email=email, role=role)

        result: dict[str, User | None] = {
            "anonymous": None,
            "client_a": person("a@oost.example", Role.CLIENT),
            "client_b": person("b@oost.example", Role.CLIENT),
            "own_therapist": person("t1@oost.example", Role.THERAPIST),
            "other_therapist": person("t2@oost.example", Role.THERAPIST),
            "author": person("author@oost.example", Role.AUTHOR),
            "admin": person("admin@oost.example", Role.ADMIN),
            "other_admin": person("admin@west.example", Role.ADMIN, other),
        }
        version = ModuleVersion.get(ModuleVersion.module_id == "voorbeeld")
        Assignment.create(client=result["client_a"], therapist=result["own_therapist"],
                          module_version=version)
        Assignment.create(client=result["client_b"], therapist=result["other_therapist"],
                          module_version=version)
    return result


def _client_as(app: Flask, user: User | None) -> FlaskClient:
    test_client = app.test_client()
    test_client.environ_base["HTTP_REFERER"] = "https://localhost/"
    if user is not None:
        with test_client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
    return test_client


def test_every_route_is_in_the_matrix(app: Flask) -> None:
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    missing = routes - set(MATRIX)
    assert not missing, f"routes without a row in the access matrix: {sorted(missing)}"
    stale = set(MATRIX) - routes
    assert not stale, f"matrix rows for routes that no longer exist: {sorted(stale)}"


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_each_role_gets_the_expected_status(
    app: Flask, people: dict[str, User | None], route: tuple[str, str]
) -> None:
    method, _ = route
    path, form, expected = MATRIX[route]
    assert set(expected) == set(ROLES)
    for role in ROLES:
        test_client = _client_as(app, people[role])
        send: Callable[..., Any] = getattr(test_client, method.lower())
        kwargs: dict[str, Any] = {}
        if form is not None:
            kwargs["data"] = {**form, "csrf_token": csrf_token(test_client)}
        with send(path, **kwargs) as response:
            assert response.status_code == expected[role], (role, method, path)
