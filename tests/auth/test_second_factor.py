"""Staff log in with a second factor: a TOTP code accepted once only, and recovery codes."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import RecoveryCode, User
from ehealth.services import two_factor
from tests.auth.helpers import browser, log_in, post_form
from tests.conftest import PASSWORD, World

THERAPIST = "t1@oost.example"


def _secret_on(page: str) -> str:
    match = re.search(r'<code class="auth-secret">([A-Z2-7]+)</code>', page)
    assert match, "the set-up page shows the key"
    return match.group(1)


def _set_up(test_client: FlaskClient) -> tuple[str, list[str]]:
    """Log in as the therapist for the first time and set up the app; returns key and codes."""
    log_in(test_client, THERAPIST, PASSWORD)
    page = test_client.get("/login/code/setup").get_data(as_text=True)
    secret = _secret_on(page)
    done = post_form(test_client, "/login/code/setup", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})</code></li>",
                       done.get_data(as_text=True))
    return secret, codes


def test_first_log_in_sets_up_the_app_and_shows_recovery_codes_once(app: Flask,
                                                                    world: World) -> None:
    test_client = browser(app)
    secret, codes = _set_up(test_client)
    assert len(codes) == 10
    assert test_client.get("/account").status_code == 200  # signed in now
    with connected():
        user = User.get(User.email == THERAPIST)
        assert user.totp_secret == secret
        stored = [r.code_hash for r in RecoveryCode.select().where(RecoveryCode.user == user)]
    assert len(stored) == 10
    assert not set(codes) & set(stored)  # only hashes are kept


def test_the_set_up_page_shows_a_qr_code_with_a_text_alternative(app: Flask,
                                                                 world: World) -> None:
    test_client = browser(app)
    log_in(test_client, THERAPIST, PASSWORD)
    page = test_client.get("/login/code/setup").get_data(as_text=True)
    qr = r'<img class="auth-qr" src="data:image/svg\+xml;base64,[^"]+"[^>]*alt="QR'
    assert re.search(qr, page)


def test_a_wrong_set_up_code_leaves_the_account_without_a_second_factor(app: Flask,
                                                                        world: World) -> None:
    test_client = browser(app)
    log_in(test_client, THERAPIST, PASSWORD)
    test_client.get("/login/code/setup")
    response = post_form(test_client, "/login/code/setup", {"code": "000000"})
    assert "This code is not right" in response.get_data(as_text=True)
    with connected():
        assert User.get(User.email == THERAPIST).totp_secret is None
    assert test_client.get("/account").status_code == 302


def test_later_log_ins_ask_for_the_code_and_accept_each_code_once(app: Flask,
                                                                  world: World) -> None:
    secret, _ = _set_up(browser(app))
    first = browser(app)
    assert log_in(first, THERAPIST, PASSWORD).headers["Location"] == "/login/code"
    code = pyotp.TOTP(secret).now()
    with connected():
        # The set-up used the current step already: make room for exactly one more use.
        User.update(totp_last_step=None).where(User.email == THERAPIST).execute()
    ok = post_form(first, "/login/code", {"code": code})
    assert ok.status_code == 303
    assert first.get("/account").status_code == 200
    second = browser(app)
    log_in(second, THERAPIST, PASSWORD)
    replay = post_form(second, "/login/code", {"code": code})
    assert "used already" in replay.get_data(as_text=True)
    assert second.get("/account").status_code == 302


def test_a_recovery_code_works_once(app: Flask, world: World) -> None:
    _, codes = _set_up(browser(app))
    first = browser(app)
    log_in(first, THERAPIST, PASSWORD)
    assert post_form(first, "/login/code", {"code": codes[0]}).status_code == 303
    second = browser(app)
    log_in(second, THERAPIST, PASSWORD)
    again = post_form(second, "/login/code", {"code": codes[0]})
    assert again.status_code == 200
    assert second.get("/account").status_code == 302


def test_the_code_page_without_a_password_first_sends_you_to_log_in(client: FlaskClient,
                                                                   world: World) -> None:
    assert client.get("/login/code").headers["Location"] == "/login"
    assert client.get("/login/code/setup").headers["Location"] == "/login"


def test_clients_log_in_without_a_second_factor(client: FlaskClient, world: World) -> None:
    response = log_in(client, "a@oost.example", PASSWORD)
    assert response.headers["Location"] == "/my-modules"


def test_wrong_codes_are_throttled(app: Flask, world: World) -> None:
    _set_up(browser(app))
    test_client = browser(app)
    log_in(test_client, THERAPIST, PASSWORD)
    statuses = [post_form(test_client, "/login/code", {"code": "000000"}).status_code
                for _ in range(5)]
    assert statuses[-1] == 429


@pytest.mark.parametrize("drift", [-30, 0, 30])
def test_codes_from_a_slightly_wrong_clock_are_accepted(app: Flask, world: World,
                                                        drift: int) -> None:
    now = dt.datetime(2026, 11, 21, 12, 0, 0)
    secret = pyotp.random_base32()
    with connected():
        user = User.get(User.email == THERAPIST)
        code = pyotp.TOTP(secret).at(now + dt.timedelta(seconds=drift))
        two_factor.enable(user, secret, code, now=now)
        assert user.totp_secret == secret


def test_invited_staff_set_up_their_second_factor_before_they_are_in(client: FlaskClient,
                                                                     world: World) -> None:
    from ehealth.models import Role
    from ehealth.services import accounts

    with connected():
        _, token = accounts.create_invitation(world.therapist.organisation, "new@oost.example",
                                              Role.THERAPIST, invited_by=world.people["admin"])
    response = post_form(client, f"/invite/{token}", {
        "name": "Noor", "password": "a long enough password", "repeat": "a long enough password",
        "language": "nl"})
    assert response.headers["Location"] == "/login/code/setup"
    assert client.get("/account").status_code == 302
