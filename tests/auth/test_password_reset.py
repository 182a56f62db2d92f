"""Password reset by e-mail: one answer for every address, a single-use link valid 1 hour that
dies when the password changes, and afterwards every session has ended."""

from __future__ import annotations

import datetime as dt
import email
import logging
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import PasswordReset, User, UserSession, utcnow
from ehealth.services import accounts, background
from ehealth.services.throttle import DatabaseThrottle
from tests.auth.helpers import browser, form_errors, log_in, post_form
from tests.conftest import PASSWORD, World, login

NEW_PASSWORD = "the garden after rain"
LINK = re.compile(r"https://ehealth\.example/password/reset/([A-Za-z0-9_-]+)")


def _mails(outbox: Path) -> list[email.message.Message]:
    if not outbox.exists():
        return []
    return [email.message_from_bytes(path.read_bytes()) for path in sorted(outbox.glob("*.eml"))]


def _ask_for_reset(test_client: FlaskClient, address: str) -> str:
    response = post_form(test_client, "/password/forgot", {"email": address})
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert background.wait_until_idle()  # the mail is written in the background
    return test_client.get("/login").get_data(as_text=True)


def _request(address: str = "a@oost.example", now: dt.datetime | None = None) -> str:
    with connected():
        result = accounts.request_password_reset(address, now=now)
    assert result is not None
    return result[1]


def test_a_known_address_gets_a_link_by_mail(client: FlaskClient, world: World,
                                             outbox: Path) -> None:
    page = _ask_for_reset(client, "A@oost.example")
    assert "If there is an account for this e-mail address" in page
    [mail] = _mails(outbox)
    assert mail["To"] == "a@oost.example"
    assert mail["Subject"] == "Choose a new password"
    body = mail.get_payload(decode=True).decode()
    assert "within 1 hour" in body
    match = LINK.search(body)
    assert match
    with connected():
        stored = PasswordReset.get()
    assert match.group(1) not in stored.token_hash  # only the hash is kept
    assert stored.expires_at - stored.created_at == dt.timedelta(hours=1)


def test_the_answer_is_the_same_for_an_unknown_address(app: Flask, world: World,
                                                        outbox: Path) -> None:
    known = _ask_for_reset(browser(app), "a@oost.example")
    unknown = _ask_for_reset(browser(app), "nobody@oost.example")
    flash = re.compile(r'<p class="flash[^>]*>(.*?)</p>', re.S)
    assert flash.findall(known) == flash.findall(unknown)
    assert len(_mails(outbox)) == 1


def test_the_forgot_form_explains_a_wrong_address(client: FlaskClient) -> None:
    response = post_form(client, "/password/forgot", {"email": "not an address"})
    assert response.status_code == 200
    assert form_errors(response.get_data(as_text=True)) == [
        "Enter an e-mail address, like name@example.com."]


def test_the_link_sets_a_new_password_and_ends_every_session(app: Flask, client: FlaskClient,
                                                             world: World,
                                                             outbox: Path) -> None:
    session_token = login(browser(app), world.client_a)
    _ask_for_reset(client, "a@oost.example")
    token = LINK.search(_mails(outbox)[0].get_payload(decode=True).decode()).group(1)
    page = client.get(f"/password/reset/{token}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert 'autocomplete="new-password"' in page.get_data(as_text=True)

    response = post_form(client, f"/password/reset/{token}",
                         {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert "Your new password is set" in client.get("/login").get_data(as_text=True)
    with connected():
        assert UserSession.select().where(UserSession.ended_at.is_null()).count() == 0
        assert UserSession.select().count() == 1
        assert UserSession.get().token_hash != session_token
    assert log_in(browser(app), "a@oost.example", NEW_PASSWORD).status_code == 303
    assert log_in(browser(app), "a@oost.example", PASSWORD).status_code == 200


def test_a_used_reset_link_fails(client: FlaskClient, world: World) -> None:
    token = _request()
    with connected():
        accounts.reset_password(token, NEW_PASSWORD)
        with pytest.raises(accounts.ResetTokenInvalid):
            accounts.reset_password(token, "yet another new password")
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 410
    assert "Ask for a new link" in response.get_data(as_text=True)


def test_an_expired_reset_link_fails(client: FlaskClient, world: World) -> None:
    token = _request(now=utcnow() - dt.timedelta(hours=1, seconds=1))
    fresh = _request(now=utcnow() - dt.timedelta(minutes=59))
    with connected():
        with pytest.raises(accounts.ResetTokenInvalid):
            accounts.reset_password(token, NEW_PASSWORD)
        assert accounts.password_reset_for(fresh)
    assert client.get(f"/password/reset/{token}").status_code == 410
    response = post_form(client, f"/password/reset/{token}",
                         {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD}, page="/login")
    assert response.status_code == 410
    with connected():
        assert accounts.verify_password(User.get_by_id(world.client_a.id).password_hash,
                                        PASSWORD)


def test_a_reset_link_dies_when_the_password_changes(world: World) -> None:
    first, second = _request(), _request()
    with connected():
        accounts.reset_password(first, NEW_PASSWORD)
        with pytest.raises(accounts.ResetTokenInvalid):
            accounts.password_reset_for(second)


def test_a_reset_link_from_before_a_password_change_is_refused(world: World) -> None:
    """Even when the change did not go through this app's own change screens."""
    token = _request(now=utcnow() - dt.timedelta(minutes=10))
    with connected():
        User.update(password_changed_at=utcnow()).where(User.id == world.client_a.id).execute()
        with pytest.raises(accounts.ResetTokenInvalid):
            accounts.reset_password(token, NEW_PASSWORD)


def test_a_rejected_new_password_leaves_the_link_usable(client: FlaskClient,
                                                        world: World) -> None:
    token = _request()
    response = post_form(client, f"/password/reset/{token}",
                         {"password": "x" * 129, "repeat": "x" * 129})
    assert response.status_code == 200
    assert form_errors(response.get_data(as_text=True)) == ["Use at most 128 characters."]
    response = post_form(client, f"/password/reset/{token}",
                         {"password": "x" * 128, "repeat": "x" * 128})
    assert response.status_code == 303


def test_a_reset_lifts_a_lock(world: World) -> None:
    throttle = DatabaseThrottle()
    with connected():
        for _ in range(5):
            throttle.record_failure("a@oost.example")
        assert throttle.is_locked("a@oost.example")
        accounts.reset_password(_request(), NEW_PASSWORD, throttle=throttle)
        assert not throttle.is_locked("a@oost.example")


def test_reset_mails_are_limited_per_hour(world: World) -> None:
    with connected():
        results = [accounts.request_password_reset("a@oost.example") for _ in range(5)]
    assert [r is not None for r in results] == [True, True, True, False, False]


def test_an_unknown_or_inactive_address_gets_no_token(world: World) -> None:
    with connected():
        assert accounts.request_password_reset("nobody@oost.example") is None
        User.update(active=False).where(User.id == world.client_a.id).execute()
        assert accounts.request_password_reset("a@oost.example") is None


def test_passwords_and_tokens_never_reach_the_log(client: FlaskClient, world: World,
                                                  outbox: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        log_in(client, "a@oost.example", "a wrong password here")
        _ask_for_reset(client, "a@oost.example")
        token = LINK.search(_mails(outbox)[0].get_payload(decode=True).decode()).group(1)
        post_form(client, f"/password/reset/{token}",
                  {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
        log_in(client, "a@oost.example", NEW_PASSWORD)
    for secret in ("a wrong password here", NEW_PASSWORD, token, PASSWORD):
        assert secret not in caplog.text
