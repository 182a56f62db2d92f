"""A first-time client is welcomed on "Mijn modules"; the due date shows there and in the player.

The welcome stays until the client starts a module (then it has done its job: nothing to store
or dismiss). Pages are read in English, so the tests do not wait for the Dutch to be merged.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import Assignment, AssignmentStatus
from tests.conftest import World, login

WELCOME = '<section class="welcome"'


@pytest.fixture
def english(app: Flask, world: World) -> FlaskClient:
    test_client = app.test_client()
    test_client.set_cookie("lang", "en")
    login(test_client, world.client_a)
    return test_client


def _home(test_client: FlaskClient) -> str:
    return test_client.get("/my-modules").get_data(as_text=True)


def test_a_first_time_client_is_welcomed_with_what_this_is_and_how_saving_works(
        english: FlaskClient) -> None:
    page = _home(english)
    assert WELCOME in page
    welcome = page[page.index(WELCOME):page.index("</section>", page.index(WELCOME))]
    assert "Change is possible, one small step at a time." in welcome  # a positive opening
    assert "Your therapist chose 1 module for you." in welcome
    assert "saved when you press Save or Next" in welcome
    assert "carry on later where you left off" in welcome


def test_the_welcome_is_gone_once_a_module_is_started(english: FlaskClient,
                                                      world: World) -> None:
    assert english.get(f"/assignments/{world.assignment_a.id}/steps/welkom").status_code == 200
    assert WELCOME not in _home(english)


def test_the_due_date_is_shown_on_my_modules_and_in_the_player(english: FlaskClient,
                                                               world: World) -> None:
    with connected():
        Assignment.update(due_date=dt.date(2026, 12, 9)).where(
            Assignment.id == world.assignment_a.id).execute()
    expected = re.compile(r'<p class="due-date">Your therapist suggests finishing by '
                          r'<time datetime="2026-12-09">December 9, 2026</time>\.</p>')
    assert expected.search(_home(english))
    player = english.get(f"/assignments/{world.assignment_a.id}/steps/welkom")
    assert expected.search(player.get_data(as_text=True))


def test_a_paused_module_shows_no_due_date(english: FlaskClient, world: World) -> None:
    with connected():
        Assignment.update(due_date=dt.date(2026, 12, 9), status=AssignmentStatus.PAUSED).where(
            Assignment.id == world.assignment_a.id).execute()
    assert "due-date" not in _home(english)
    player = english.get(f"/assignments/{world.assignment_a.id}/steps/welkom")
    assert "due-date" not in player.get_data(as_text=True)


def test_without_a_due_date_none_is_shown(english: FlaskClient) -> None:
    assert "due-date" not in _home(english)
