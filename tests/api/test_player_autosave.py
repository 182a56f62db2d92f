"""The HTML player's autosave: form fields saved as the step's answer, never over a newer one."""

from __future__ import annotations

from typing import Any

from werkzeug.test import TestResponse

from tests.api.helpers import ApiClient


def _put_form(api: ApiClient, step_id: str, fields: dict[str, list[str]], revision: int,
              key: str | None = None) -> TestResponse:
    headers = {"X-CSRFToken": api.token()}
    if key:
        headers["Idempotency-Key"] = key
    return api.client.put(api.url(f"/steps/{step_id}/form"),
                          json={"fields": fields, "revision": revision}, headers=headers)


def _reflection(text: str) -> dict[str, list[str]]:
    return {"q.trots": [text]}


def test_form_fields_are_saved_as_the_steps_answer(api: ApiClient) -> None:
    response = _put_form(api, "terugblik", _reflection("Dat ik belde"), 0)
    assert response.status_code == 200
    assert response.get_json() == {"step_id": "terugblik", "revision": 1, "changed": True}
    assert api.answer("terugblik")["value"] == {"answers": {"trots": "Dat ik belde"}}


def test_an_unchanged_form_makes_no_new_revision(api: ApiClient) -> None:
    _put_form(api, "terugblik", _reflection("Zelfde"), 0)
    again = _put_form(api, "terugblik", _reflection("Zelfde"), 1)
    assert again.get_json() == {"step_id": "terugblik", "revision": 1, "changed": False}


def test_an_empty_form_stores_nothing(api: ApiClient) -> None:
    response = _put_form(api, "terugblik", _reflection(""), 0)
    assert response.get_json()["revision"] == 0
    assert api.answer("terugblik")["revision"] == 0


def test_a_form_from_an_older_revision_gets_the_stored_answer_to_compare(api: ApiClient) -> None:
    _put_form(api, "terugblik", _reflection("Uit het andere tabblad <b>vet</b>"), 0)
    stale = _put_form(api, "terugblik", _reflection("Uit dit tabblad"), 0)
    assert stale.status_code == 409
    body: dict[str, Any] = stale.get_json()
    assert body["error"] == "stale_revision"
    assert body["current"]["revision"] == 1
    assert "Uit het andere tabblad &lt;b&gt;vet&lt;/b&gt;" in body["current"]["html"]
    assert api.answer("terugblik")["value"]["answers"]["trots"].startswith("Uit het andere")


def test_the_same_idempotency_key_is_applied_once(api: ApiClient) -> None:
    _put_form(api, "terugblik", _reflection("Eén"), 0, key="same-key")
    retry = _put_form(api, "terugblik", _reflection("Eén"), 0, key="same-key")
    assert retry.status_code == 200
    assert api.answer("terugblik")["revision"] == 1


def test_an_invalid_form_names_the_field(api: ApiClient) -> None:
    response = _put_form(api, "cijfer", {"value": ["11"]}, 0)
    assert response.status_code == 422
    assert "value" in response.get_json()["errors"]


def test_form_saves_need_json(api: ApiClient) -> None:
    response = api.client.put(api.url("/steps/terugblik/form"), data={"q.trots": "x"},
                              headers={"X-CSRFToken": api.token()})
    assert response.status_code == 415


def test_a_strengths_form_round_trips(api: ApiClient) -> None:
    fields = {"pick": ["ik-ben/humor"], "follow.ik-ben/humor": ["Gisteren"],
              "own.ik-heb.0": ["Een fiets"]}
    assert _put_form(api, "krachten", fields, 0).status_code == 200
    assert api.answer("krachten")["value"]["items"] == [
        {"category": "ik-ben", "suggestion": "humor", "follow_up": "Gisteren"},
        {"category": "ik-heb", "text": "Een fiets"},
    ]
