"""The "forgot password" page works outside the request, so every address gets one answer.

The request only queues the address; the lookup, the link and the mail happen in a background
job (``services.background``): the answer neither differs nor waits for the mail server.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, current_app

import ehealth.auth.mails
from ehealth import create_app
from ehealth.database import connected
from ehealth.extensions import db
from ehealth.models import PasswordReset, User
from ehealth.services import background
from tests.auth.helpers import auth_config, browser, outbox_mails, post_form, without_csrf
from tests.conftest import World


def _forgot(app: Flask, address: str) -> tuple[Any, str]:
    """Ask for a reset link; the answer and the page it leads to."""
    test_client = browser(app)
    response = post_form(test_client, "/password/forgot", {"email": address})
    return response, without_csrf(test_client.get(response.headers["Location"]).get_data(
        as_text=True))


def test_a_known_and_an_unknown_address_get_the_same_answer(app: Flask, world: World,
                                                            outbox: Path) -> None:
    known, known_page = _forgot(app, "a@oost.example")
    unknown, unknown_page = _forgot(app, "nobody@oost.example")
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"] == "/login"
    assert known.get_data() == unknown.get_data()
    assert known_page == unknown_page
    assert background.wait_until_idle()
    assert len(outbox_mails(outbox.parent)) == 1


def test_the_answer_does_not_wait_for_the_mail(app: Flask, world: World, outbox: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A slow mail server: the answer comes before the mail is written."""
    release, written = threading.Event(), threading.Event()
    send_mail = ehealth.auth.mails.send_mail

    def slow_send_mail(*args: Any) -> Any:
        release.wait(timeout=30)
        result = send_mail(*args)
        written.set()
        return result

    monkeypatch.setattr(ehealth.auth.mails, "send_mail", slow_send_mail)
    try:
        response, _page = _forgot(app, "A@Oost.example ")
        assert response.status_code == 303
        assert not written.is_set()
        assert outbox_mails(outbox.parent) == []
    finally:
        release.set()
    assert background.wait_until_idle()
    assert written.is_set()
    [mail] = outbox_mails(outbox.parent)
    assert b"To: a@oost.example" in mail.read_bytes()  # the address, normalised


def test_inline_jobs_run_before_the_answer(database_url: str, tmp_path: Path,
                                           world: World) -> None:
    app = create_app(auth_config(database_url, tmp_path / "inline", BACKGROUND_JOBS="inline"))
    response, _page = _forgot(app, "a@oost.example")
    assert response.status_code == 303
    assert len(outbox_mails(tmp_path / "inline")) == 1  # no waiting needed


def test_a_job_runs_with_the_app_and_its_own_database_connection(app: Flask,
                                                                 world: World) -> None:
    seen: dict[str, object] = {}

    def job(address: str) -> None:
        seen["thread"] = threading.current_thread().name
        seen["base_url"] = current_app.config["BASE_URL"]
        seen["user"] = User.get(User.email == address).id
        seen["connected"] = not db.is_closed()

    with app.test_request_context():
        background.submit(job, "a@oost.example")
    assert background.wait_until_idle()
    assert seen == {"thread": "ehealth-background", "base_url": "https://ehealth.example",
                    "user": world.client_a.id, "connected": True}


def test_a_failing_job_is_logged_and_the_next_one_still_runs(
    app: Flask, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    done = threading.Event()

    def failing(address: str) -> None:
        raise RuntimeError("the mail server is on fire")

    with caplog.at_level(logging.ERROR), app.test_request_context():
        background.submit(failing, "a@oost.example")
        background.submit(done.set)
        assert background.wait_until_idle()
    assert done.is_set()
    assert "Background job" in caplog.text
    assert "a@oost.example" not in caplog.text  # never the job's arguments


def test_the_reset_job_makes_the_link_for_known_addresses_only(app: Flask,
                                                               world: World) -> None:
    with app.test_request_context():
        background.submit(ehealth.auth.mails.mail_password_reset, "nobody@oost.example")
        background.submit(ehealth.auth.mails.mail_password_reset, "b@oost.example")
    assert background.wait_until_idle()
    with connected():
        assert [r.user_id for r in PasswordReset.select()] == [world.people["client_b"].id]
