"""Helpers to fill in and walk through modules as a client would, without JavaScript."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient

from ehealth import create_app
from ehealth.content.loader import Module
from ehealth.content.steps import STEP_TYPES
from ehealth.database import connected
from ehealth.models import Assignment, ModuleVersion, Organisation, Role, User
from ehealth.services.modules import module_for_version
from tests.conftest import ROOT, login, make_config

STEP_URL = re.compile(r"/assignments/(\d+)/steps/([a-z0-9_-]+)$")


def sample_form(step: dict[str, Any]) -> dict[str, Any]:
    """Form fields of a valid, complete answer to ``step`` (empty for steps without answers)."""
    kind = step["type"]
    if kind == "reflection":
        form: dict[str, Any] = {f"q.{q['id']}": f"Mijn antwoord op {q['id']}"
                                for q in step["questions"]}
        return form
    if kind == "scale":
        value = min(step["max"], step["min"] + 6)
        fields: dict[str, Any] = {"value": str(value), "shown_value": str(value)}
        for follow_up in step["follow_ups"]:
            fields[f"f.{follow_up['id']}"] = f"Omdat {follow_up['id']}"
        return fields
    if kind == "choice":
        return {"selected": [step["options"][0]["id"]]}
    if kind == "strengths":
        picks = [f"{c['id']}/{s['id']}" for c in step["categories"] for s in c["suggestions"][:2]]
        limit = step["max_items"] or len(picks) + 1
        picks = picks[: max(0, limit - 1)]
        fields = {"pick": picks}
        if step["allow_own"]:
            fields[f"own.{step['categories'][0]['id']}.0"] = "Mijn eigen kracht"
        for key in picks:
            fields[f"follow.{key}"] = "Gisteren nog"
        return fields
    if kind == "questionnaire":
        top = max(point["value"] for point in step["scale"])
        return {f"r.{item['id']}": str(top) for item in step["items"]}
    if kind == "goal":
        fields = {"goal": "Weer elke week wandelen", "date": "2030-01-15"}
        if step["suggested_steps"]:
            fields["step"] = [f"s:{step['suggested_steps'][0]['id']}"]
            fields["first"] = f"s:{step['suggested_steps'][0]['id']}"
        elif step["allow_own_steps"]:
            fields["own-step.0"] = "Schoenen klaarzetten"
            fields["first"] = "o:0"
        if not step["ask_date"]:
            del fields["date"]
        return fields
    # Any other type answers with its own sample, as its player form would send it.
    step_type = STEP_TYPES[kind]
    answer = step_type.sample_answer(step) if step_type.answerable else None
    return dict(step_type.to_form(step, answer)) if answer is not None else {}


SHIPPED_MODULES = ["krachtbronnen", "ik-ben-ik-kan", "wat-gaat-er-goed", "mijn-mensen",
                   "aansluiten-bij-je-kracht"]


@dataclass
class ShippedSession:
    """A signed-in client with one shipped module assigned, in an app over the real library."""

    browser: FlaskClient
    assignment: Assignment
    module: Module


def client_on_shipped_module(database_url: str, module_id: str) -> ShippedSession:
    """Start the app over ``modules/`` and sign in a new client with ``module_id`` assigned."""
    app = create_app(make_config(database_url, MODULES_DIR=ROOT / "modules",
                                 MEDIA_DIR=ROOT / "media"))
    with connected():
        org = Organisation.create(name="Demo", slug="demo")
        client = User.create(organisation=org, email="c@example.org", role=Role.CLIENT)
        version = ModuleVersion.get(ModuleVersion.module_id == module_id)
        assignment = Assignment.create(client=client, module_version=version)
        module = module_for_version(version)
    browser = app.test_client()
    browser.environ_base["HTTP_REFERER"] = "https://localhost/"
    login(browser, client)
    return ShippedSession(browser, assignment, module)


def walk_with_forms(client: FlaskClient, assignment_id: int, module: Module,
                    csrf: str, limit: int = 200) -> list[str]:
    """Answer every step the client sees and press Next until the module is done.

    Returns the step ids visited, in order.
    """
    visited: list[str] = []
    response = client.get(f"/assignments/{assignment_id}")
    location = response.headers["Location"]
    for _ in range(limit):
        match = STEP_URL.search(location)
        if match is None:
            assert location.endswith(f"/assignments/{assignment_id}/done"), location
            return visited
        step_id = match.group(2)
        page = client.get(location)
        assert page.status_code == 200, (step_id, page.status_code)
        body = page.get_data(as_text=True)
        revision = re.search(r'name="revision" value="(\d+)"', body)
        visited.append(step_id)
        form = {"csrf_token": csrf, "action": "next", **sample_form(module.steps_by_id[step_id])}
        if revision:
            form["revision"] = revision.group(1)
        response = client.post(location, data=form)
        assert response.status_code == 302, (step_id, response.status_code,
                                             response.get_data(as_text=True)[:2000])
        location = response.headers["Location"]
    raise AssertionError("module did not end")
