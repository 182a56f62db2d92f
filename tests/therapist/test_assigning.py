"""Assigning a module from the library, and pausing, resuming and withdrawing it."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ehealth.database import connected
from ehealth.models import Assignment, AssignmentStatus, OrganisationModule, utcnow
from tests.conftest import World, csrf_token
from tests.therapist.conftest import assert_one_event, browser, events, person


def _post(test_client: FlaskClient, path: str, data: dict[str, str] | None = None
          ) -> TestResponse:
    """Submit a form of the client page (its CSRF token from a page that logs nothing)."""
    token = csrf_token(test_client, "/therapist/clients/invite")
    response = test_client.post(path, data={**(data or {}), "csrf_token": token})
    assert response.status_code == 303, response.status_code
    return response


def _follow(test_client: FlaskClient, response: TestResponse) -> str:
    """The page the form sent the therapist back to, with its message."""
    return test_client.get(response.headers["Location"].split("#")[0]).get_data(as_text=True)


def _status(assignment_id: int) -> str:
    with connected():
        return str(Assignment.get_by_id(assignment_id).status)


def _withdraw_a(world: World, therapist: FlaskClient) -> None:
    _post(therapist, f"/therapist/assignments/{world.assignment_a.id}/withdraw")


def test_a_module_is_assigned_with_a_message_and_a_due_date(
    app: Flask, world: World, therapist: FlaskClient
) -> None:
    _withdraw_a(world, therapist)
    due = (utcnow().date() + dt.timedelta(days=14)).isoformat()
    before = len(events())
    response = _post(therapist, f"/therapist/clients/{world.client_a.id}/assignments", {
        "module_id": "voorbeeld", "message": "Fijn dat je <meedoet>!", "due_date": due})
    with connected():
        assignment = (Assignment.select().where(Assignment.client == world.client_a)
                      .order_by(Assignment.id.desc()).get())
    assert assignment.__data__["therapist"] == world.therapist.id
    assert assignment.message == "Fijn dat je <meedoet>!"
    assert assignment.due_date.isoformat() == due
    assert assignment.status == AssignmentStatus.ASSIGNED
    assert_one_event(before, world.therapist, "assignment.created", world.client_a,
                     "assignment", assignment.id)
    assert response.headers["Location"].endswith(f"#assignment-{assignment.id}")
    assert "The module is assigned." in _follow(therapist, response)
    home = browser(app, world.client_a).get("/my-modules").get_data(as_text=True)
    assert "Fijn dat je &lt;meedoet&gt;!" in home


def test_a_module_the_organisation_switched_off_cannot_be_assigned(
    world: World, therapist: FlaskClient
) -> None:
    _withdraw_a(world, therapist)
    with connected():
        OrganisationModule.create(organisation=world.therapist.organisation,
                                  module_id="voorbeeld", available=False)
    page = therapist.get(f"/therapist/clients/{world.client_a.id}").get_data(as_text=True)
    assert 'value="voorbeeld"' not in page
    assert "no modules to assign" in page
    before = len(events())
    response = _post(therapist, f"/therapist/clients/{world.client_a.id}/assignments",
                     {"module_id": "voorbeeld"})
    assert_one_event(before, world.therapist, "assignment.created", world.client_a, "module",
                     "voorbeeld", outcome="failed")
    assert "Choose a module from the library." in _follow(therapist, response)
    with connected():
        assert Assignment.select().where(Assignment.client == world.client_a).count() == 1


def test_a_module_the_client_has_open_is_not_assigned_twice(world: World,
                                                            therapist: FlaskClient) -> None:
    assign = f"/therapist/clients/{world.client_a.id}/assignments"
    page = _follow(therapist, _post(therapist, assign, {"module_id": "voorbeeld"}))
    assert "This client already has this module." in page
    yesterday = (utcnow().date() - dt.timedelta(days=1)).isoformat()
    _withdraw_a(world, therapist)
    page = _follow(therapist, _post(therapist, assign,
                                    {"module_id": "voorbeeld", "due_date": yesterday}))
    assert "Choose a due date from today on." in page
    page = _follow(therapist, _post(therapist, assign,
                                    {"module_id": "voorbeeld", "due_date": "31-12-2030"}))
    assert "Choose a due date from today on." in page


def test_a_paused_module_shows_as_paused_and_its_answers_cannot_change(
    app: Flask, world: World, therapist: FlaskClient
) -> None:
    before = len(events())
    _post(therapist, f"/therapist/assignments/{world.assignment_a.id}/pause")
    assert _status(world.assignment_a.id) == AssignmentStatus.PAUSED
    assert_one_event(before, world.therapist, "assignment.paused", world.client_a,
                     "assignment", world.assignment_a.id)
    client = browser(app, world.client_a)
    assert "Paused by your therapist" in client.get("/my-modules").get_data(as_text=True)
    response = client.post(f"/assignments/{world.assignment_a.id}/steps/cijfer", data={
        "csrf_token": csrf_token(client, "/my-modules"), "action": "save", "revision": "0",
        "value": "5"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/my-modules")
    before = len(events())
    response = _post(therapist, f"/therapist/assignments/{world.assignment_a.id}/resume")
    assert_one_event(before, world.therapist, "assignment.resumed", world.client_a,
                     "assignment", world.assignment_a.id)
    assert "The module is resumed." in _follow(therapist, response)
    assert _status(world.assignment_a.id) == AssignmentStatus.ASSIGNED  # never started
    assert "Paused by" not in client.get("/my-modules").get_data(as_text=True)


def test_resuming_what_is_not_paused_is_refused_and_logged_as_failed(
    world: World, therapist: FlaskClient
) -> None:
    before = len(events())
    response = _post(therapist, f"/therapist/assignments/{world.assignment_a.id}/resume")
    assert_one_event(before, world.therapist, "assignment.resumed", world.client_a,
                     "assignment", world.assignment_a.id, outcome="failed")
    assert "That is not possible with this module now." in _follow(therapist, response)
    assert _status(world.assignment_a.id) == AssignmentStatus.ASSIGNED


def test_a_withdrawn_module_disappears_for_the_client_and_stays_in_the_record(
    app: Flask, world: World, therapist: FlaskClient
) -> None:
    client = browser(app, world.client_a)
    assert "One small step" in client.get("/my-modules").get_data(as_text=True)
    before = len(events())
    response = _post(therapist, f"/therapist/assignments/{world.assignment_a.id}/withdraw")
    assert_one_event(before, world.therapist, "assignment.withdrawn", world.client_a,
                     "assignment", world.assignment_a.id)
    assert "Withdrawn" in _follow(therapist, response)
    assert "One small step" not in client.get("/my-modules").get_data(as_text=True)
    assert client.get(f"/assignments/{world.assignment_a.id}").status_code == 404


def test_another_therapist_cannot_change_the_assignment(app: Flask, world: World) -> None:
    other = person(world, "other_therapist")
    visitor = browser(app, other)
    token = csrf_token(visitor, "/therapist/")
    for action, logged in (("pause", "assignment.paused"),
                           ("withdraw", "assignment.withdrawn")):
        before = len(events())
        response = visitor.post(f"/therapist/assignments/{world.assignment_a.id}/{action}",
                                data={"csrf_token": token})
        assert response.status_code == 404
        assert_one_event(before, other, logged, world.client_a, "assignment",
                         world.assignment_a.id, outcome="denied")
    response = visitor.post(f"/therapist/clients/{world.client_a.id}/assignments",
                            data={"csrf_token": token, "module_id": "voorbeeld"})
    assert response.status_code == 404
    assert _status(world.assignment_a.id) == AssignmentStatus.ASSIGNED
    with connected():
        assert Assignment.select().where(Assignment.client == world.client_a).count() == 1


def test_changes_need_a_csrf_token(world: World, therapist: FlaskClient) -> None:
    response = therapist.post(f"/therapist/assignments/{world.assignment_a.id}/pause")
    assert response.status_code == 400
    assert _status(world.assignment_a.id) == AssignmentStatus.ASSIGNED
