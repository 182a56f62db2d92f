"""One rule for closed assignments, in the HTML player and the API alike.

The findings: the API let a client finish steps of a paused or withdrawn module, after which
the withdrawn module came back on "Mijn modules" as completed; the API listed withdrawn
modules while the HTML pages hid them.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import Answer, Assignment, AssignmentStatus
from ehealth.services import answers as answer_service
from ehealth.services.assignment_state import AssignmentClosed
from ehealth.services.assignments import finish_step, record_visit
from tests.api.helpers import API, VALID_ANSWERS, ApiClient
from tests.conftest import World, csrf_token

STEPS = ("welkom", "uitleg", "cijfer", "hulp", "tip", "krachten", "tevredenheid",
         "terugblik", "doel", "samenvatting")


def _set_status(world: World, status: str) -> None:
    with connected():
        Assignment.update(status=status).where(Assignment.id == world.assignment_a.id).execute()


def _status(world: World) -> str:
    with connected():
        return str(Assignment.get_by_id(world.assignment_a.id).status)


def _post(api: ApiClient, suffix: str) -> tuple[int, dict[str, object]]:
    response = api.client.post(api.url(suffix), json={},
                               headers={"X-CSRFToken": api.token()})
    return response.status_code, response.get_json()


@pytest.mark.parametrize("status", [AssignmentStatus.PAUSED, AssignmentStatus.WITHDRAWN])
def test_no_visit_save_or_step_done_in_a_closed_assignment(
    api: ApiClient, world: World, status: str
) -> None:
    assert api.put_answer("cijfer", VALID_ANSWERS["cijfer"]).status_code == 200
    _set_status(world, status)
    for suffix in ("/steps/welkom/visit", "/steps/welkom/done"):
        code, body = _post(api, suffix)
        assert (code, body["error"]) == (409, "assignment_closed"), suffix
    response = api.put_answer("cijfer", {"value": 2}, revision=1)
    assert (response.status_code, response.get_json()["error"]) == (409, "assignment_closed")
    response = api.client.put(api.url("/steps/cijfer/form"),
                              json={"fields": {"value": ["3"]}, "revision": 1},
                              headers={"X-CSRFToken": api.token()})
    assert (response.status_code, response.get_json()["error"]) == (409, "assignment_closed")
    with connected():
        answer = Answer.get((Answer.assignment == world.assignment_a)
                            & (Answer.step_id == "cijfer"))
        assert (answer.revision, answer.value["value"]) == (1, 6)
        assert Assignment.get_by_id(world.assignment_a.id).done_steps == []
    assert _status(world) == status


def test_a_withdrawn_module_never_comes_back_as_completed(
    app: Flask, api: ApiClient, world: World
) -> None:
    _set_status(world, AssignmentStatus.WITHDRAWN)
    for step in STEPS:
        code, _ = _post(api, f"/steps/{step}/done")
        assert code == 409
    assert _status(world) == AssignmentStatus.WITHDRAWN
    home = api.client.get("/my-modules").get_data(as_text=True)
    assert "One small step" not in home
    assert "Completed" not in home


def test_the_api_and_the_pages_list_the_same_assignments(
    api: ApiClient, world: World
) -> None:
    def listed() -> dict[int, str]:
        body = api.client.get(f"{API}/assignments").get_json()
        return {item["id"]: item["status"] for item in body["assignments"]}

    api.client.set_cookie("lang", "en")
    assert listed() == {world.assignment_a.id: AssignmentStatus.ASSIGNED}
    _set_status(world, AssignmentStatus.PAUSED)
    assert listed() == {world.assignment_a.id: AssignmentStatus.PAUSED}
    assert "Paused by your therapist" in api.client.get("/my-modules").get_data(as_text=True)
    _set_status(world, AssignmentStatus.WITHDRAWN)
    assert listed() == {}
    for path in ("", "/progress", "/answers", "/answers/cijfer"):
        assert api.client.get(api.url(path)).status_code == 404, path
    for path in ("", "/steps/welkom", "/done"):
        assert api.client.get(f"/assignments/{world.assignment_a.id}{path}").status_code == 404


def test_a_paused_module_can_be_read_but_not_visited_or_changed_in_the_player(
    client: FlaskClient, api: ApiClient, world: World
) -> None:
    client.set_cookie("lang", "en")
    assert api.put_answer("cijfer", VALID_ANSWERS["cijfer"]).status_code == 200
    _set_status(world, AssignmentStatus.PAUSED)
    step = f"/assignments/{world.assignment_a.id}/steps/hulp"
    page = client.get(step)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "paused by your therapist" in html.lower()
    assert '<fieldset class="player__fieldset" disabled>' in html
    assert "data-autosave" not in html
    assert 'value="next"' not in html
    with connected():
        assert Assignment.get_by_id(world.assignment_a.id).last_step_id == "cijfer"
    response = client.post(step, data={"csrf_token": csrf_token(client, step), "action": "next",
                                       "revision": "0", "value": "ja"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/my-modules")
    with connected():
        assert not Answer.select().where(Answer.step_id == "hulp").exists()
        assert Assignment.get_by_id(world.assignment_a.id).done_steps == []


def test_a_module_closed_while_the_client_works_refuses_the_next_change(world: World) -> None:
    """The status is read again inside the transaction of the change."""
    with connected():
        loaded = Assignment.get_by_id(world.assignment_a.id)  # still open here
        _set_status(world, AssignmentStatus.PAUSED)
        with pytest.raises(AssignmentClosed):
            answer_service.save_answer(loaded, "cijfer", VALID_ANSWERS["cijfer"], 0)
        loaded.status = AssignmentStatus.ACTIVE
        with pytest.raises(AssignmentClosed):
            record_visit(loaded, "uitleg")
        loaded.status = AssignmentStatus.ACTIVE
        with pytest.raises(AssignmentClosed):
            finish_step(loaded, "welkom")
        assert not Answer.select().exists()
        assert Assignment.get_by_id(world.assignment_a.id).done_steps == []


def test_a_completed_module_stays_open_for_the_clients_changes(
    api: ApiClient, world: World
) -> None:
    assert api.put_answer("cijfer", VALID_ANSWERS["cijfer"]).status_code == 200
    _set_status(world, AssignmentStatus.COMPLETED)
    assert api.put_answer("cijfer", {"value": 7}, revision=1).status_code == 200
    code, _ = _post(api, "/steps/cijfer/visit")
    assert code == 200
