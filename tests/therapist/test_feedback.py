"""Feedback: the therapist replies to a shared answer; the client reads it on that step."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ehealth.database import connected
from ehealth.models import Feedback
from tests.conftest import World, csrf_token
from tests.therapist.conftest import (
    assert_one_event,
    browser,
    events,
    give_answer,
    person,
)


def _feedback(test_client: FlaskClient, assignment_id: int, step_id: str,
              body: str) -> TestResponse:
    token = csrf_token(test_client, "/therapist/clients/invite")
    return test_client.post(f"/therapist/assignments/{assignment_id}/steps/{step_id}/feedback",
                            data={"csrf_token": token, "body": body})


def test_feedback_reaches_the_client_on_home_and_in_the_player_and_is_then_read(
    app: Flask, world: World, therapist: FlaskClient
) -> None:
    give_answer(world.assignment_a, "cijfer", {"value": 6})
    before = len(events())
    response = _feedback(therapist, world.assignment_a.id, "cijfer",
                         "Een 6! Wat helpt je <daarbij>?")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/therapist/clients/{world.client_a.id}#step-{world.assignment_a.id}-cijfer")
    with connected():
        note = Feedback.get()
    assert note.read_at is None
    assert_one_event(before, world.therapist, "feedback.given", world.client_a, "feedback",
                     note.id)
    record = therapist.get(f"/therapist/clients/{world.client_a.id}").get_data(as_text=True)
    assert "Feedback given" in record
    assert "not read yet" in record
    assert "Awaiting your feedback" not in record

    client = browser(app, world.client_a)
    home = client.get("/my-modules").get_data(as_text=True)
    assert "1 message from your therapist" in home
    step_link = f'href="/assignments/{world.assignment_a.id}/steps/cijfer"'
    assert step_link in home
    before = len(events())
    step = client.get(f"/assignments/{world.assignment_a.id}/steps/cijfer")
    page = step.get_data(as_text=True)
    assert "Message from your therapist" in page
    assert "Een 6! Wat helpt je &lt;daarbij&gt;?" in page
    assert "t1" in page  # who wrote it
    assert len(events()) == before  # the client reading their own data is not staff access
    with connected():
        assert Feedback.get_by_id(note.id).read_at is not None
    home = client.get("/my-modules").get_data(as_text=True)
    assert "message from your therapist" not in home
    # Still there on the step, no longer new.
    page = client.get(f"/assignments/{world.assignment_a.id}/steps/cijfer").get_data(
        as_text=True)
    assert "Een 6! Wat helpt je &lt;daarbij&gt;?" in page
    assert ">new<" not in page
    record = therapist.get(f"/therapist/clients/{world.client_a.id}").get_data(as_text=True)
    assert "read by the client" in record


def test_a_changed_answer_awaits_feedback_again(world: World, therapist: FlaskClient) -> None:
    give_answer(world.assignment_a, "cijfer", {"value": 6})
    assert _feedback(therapist, world.assignment_a.id, "cijfer", "Mooi").status_code == 303
    give_answer(world.assignment_a, "cijfer", {"value": 7})
    record = therapist.get(f"/therapist/clients/{world.client_a.id}").get_data(as_text=True)
    step = re.search(r'id="step-\d+-cijfer".*?</li>', record, re.S)
    assert step is not None
    assert "Awaiting your feedback" in step.group(0)
    assert "Feedback given" in step.group(0)


def test_no_feedback_on_a_private_answer_or_a_step_without_answer(
    world: World, therapist: FlaskClient
) -> None:
    give_answer(world.assignment_a, "terugblik", {"answers": {"trots": "Van mij"}},
                private=True)
    before = len(events())
    assert _feedback(therapist, world.assignment_a.id, "terugblik", "Hm").status_code == 404
    assert_one_event(before, world.therapist, "feedback.given", world.client_a, "answer",
                     f"{world.assignment_a.id}/terugblik", outcome="failed")
    assert _feedback(therapist, world.assignment_a.id, "cijfer", "Hm").status_code == 404
    with connected():
        assert Feedback.select().count() == 0


def test_empty_feedback_is_refused_with_a_message(world: World,
                                                  therapist: FlaskClient) -> None:
    give_answer(world.assignment_a, "cijfer", {"value": 6})
    response = _feedback(therapist, world.assignment_a.id, "cijfer", "   ")
    assert response.status_code == 303
    page = therapist.get(response.headers["Location"].split("#")[0]).get_data(as_text=True)
    assert "Write your feedback first." in page
    with connected():
        assert Feedback.select().count() == 0


def test_another_therapist_cannot_give_feedback(app: Flask, world: World) -> None:
    give_answer(world.assignment_a, "cijfer", {"value": 6})
    other = person(world, "other_therapist")
    before = len(events())
    response = _feedback(browser(app, other), world.assignment_a.id, "cijfer", "Hallo")
    assert response.status_code == 404
    assert_one_event(before, other, "feedback.given", world.client_a, "answer",
                     f"{world.assignment_a.id}/cijfer", outcome="denied")
    with connected():
        assert Feedback.select().count() == 0
