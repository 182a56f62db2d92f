"""An invalid answer of each step type is refused with 422, naming the wrong field by its path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from ehealth import create_app
from tests.api.helpers import ApiClient
from tests.conftest import login, make_config, make_world
from tests.content.conftest import copy_module


def _field(errors: dict[str, Any], path: str) -> Any:
    """``errors`` at a dotted path such as ``items.0.category``."""
    found: Any = errors
    for part in path.split("."):
        assert isinstance(found, dict), (path, errors)
        assert part in found, (path, errors)
        found = found[part]
    return found


@pytest.mark.parametrize(("step_id", "value", "path"), [
    ("cijfer", {"value": 11}, "value"),
    ("cijfer", {"value": "7"}, "value"),
    ("cijfer", {"value": 5, "follow_ups": {"onbekend": "?"}}, "follow_ups.onbekend"),
    ("hulp", {"selected": ["misschien"]}, "selected.0"),
    ("hulp", {"selected": ["ja", "nee"]}, "selected"),
    ("krachten", {"items": [{"category": "ik-kan", "suggestion": "humor"}]}, "items.0.category"),
    ("krachten", {"items": [{"category": "ik-ben", "suggestion": "geduld"}]},
     "items.0.suggestion"),
    ("tevredenheid", {"responses": {"steun": 9}}, "responses.steun"),
    ("tevredenheid", {"responses": {"onbekend": 1}}, "responses.onbekend"),
    ("doel", {"goal": "Buiten zijn", "steps": [{"suggestion": "bellen"}], "first_step": 3},
     "first_step"),
    ("doel", {"goal": "Buiten zijn", "date": "morgen"}, "date"),
    ("terugblik", {"answers": {"onbekend": "?"}}, "answers.onbekend"),
    ("terugblik", {"answers": {"trots": "ja"}, "private": "ja"}, "private"),
    # marshmallow puts a dict value's errors under "value": answers → trots → value.
    ("terugblik", {"answers": {"trots": "x" * 20_001}}, "answers.trots.value"),
])
def test_an_invalid_answer_is_refused_naming_the_field(api: ApiClient, step_id: str,
                                                       value: dict[str, Any], path: str) -> None:
    response = api.put_answer(step_id, value)
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["error"] == "invalid"
    messages = _field(body["errors"], path)
    assert isinstance(messages, list)
    assert all(isinstance(m, str) and m for m in messages)
    assert api.answer(step_id)["revision"] == 0


@pytest.fixture
def app_without_private(tmp_path: Path, database_url: str) -> Flask:
    """The voorbeeld module with ``allow_private`` switched off on its reflection step."""
    module = copy_module(tmp_path / "modules")
    with module.edit_step("terugblik") as step:
        step["allow_private"] = False
    return create_app(make_config(database_url, MODULES_DIR=module.folder.parent))


def test_private_is_refused_on_a_step_that_does_not_offer_it(app_without_private: Flask
                                                             ) -> None:
    world = make_world()
    client = app_without_private.test_client()
    client.environ_base["HTTP_REFERER"] = "https://localhost/"
    login(client, world.client_a)
    api = ApiClient(client, world.assignment_a.id)
    response = api.put_answer("terugblik", {"answers": {"trots": "ja"}, "private": True})
    assert response.status_code == 422
    assert _field(response.get_json()["errors"], "private")
    assert api.put_answer("terugblik", {"answers": {"trots": "ja"}}).status_code == 200
