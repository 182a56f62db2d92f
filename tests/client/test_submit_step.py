"""The player's Back, Save and Next, and the API's ``done``: one service function,
``services.assignments.submit_step``, and a Next reads each thing it needs once."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import Answer, Assignment, AssignmentStatus
from ehealth.services.assignment_state import AssignmentClosed
from ehealth.services.assignments import Action, Outcome, StepHidden, submit_step
from tests.api.helpers import API, VALID_ANSWERS
from tests.conftest import World, csrf_token, login
from tests.therapist.conftest import counting_queries

# The two reads behind everything a Next decides: the assignment's answers, and the unread
# feedback that only the overview counts (so it stands for one overview computation).
ANSWERS_QUERY = re.compile(r'FROM "answer" AS "t1" WHERE \("t1"\."assignment_id" = (\?|%s)\)$')
OVERVIEW_QUERY = re.compile(r'FROM "feedback" .*"read_at" IS NULL')


def _reads(statements: list[str]) -> tuple[int, int]:
    """(answers queries, overview computations) among the statements."""
    return (sum(bool(ANSWERS_QUERY.search(s)) for s in statements),
            sum(bool(OVERVIEW_QUERY.search(s)) for s in statements))


@pytest.fixture
def as_client_a(app: Flask, world: World) -> FlaskClient:
    test_client = app.test_client()
    test_client.environ_base["HTTP_REFERER"] = "https://localhost/"
    login(test_client, world.client_a)
    return test_client


def _url(world: World, step_id: str) -> str:
    return f"/assignments/{world.assignment_a.id}/steps/{step_id}"


def _assignment(world: World) -> Assignment:
    with connected():
        assignment: Assignment = Assignment.get_by_id(world.assignment_a.id)
    return assignment


# --- one read of each per Next -----------------------------------------------------------------

def test_a_next_with_an_answer_reads_the_answers_and_the_overview_once(
    as_client_a: FlaskClient, world: World
) -> None:
    token = csrf_token(as_client_a)
    with counting_queries() as statements:
        response = as_client_a.post(_url(world, "terugblik"), data={
            "csrf_token": token, "action": "next", "revision": "0", "q.trots": "Dat ik belde"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/steps/doel")
    assert _reads(statements) == (1, 1)
    assignment = _assignment(world)
    assert "terugblik" in assignment.done_steps
    with connected():
        answer = Answer.get(Answer.step_id == "terugblik")
    assert answer.value["answers"]["trots"] == "Dat ik belde"


def test_a_next_follows_the_answer_it_saves_without_reading_it_again(
    as_client_a: FlaskClient, world: World
) -> None:
    """"ja" on "hulp" shows the tip: the steps shown follow the saved answer in memory."""
    token = csrf_token(as_client_a)
    with counting_queries() as statements:
        response = as_client_a.post(_url(world, "hulp"), data={
            "csrf_token": token, "action": "next", "revision": "0", "selected": "ja"})
    assert response.headers["Location"].endswith("/steps/tip")
    assert _reads(statements) == (1, 1)


def test_a_next_on_the_last_step_completes_the_module_reading_each_once(
    as_client_a: FlaskClient, world: World
) -> None:
    token = csrf_token(as_client_a)
    with counting_queries() as statements:
        response = as_client_a.post(_url(world, "samenvatting"),
                                    data={"csrf_token": token, "action": "next"})
    assert response.headers["Location"].endswith(f"/assignments/{world.assignment_a.id}/done")
    assert _reads(statements) == (1, 1)
    assert _assignment(world).status == AssignmentStatus.COMPLETED


def test_the_apis_done_is_the_same_next_reading_each_once(
    client: FlaskClient, world: World
) -> None:
    login(client, world.client_a)
    token = client.get(f"{API}/csrf-token").get_json()["csrf_token"]
    with counting_queries() as statements:
        response = client.post(f"{API}/assignments/{world.assignment_a.id}/steps/welkom/done",
                               headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["next_step_id"] == "uitleg"
    assert body["progress"]["done_step_ids"] == ["welkom"]
    assert body["progress"]["done"] == 1
    assert _reads(statements) == (1, 1)


# --- what submit_step returns ------------------------------------------------------------------

def test_save_stays_on_the_step_with_the_new_revision(world: World) -> None:
    with connected():
        result = submit_step(_assignment(world), "terugblik", Action.SAVE,
                             {"answers": {"trots": "Eerste"}}, 0)
    assert result.outcome == Outcome.STAY
    assert result.saved
    assert result.answer is not None
    assert result.answer.revision == 1
    assert result.target is None


def test_an_unchanged_answer_makes_no_new_revision(world: World) -> None:
    with connected():
        submit_step(_assignment(world), "terugblik", Action.SAVE,
                    {"answers": {"trots": "Eerste"}}, 0)
        result = submit_step(_assignment(world), "terugblik", Action.SAVE,
                             {"answers": {"trots": "Eerste"}}, 1)
    assert result.outcome == Outcome.STAY
    assert not result.saved
    assert result.answer is not None
    assert result.answer.revision == 1


def test_an_old_revision_is_stale_and_carries_the_stored_answer(world: World) -> None:
    with connected():
        submit_step(_assignment(world), "terugblik", Action.SAVE,
                    {"answers": {"trots": "Eerste"}}, 0)
        result = submit_step(_assignment(world), "terugblik", Action.NEXT,
                             {"answers": {"trots": "Uit een oud venster"}}, 0)
        stored = Answer.get(Answer.step_id == "terugblik")
    assert result.outcome == Outcome.STALE
    assert result.answer is not None
    assert result.answer.value["answers"]["trots"] == "Eerste"
    assert stored.revision == 1
    assert "terugblik" not in _assignment(world).done_steps


def test_an_invalid_answer_names_the_field_and_saves_nothing(world: World) -> None:
    with connected():
        result = submit_step(_assignment(world), "cijfer", Action.NEXT, {"value": 11}, 0)
        assert not Answer.select().exists()
    assert result.outcome == Outcome.INVALID
    assert "value" in result.errors


def test_a_new_score_with_follow_ups_stays_to_show_them(world: World) -> None:
    with connected():
        result = submit_step(_assignment(world), "cijfer", Action.NEXT, {"value": 4}, 0,
                             follow_ups_shown_for="")
        again = submit_step(_assignment(world), "cijfer", Action.NEXT,
                            {"value": 4, "follow_ups": {"waarom": "Omdat"}}, 1,
                            follow_ups_shown_for="4")
    assert (result.outcome, result.follow_ups) == (Outcome.STAY, True)
    assert again.outcome == Outcome.MOVED


def test_next_on_too_few_strengths_says_how_many_more(world: World) -> None:
    with connected():
        result = submit_step(_assignment(world), "krachten", Action.NEXT)
    assert result.outcome == Outcome.TOO_FEW
    assert result.missing == 1
    assert "krachten" not in _assignment(world).done_steps


def test_back_goes_to_the_previous_visible_step_and_marks_nothing_done(world: World) -> None:
    with connected():
        result = submit_step(_assignment(world), "krachten", Action.BACK,
                             VALID_ANSWERS["krachten"], 0)
    assert result.outcome == Outcome.MOVED
    assert result.saved
    assert result.target is not None
    assert result.target.step["id"] == "hulp"
    assert _assignment(world).done_steps == []


def test_a_hidden_step_and_a_closed_assignment_are_refused(world: World) -> None:
    with connected():
        with pytest.raises(StepHidden):
            submit_step(_assignment(world), "tip", Action.NEXT)  # "hulp" not answered "ja"
        Assignment.update(status=AssignmentStatus.PAUSED).where(
            Assignment.id == world.assignment_a.id).execute()
        with pytest.raises(AssignmentClosed):
            submit_step(_assignment(world), "terugblik", Action.NEXT,
                        {"answers": {"trots": "Niet bewaard"}}, 0)
        assert not Answer.select().exists()
