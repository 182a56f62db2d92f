"""The step-by-step player, used without JavaScript: plain form posts only."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import (
    Answer,
    Assignment,
    AssignmentStatus,
)
from ehealth.services.modules import module_for_version
from tests.client.walk import SHIPPED_MODULES, client_on_shipped_module, walk_with_forms
from tests.conftest import World, csrf_token, login


@pytest.fixture
def as_client_a(app: Flask, world: World) -> FlaskClient:
    test_client = app.test_client()
    test_client.environ_base["HTTP_REFERER"] = "https://localhost/"
    login(test_client, world.client_a)
    return test_client


def _revision(page: str) -> str:
    match = re.search(r'name="revision" value="(\d+)"', page)
    assert match
    return match.group(1)


def _step_url(world: World, step_id: str) -> str:
    return f"/assignments/{world.assignment_a.id}/steps/{step_id}"


def test_the_voorbeeld_module_can_be_walked_to_the_end_with_form_posts(
    as_client_a: FlaskClient, world: World
) -> None:
    with connected():
        module = module_for_version(world.assignment_a.module_version)
    visited = walk_with_forms(as_client_a, world.assignment_a.id, module, csrf_token(as_client_a))
    assert visited[0] == "welkom"
    assert visited[-1] == "samenvatting"
    assert "tip" in visited  # "hulp" answered "ja" shows the experience tip
    with connected():
        assignment = Assignment.get_by_id(world.assignment_a.id)
        assert assignment.status == AssignmentStatus.COMPLETED
        assert assignment.completed_at is not None
        assert set(assignment.done_steps) == set(visited)
        stored = {a.step_id for a in Answer.select().where(Answer.assignment == assignment)}
    assert stored == {"cijfer", "hulp", "krachten", "tevredenheid", "terugblik", "doel"}
    finished = as_client_a.get(f"/assignments/{world.assignment_a.id}/done")
    page = finished.get_data(as_text=True)
    assert "Mijn antwoord op trots" in page
    assert "Weer elke week wandelen" in page
    assert "Mijn eigen kracht" in page


def test_a_condition_hides_a_step_when_the_answer_does_not_meet_it(
    as_client_a: FlaskClient, world: World
) -> None:
    token = csrf_token(as_client_a)
    response = as_client_a.post(_step_url(world, "hulp"), data={
        "csrf_token": token, "action": "next", "revision": "0", "selected": "nee"})
    assert response.headers["Location"].endswith("/steps/krachten")
    assert as_client_a.get(_step_url(world, "tip")).status_code == 302


def test_the_client_resumes_at_the_step_last_visited(as_client_a: FlaskClient,
                                                     world: World) -> None:
    as_client_a.get(_step_url(world, "cijfer"))
    response = as_client_a.get(f"/assignments/{world.assignment_a.id}")
    assert response.headers["Location"].endswith("/steps/cijfer")


def test_position_and_progress_are_shown(as_client_a: FlaskClient, world: World) -> None:
    page = as_client_a.get(_step_url(world, "cijfer")).get_data(as_text=True)
    assert "Les 1 van 2 · stap 3 van 4" in page  # "tip" is hidden until "hulp" is answered
    assert '<progress id="module-progress"' in page


def test_choosing_a_score_shows_its_follow_up_questions(as_client_a: FlaskClient,
                                                        world: World) -> None:
    token = csrf_token(as_client_a)
    response = as_client_a.post(_step_url(world, "cijfer"), data={
        "csrf_token": token, "action": "next", "revision": "0", "value": "4"})
    assert response.headers["Location"].endswith("/steps/cijfer")  # stays for the follow-ups
    page = as_client_a.get(_step_url(world, "cijfer")).get_data(as_text=True)
    assert "Wat maakt dat het een 4 is en geen 0?" in page
    assert "Hoe ziet een 5 eruit?" in page


def test_a_stale_form_post_shows_both_versions_and_overwrites_nothing(
    as_client_a: FlaskClient, world: World
) -> None:
    token = csrf_token(as_client_a)
    url = _step_url(world, "terugblik")
    first = {"csrf_token": token, "action": "save", "revision": "0", "q.trots": "Eerste tekst"}
    assert as_client_a.post(url, data=first).status_code == 302
    second = {**first, "q.trots": "Tweede tekst, uit een oud venster"}  # still based on 0
    conflict = as_client_a.post(url, data=second)
    assert conflict.status_code == 409
    page = conflict.get_data(as_text=True)
    assert "Eerste tekst" in page
    assert "Tweede tekst, uit een oud venster" in page
    with connected():
        answer = Answer.get(Answer.step_id == "terugblik")
        assert answer.value["answers"]["trots"] == "Eerste tekst"
        assert answer.revision == 1
    keep_mine = {**second, "revision": "1"}
    assert as_client_a.post(url, data=keep_mine).status_code == 302
    with connected():
        assert Answer.get(Answer.step_id == "terugblik").value["answers"]["trots"].startswith(
            "Tweede")


def test_a_double_submitted_form_is_saved_once(as_client_a: FlaskClient, world: World) -> None:
    token = csrf_token(as_client_a)
    form = {"csrf_token": token, "action": "save", "revision": "0", "save_key": "k-1",
            "q.trots": "Eén keer"}
    as_client_a.post(_step_url(world, "terugblik"), data=form)
    as_client_a.post(_step_url(world, "terugblik"), data=form)
    with connected():
        assert Answer.get(Answer.step_id == "terugblik").revision == 1


def test_an_invalid_answer_is_explained_and_the_text_kept(as_client_a: FlaskClient,
                                                          world: World) -> None:
    token = csrf_token(as_client_a)
    response = as_client_a.post(_step_url(world, "cijfer"), data={
        "csrf_token": token, "action": "next", "revision": "0", "value": "11",
        "f.waarom": "Tekst die blijft"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page
    assert "value" in page


def test_too_few_strengths_keep_the_client_on_the_step(as_client_a: FlaskClient,
                                                       world: World) -> None:
    token = csrf_token(as_client_a)
    response = as_client_a.post(_step_url(world, "krachten"), data={
        "csrf_token": token, "action": "next", "revision": "0"})
    assert response.status_code == 422
    assert "Kies er nog minstens 1" in response.get_data(as_text=True)


def test_keep_this_to_myself_stores_the_answer_as_private(as_client_a: FlaskClient,
                                                          world: World) -> None:
    token = csrf_token(as_client_a)
    as_client_a.post(_step_url(world, "terugblik"), data={
        "csrf_token": token, "action": "save", "revision": "0", "q.trots": "Alleen voor mij",
        "private": "1"})
    with connected():
        answer = Answer.get(Answer.step_id == "terugblik")
        assert answer.private is True
        assert "private" not in answer.value
    page = as_client_a.get(_step_url(world, "terugblik")).get_data(as_text=True)
    assert re.search(r'name="private" value="1" checked', page)


def test_home_shows_progress_and_continue(as_client_a: FlaskClient, world: World) -> None:
    token = csrf_token(as_client_a)
    as_client_a.post(_step_url(world, "welkom"), data={"csrf_token": token, "action": "next"})
    page = as_client_a.get("/my-modules").get_data(as_text=True)
    assert "Een kleine stap" in page
    assert "1 van 9 stappen gedaan" in page
    assert "Ga verder waar je gebleven was" in page


def test_pages_with_answers_are_not_cached(as_client_a: FlaskClient, world: World) -> None:
    response = as_client_a.get(_step_url(world, "terugblik"))
    assert response.headers["Cache-Control"] == "no-store"


def test_another_clients_assignment_is_not_found(app: Flask, world: World) -> None:
    other = app.test_client()
    login(other, world.people["client_b"])  # type: ignore[arg-type]
    assert other.get(_step_url(world, "welkom")).status_code == 404


@pytest.mark.parametrize("module_id", SHIPPED_MODULES)
def test_every_shipped_module_can_be_walked_to_the_end_with_form_posts(
    database_url: str, module_id: str
) -> None:
    session = client_on_shipped_module(database_url, module_id)
    visited = walk_with_forms(session.browser, session.assignment.id, session.module,
                              csrf_token(session.browser, "/my-modules"))
    assert len(visited) >= len(session.module.lessons)
    with connected():
        assignment = Assignment.get_by_id(session.assignment.id)
        assert assignment.status == AssignmentStatus.COMPLETED
