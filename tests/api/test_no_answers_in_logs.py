"""Client answers are health data: they never reach the application's logs."""

from __future__ import annotations

import logging

import pytest

from tests.api.helpers import ApiClient

SECRET = "Mijn geheime antwoord 7c1e"


def test_saving_and_reading_answers_logs_no_answer_text(
    api: ApiClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    saved = api.put_answer("terugblik", {"answers": {"trots": SECRET}})
    assert saved.status_code == 200
    api.put_answer("terugblik", {"answers": {"trots": SECRET + " 2"}}, revision=0)  # 409
    api.client.put(api.url("/answers/cijfer"), json={"value": {"value": SECRET},
                                                     "revision": 0},
                   headers={"X-CSRFToken": api.token()})  # 422
    api.get(api.url("/answers"))
    assert SECRET not in caplog.text
