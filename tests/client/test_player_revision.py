"""The player's form posts name the revision the answer was based on. A revision that is not
one ("abc", negative, beyond the column's range, digits that are not ASCII) is a 400 that says
what to do, and nothing stored changes.

Finding of issue 7, section 5: ``revision=abc`` in the player was a 500 (int() raised).
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import Answer
from tests.conftest import World, csrf_token, login


@pytest.fixture
def client_a(app: Flask, world: World) -> FlaskClient:
    """Client A, signed in, reading English pages."""
    test_client = app.test_client()
    test_client.environ_base["HTTP_REFERER"] = "https://localhost/"
    test_client.set_cookie("lang", "en")  # the switch: it goes before the account's language
    login(test_client, world.client_a)
    return test_client


def _post(test_client: FlaskClient, world: World, revision: str, score: str) -> tuple[int, str]:
    response = test_client.post(
        f"/assignments/{world.assignment_a.id}/steps/cijfer",
        data={"csrf_token": csrf_token(test_client), "revision": revision, "value": score,
              "action": "save"})
    return response.status_code, response.get_data(as_text=True)


def _stored(world: World) -> tuple[int, object] | None:
    with connected():
        answer = Answer.get_or_none((Answer.assignment == world.assignment_a)
                                    & (Answer.step_id == "cijfer"))
    return None if answer is None else (answer.revision, answer.value["value"])


@pytest.mark.parametrize("revision", [
    "abc", "-1", "1.0", "²", "٣", " 1", str(2**31), str(2**63), "9" * 5000,
])
def test_a_revision_that_is_not_one_is_a_400_and_nothing_changes(
    client_a: FlaskClient, world: World, revision: str
) -> None:
    assert _post(client_a, world, "0", "6")[0] == 302
    assert _stored(world) == (1, 6)
    status, page = _post(client_a, world, revision, "8")
    assert status == 400
    assert "its revision number is missing or wrong. Reload the page and try again." in page
    assert _stored(world) == (1, 6)


def test_a_first_answer_without_a_revision_number_counts_as_revision_zero(
    client_a: FlaskClient, world: World
) -> None:
    assert _post(client_a, world, "", "4")[0] == 302
    assert _stored(world) == (1, 4)
