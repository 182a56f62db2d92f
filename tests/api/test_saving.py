"""Autosave through the API: revisions, idempotency keys, CSRF, content types, closed modules."""

from __future__ import annotations

import logging

import pytest
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import Answer, AnswerSave, Assignment, AssignmentStatus
from tests.api.helpers import VALID_ANSWERS, ApiClient
from tests.conftest import World


def test_first_save_creates_revision_one(api: ApiClient) -> None:
    response = api.put_answer("cijfer", {"value": 4})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"step_id", "revision", "value", "private", "updated_at"}
    assert body["step_id"] == "cijfer"
    assert body["revision"] == 1
    assert body["value"] == {"value": 4, "follow_ups": {}}
    assert body["private"] is False
    assert body["updated_at"].endswith("+00:00")
    assert api.answer("cijfer") == body


def test_a_step_without_an_answer_has_revision_zero(api: ApiClient) -> None:
    assert api.answer("cijfer") == {"step_id": "cijfer", "revision": 0, "value": None,
                                    "private": False, "updated_at": None}


def test_each_save_raises_the_revision(api: ApiClient) -> None:
    api.put_answer("cijfer", {"value": 4})
    response = api.put_answer("cijfer", {"value": 5}, revision=1)
    assert response.status_code == 200
    assert response.get_json()["revision"] == 2
    assert api.answer("cijfer")["value"]["value"] == 5


def test_stale_autosave_is_rejected_with_the_current_answer(api: ApiClient) -> None:
    api.put_answer("cijfer", {"value": 4})
    api.put_answer("cijfer", {"value": 7}, revision=1)  # another tab saved meanwhile
    response = api.put_answer("cijfer", {"value": 2}, revision=1)
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"] == "stale_revision"
    assert body["current"]["revision"] == 2
    assert body["current"]["value"] == {"value": 7, "follow_ups": {}}
    assert set(body["current"]) == {"step_id", "revision", "value", "private", "updated_at"}
    assert api.answer("cijfer")["value"]["value"] == 7  # nothing overwritten


def test_a_save_based_on_an_answer_that_does_not_exist_gets_current_null(api: ApiClient
                                                                          ) -> None:
    response = api.put_answer("cijfer", {"value": 4}, revision=3)
    assert response.status_code == 409
    assert response.get_json() == {"error": "stale_revision", "current": None,
                                   "message": response.get_json()["message"]}


def test_the_same_idempotency_key_twice_makes_one_revision(api: ApiClient,
                                                           world: World) -> None:
    first = api.put_answer("cijfer", {"value": 4}, key="save-1")
    again = api.put_answer("cijfer", {"value": 4}, key="save-1")
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json()
    assert again.get_json()["revision"] == 1
    with connected():
        assert AnswerSave.select().where(AnswerSave.assignment == world.assignment_a.id).count() \
            == 1
        assert Answer.get(Answer.assignment == world.assignment_a.id).revision == 1


def test_an_idempotency_key_may_not_be_reused_for_another_step(api: ApiClient) -> None:
    api.put_answer("cijfer", {"value": 4}, key="save-1")
    response = api.put_answer("hulp", {"selected": ["ja"]}, key="save-1")
    assert response.status_code == 422
    assert "Idempotency-Key" in response.get_json()["errors"]
    assert api.answer("hulp")["revision"] == 0


@pytest.mark.parametrize("key", ["x" * 65, "met spatie", ""])
def test_a_bad_idempotency_key_is_refused(api: ApiClient, key: str) -> None:
    response = api.put_answer("cijfer", {"value": 4}, key=key)
    assert response.status_code == 422
    assert response.get_json()["error"] == "invalid"
    assert "Idempotency-Key" in response.get_json()["errors"]


def test_an_idempotency_key_of_64_characters_is_accepted(api: ApiClient) -> None:
    assert api.put_answer("cijfer", {"value": 4}, key="k" * 64).status_code == 200
    assert api.put_answer("cijfer", {"value": 4}, key="k" * 64).get_json()["revision"] == 1


def test_a_form_encoded_body_is_refused_with_415(api: ApiClient) -> None:
    response = api.client.put(api.url("/answers/cijfer"), data={"value": "4", "revision": "0"},
                              headers={"X-CSRFToken": api.token()})
    assert response.status_code == 415
    assert response.get_json()["error"] == "unsupported_media_type"


def test_a_body_that_is_not_json_is_a_bad_request(api: ApiClient) -> None:
    response = api.client.put(api.url("/answers/cijfer"), data="{not json",
                              content_type="application/json",
                              headers={"X-CSRFToken": api.token()})
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"


@pytest.mark.parametrize(("body", "field"), [
    ({"value": {"value": 4}}, "revision"),
    ({"value": {"value": 4}, "revision": -1}, "revision"),
    ({"value": {"value": 4}, "revision": "0"}, "revision"),
    ({"revision": 0}, "value"),
    ({"value": [4], "revision": 0}, "value"),
    ({"value": {"value": 4}, "revision": 0, "extra": 1}, "extra"),
    ([1, 2], "_schema"),
])
def test_a_malformed_save_names_the_field(api: ApiClient, body: object, field: str) -> None:
    response = api.client.put(api.url("/answers/cijfer"), json=body,
                              headers={"X-CSRFToken": api.token()})
    assert response.status_code == 422
    assert response.get_json()["error"] == "invalid"
    assert field in response.get_json()["errors"]


def test_a_save_without_csrf_token_is_refused_with_json(api: ApiClient) -> None:
    response = api.client.put(api.url("/answers/cijfer"),
                              json={"value": {"value": 4}, "revision": 0})
    assert response.status_code == 400
    assert response.get_json()["error"] == "csrf_failed"
    assert api.answer("cijfer")["revision"] == 0


def test_after_a_csrf_failure_a_fresh_token_saves_the_answer(api: ApiClient) -> None:
    refused = api.put_answer("cijfer", {"value": 4}, key="retry-1",
                             headers={"X-CSRFToken": "expired-or-wrong"})
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "csrf_failed"
    token = api.client.get("/api/v1/csrf-token").get_json()["csrf_token"]
    retried = api.put_answer("cijfer", {"value": 4}, key="retry-1",
                             headers={"X-CSRFToken": token})
    assert retried.status_code == 200
    assert retried.get_json()["revision"] == 1


@pytest.mark.parametrize("status", [AssignmentStatus.PAUSED, AssignmentStatus.WITHDRAWN])
def test_a_paused_or_withdrawn_assignment_takes_no_answers(api: ApiClient, world: World,
                                                           status: str) -> None:
    with connected():
        Assignment.update(status=status).where(Assignment.id == world.assignment_a.id).execute()
    response = api.put_answer("cijfer", {"value": 4})
    assert response.status_code == 409
    assert response.get_json()["error"] == "assignment_closed"
    with connected():  # a withdrawn assignment is not found for reading either
        assert not Answer.select().where(Answer.assignment == world.assignment_a.id).exists()


@pytest.mark.parametrize("step_id", ["bestaat-niet", "welkom", "tip", "samenvatting"])
def test_an_unknown_or_unanswerable_step_is_not_found(api: ApiClient, step_id: str) -> None:
    saved = api.put_answer(step_id, {"value": 4})
    read = api.client.get(api.url(f"/answers/{step_id}"))
    assert saved.status_code == read.status_code == 404
    assert saved.get_json()["error"] == read.get_json()["error"] == "not_found"


def test_the_client_gets_their_private_answer_back(api: ApiClient) -> None:
    value = {"answers": {"trots": "Alleen voor mij."}, "private": True}
    response = api.put_answer("terugblik", value)
    assert response.status_code == 200
    assert response.get_json()["private"] is True
    assert response.get_json()["value"] == {"answers": {"trots": "Alleen voor mij."}}
    listed = api.get(api.url("/answers")).get_json()["answers"]
    assert listed == [response.get_json()]


def test_answers_are_listed_in_module_order(api: ApiClient) -> None:
    for step_id in ("doel", "cijfer", "terugblik"):
        assert api.put_answer(step_id, VALID_ANSWERS[step_id]).status_code == 200
    listed = api.get(api.url("/answers")).get_json()["answers"]
    assert [a["step_id"] for a in listed] == ["cijfer", "terugblik", "doel"]
    assert listed[2]["value"]["date"] == "2030-05-01"


def test_every_api_response_is_not_cached(api: ApiClient, client: FlaskClient) -> None:
    responses = [
        api.get("/api/v1/assignments"),
        api.get(api.url()),
        api.get(api.url("/answers")),
        api.get(api.url("/answers/cijfer")),
        api.get(api.url("/progress")),
        api.put_answer("cijfer", {"value": 4}),
        api.put_answer("cijfer", {"value": 40}, revision=1),
        api.get(api.url(assignment_id=999_999)),
    ]
    for response in responses:
        assert response.headers["Cache-Control"] == "no-store", response.request.path


def test_answer_text_is_never_logged(api: ApiClient, caplog: pytest.LogCaptureFixture,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "Mijn geheime gedachte 7f3a"
    # The app logs at INFO (ehealth.app.configure_logging); its own loggers at every level.
    # (peewee's DEBUG log would show SQL parameters, answers included: keep it off.)
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="ehealth")
    api.put_answer("terugblik", {"answers": {"trots": secret}})
    api.put_answer("terugblik", {"answers": {"trots": secret}})  # stale
    api.put_answer("terugblik", {"answers": {"onbekend": secret}}, revision=1)  # invalid

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr("ehealth.services.answers.save_answer", broken)
    failed = api.put_answer("terugblik", {"answers": {"trots": secret}}, revision=1)
    assert failed.status_code == 500
    assert secret not in caplog.text
    assert failed.get_json()["reference"] in caplog.text
