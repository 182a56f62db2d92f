"""Access control: every route × every role has an expected status.

The rows live in ``tests/access_rows/<area>.py``. A route that is in no row fails
``test_every_route_is_in_the_matrix``: add its row when you add the route. Roles follow
../shared/guide/security.md: anonymous, client A, client B, client A's own therapist, another
therapist, an author, an admin, and another organisation's admin.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import tests.access_rows
from ehealth.database import connected
from ehealth.models import Goal, GoalStep, Strength
from tests.access_rows import ROLES
from tests.conftest import World, csrf_token, login

Row = tuple[str, Any, dict[str, int]]
# A rows module may define ``placeholders(world) -> dict``: more values for its own rows' paths
# (objects of its area, such as a module draft), created only for the routes of that module,
# inside an app context.
PlaceholderHook = Callable[[World], dict[str, Any]]


def _collect() -> tuple[dict[tuple[str, str], Row], dict[tuple[str, str], PlaceholderHook]]:
    rows: dict[tuple[str, str], Row] = {}
    hooks: dict[tuple[str, str], PlaceholderHook] = {}
    for info in pkgutil.iter_modules(tests.access_rows.__path__):
        module = importlib.import_module(f"tests.access_rows.{info.name}")
        for key, row in module.ROWS.items():
            assert key not in rows, f"{key} has two rows"
            rows[key] = row
            if callable(getattr(module, "placeholders", None)):
                hooks[key] = module.placeholders
    return rows, hooks


MATRIX, PLACEHOLDER_HOOKS = _collect()


def placeholders(world: World) -> dict[str, Any]:
    """Values for the ``{…}`` placeholders that rows may use in their paths.

    Client A gets a goal with a step and a strength of their own, for the rows about them.
    """
    client_b = world.people["client_b"]
    assert client_b is not None
    with connected():
        goal_a = Goal.create(client=world.client_a, text="Weer fietsen")
        goal_step_a = GoalStep.create(goal=goal_a, text="Banden oppompen")
        strength_a = Strength.create(client=world.client_a, kind="qualities", text="geduldig")
    return {
        "assignment_a": world.assignment_a.id,
        "assignment_b": world.assignment_b.id,
        "client_a": world.client_a.id,
        "client_b": client_b.id,
        "goal_a": goal_a.id,
        "goal_step_a": goal_step_a.id,
        "strength_a": strength_a.id,
        "module_id": "voorbeeld",
    }


def _client_as(app: Flask, world: World, role: str) -> FlaskClient:
    test_client = app.test_client()
    test_client.environ_base["HTTP_REFERER"] = "https://localhost/"
    # Each person from their own address, as in life: the per-address rate limits (which the
    # matrix's dozen roles would otherwise share) count each of them on their own.
    test_client.environ_base["REMOTE_ADDR"] = f"10.0.0.{ROLES.index(role) + 1}"
    user = world.people[role]
    if user is not None:
        login(test_client, user)
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
    app: Flask, world: World, route: tuple[str, str]
) -> None:
    method, _ = route
    path_template, body, expected = MATRIX[route]
    assert set(expected) == set(ROLES), route
    values = placeholders(world)
    if route in PLACEHOLDER_HOOKS:
        with app.app_context():  # a hook may need the app's configuration (INSTANCE_DIR)
            values.update(PLACEHOLDER_HOOKS[route](world))
    path = path_template.format(**values)
    for role in ROLES:
        test_client = _client_as(app, world, role)
        send: Callable[..., Any] = getattr(test_client, method.lower())
        kwargs: dict[str, Any] = {}
        if isinstance(body, dict):
            kwargs["data"] = {**body, "csrf_token": csrf_token(test_client)}
        elif isinstance(body, tuple):
            kwargs["json"] = body[1]
            kwargs["headers"] = {"X-CSRFToken": csrf_token(test_client)}
        with send(path, **kwargs) as response:
            assert response.status_code == expected[role], (role, method, path)
