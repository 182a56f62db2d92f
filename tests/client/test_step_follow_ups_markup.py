"""The markup behind "follow-ups appear as soon as a value is picked" (player.js), and the plain
form path without JavaScript that it must leave working: the server shows what applies after
Save, and follow-ups that do not apply are neither shown nor sent.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import Answer
from tests.conftest import World, csrf_token, login


@pytest.fixture
def as_client_a(app: Flask, world: World) -> FlaskClient:
    test_client = app.test_client()
    test_client.environ_base["HTTP_REFERER"] = "https://localhost/"
    login(test_client, world.client_a)
    return test_client


def _follow_up(page: str, follow_up_id: str) -> str:
    match = re.search(r'<div class="field" data-follow-up[^>]*>(?:(?!</div>).)*'
                      rf'name="f\.{follow_up_id}"(?:(?!</div>).)*</div>', page, re.S)
    assert match, follow_up_id
    return match.group(0)


def _step(test_client: FlaskClient, world: World, step_id: str) -> str:
    return test_client.get(f"/assignments/{world.assignment_a.id}/steps/{step_id}").get_data(
        as_text=True)


def _post(test_client: FlaskClient, world: World, step_id: str, **fields: str) -> None:
    test_client.post(f"/assignments/{world.assignment_a.id}/steps/{step_id}", data={
        "csrf_token": csrf_token(test_client), "revision": "0", **fields})


def test_before_a_score_every_follow_up_is_in_the_page_hidden_and_not_sent(
        as_client_a: FlaskClient, world: World) -> None:
    page = _step(as_client_a, world, "cijfer")
    assert 'data-scale data-min="0" data-max="10"' in page
    for follow_up_id in ("waarom", "hoger"):
        box = _follow_up(page, follow_up_id)
        assert " hidden>" in box.split("\n", 1)[0]
        assert " disabled>" in box
        assert "data-question=" in box
    assert "data-follow-ups-hint" in page


def test_after_save_without_javascript_the_follow_ups_of_the_score_show(
        as_client_a: FlaskClient, world: World) -> None:
    _post(as_client_a, world, "cijfer", action="save", value="10")
    page = _step(as_client_a, world, "cijfer")
    why = _follow_up(page, "waarom")
    assert " hidden" not in why.split("\n", 1)[0]
    assert " disabled" not in why
    assert "Wat maakt dat het een 10 is en geen 0?" in why
    higher = _follow_up(page, "hoger")  # only up to 9: "what would a 10 look like" is moot
    assert " hidden>" in higher.split("\n", 1)[0]
    assert " disabled>" in higher
    assert 'data-question="Hoe ziet een {next} eruit?"' in higher
    assert "data-follow-ups-hint" not in page


def test_a_follow_up_that_does_not_apply_is_not_stored(as_client_a: FlaskClient,
                                                       world: World) -> None:
    _post(as_client_a, world, "cijfer", action="save", value="10", **{"f.waarom": "Omdat"})
    with connected():
        answer = Answer.get(Answer.step_id == "cijfer")
    assert answer.value["follow_ups"] == {"waarom": "Omdat", "hoger": ""}


def test_the_first_step_choice_is_in_the_page_hidden_until_there_is_a_step(
        as_client_a: FlaskClient, world: World) -> None:
    page = _step(as_client_a, world, "doel")
    assert re.search(r"<fieldset data-first-steps hidden>", page)
    assert 'class="field__hint no-js-only"' in page
    _post(as_client_a, world, "doel", action="save", goal="Vaker wandelen", step="s:bellen")
    page = _step(as_client_a, world, "doel")
    assert re.search(r"<fieldset data-first-steps>", page)
    assert 'name="first" value="s:bellen"' in page
