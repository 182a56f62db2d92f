"""Between password and second factor: a pending log-in on the server, bound to one attempt.

The cookie holds only the attempt's token. The attempt ends on success, when the browser logs in
anew, when the password changes, and after 5 minutes; a copied cookie then finishes nothing.
During the set-up the TOTP secret stays on the server.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pyotp
from flask import Flask
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import PendingLogin, RecoveryCode, User, utcnow
from ehealth.services import accounts, two_factor
from tests.auth.helpers import browser, log_in, post_form
from tests.conftest import PASSWORD, World

THERAPIST = "t1@oost.example"
NEW_PASSWORD = "a fresh password for the therapist"
# What else a session cookie may hold: the CSRF token and flask-login's bookkeeping.
HOUSEKEEPING = {"csrf_token", "_fresh"}


def _cookie(test_client: FlaskClient) -> str:
    cookie = test_client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _session_of(app: Flask, cookie: str) -> dict[str, Any]:
    """What the (signed, readable) session cookie holds: anyone with the cookie can read it."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    data: dict[str, Any] = serializer.loads(cookie)
    return data


def _with_app(world: World) -> list[str]:
    """Give the therapist a second factor; returns their recovery codes."""
    with connected():
        user = User.get(User.email == THERAPIST)
        secret = pyotp.random_base32()
        return two_factor.enable(user, secret, pyotp.TOTP(secret).now())


def _copy(app: Flask, cookie: str) -> FlaskClient:
    """Another browser with a copy of ``cookie`` (stolen, or saved from the network)."""
    thief = browser(app)
    thief.set_cookie("session", cookie)
    return thief


def _signed_in(test_client: FlaskClient) -> bool:
    return test_client.get("/account").status_code == 200


def _recovery_codes_left() -> int:
    with connected():
        return int(RecoveryCode.select().where(RecoveryCode.used_at.is_null()).count())


def test_the_cookie_holds_only_a_token_of_the_attempt(app: Flask, world: World) -> None:
    _with_app(world)
    test_client = browser(app)
    assert log_in(test_client, THERAPIST, PASSWORD).headers["Location"] == "/login/code"
    data = _session_of(app, _cookie(test_client))
    assert set(data) - HOUSEKEEPING == {"pending_login"}
    assert str(world.therapist.id) not in json.dumps(data).replace(data["pending_login"], "")
    with connected():
        [pending] = PendingLogin.select()
    assert pending.user_id == world.therapist.id
    assert data["pending_login"] not in pending.token_hash  # only its hash is stored
    assert pending.expires_at - pending.created_at == dt.timedelta(minutes=5)


def test_a_copied_cookie_cannot_finish_the_log_in_after_it_succeeded(app: Flask,
                                                                     world: World) -> None:
    codes = _with_app(world)
    owner = browser(app)
    log_in(owner, THERAPIST, PASSWORD)
    copied = _cookie(owner)
    assert post_form(owner, "/login/code", {"code": codes[0]}).status_code == 303
    assert _signed_in(owner)

    thief = _copy(app, copied)
    response = post_form(thief, "/login/code", {"code": codes[1]}, page="/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert not _signed_in(thief)
    assert _recovery_codes_left() == 9  # the thief's code was not even tried


def test_a_copied_cookie_is_worth_nothing_after_five_minutes(app: Flask, world: World) -> None:
    codes = _with_app(world)
    owner = browser(app)
    log_in(owner, THERAPIST, PASSWORD)
    thief = _copy(app, _cookie(owner))
    with connected():
        token = _session_of(app, _cookie(owner))["pending_login"]
        started = PendingLogin.get().created_at
        assert two_factor.pending_login(token, now=started + dt.timedelta(minutes=4, seconds=59))
        assert two_factor.pending_login(token, now=started + dt.timedelta(minutes=5)) is None
        # Five minutes pass.
        PendingLogin.update(created_at=started - dt.timedelta(minutes=5),
                            expires_at=utcnow() - dt.timedelta(seconds=1)).execute()
    response = post_form(thief, "/login/code", {"code": codes[0]}, page="/login")
    assert response.headers["Location"] == "/login"
    assert not _signed_in(thief)
    assert post_form(owner, "/login/code", {"code": codes[0]}, page="/login").headers[
        "Location"] == "/login"
    assert not _signed_in(owner)
    assert _recovery_codes_left() == 10


def test_a_password_change_ends_every_pending_log_in(app: Flask, world: World) -> None:
    codes = _with_app(world)
    attacker = browser(app)
    log_in(attacker, THERAPIST, PASSWORD)  # someone who knows the old password
    with connected():
        accounts.change_password(User.get(User.email == THERAPIST), PASSWORD, NEW_PASSWORD,
                                 keep_token=None)
        assert PendingLogin.select().where(PendingLogin.ended_at.is_null()).count() == 0
    response = post_form(attacker, "/login/code", {"code": codes[0]}, page="/login")
    assert response.headers["Location"] == "/login"
    assert not _signed_in(attacker)


def test_a_password_reset_ends_every_pending_log_in(app: Flask, world: World) -> None:
    codes = _with_app(world)
    attacker = browser(app)
    log_in(attacker, THERAPIST, PASSWORD)
    with connected():
        result = accounts.request_password_reset(THERAPIST)
        assert result is not None
        accounts.reset_password(result[1], NEW_PASSWORD)
    response = post_form(attacker, "/login/code", {"code": codes[0]}, page="/login")
    assert response.headers["Location"] == "/login"
    assert not _signed_in(attacker)


def test_a_password_changed_elsewhere_ends_the_attempt_too(app: Flask, world: World) -> None:
    """Even when the change did not go through this app's own screens."""
    _with_app(world)
    test_client = browser(app)
    log_in(test_client, THERAPIST, PASSWORD)
    with connected():
        token = _session_of(app, _cookie(test_client))["pending_login"]
        User.update(password_changed_at=utcnow() + dt.timedelta(seconds=1)).where(
            User.email == THERAPIST).execute()
        assert two_factor.pending_login(token) is None


def test_a_new_log_in_in_the_same_browser_replaces_the_earlier_attempt(app: Flask,
                                                                       world: World) -> None:
    codes = _with_app(world)
    test_client = browser(app)
    log_in(test_client, THERAPIST, PASSWORD)
    earlier = _copy(app, _cookie(test_client))
    log_in(test_client, THERAPIST, PASSWORD)
    with connected():
        assert PendingLogin.select().where(PendingLogin.ended_at.is_null()).count() == 1
    assert post_form(earlier, "/login/code", {"code": codes[0]}, page="/login").headers[
        "Location"] == "/login"
    assert post_form(test_client, "/login/code", {"code": codes[1]}).status_code == 303
    assert _signed_in(test_client)


def test_logging_out_ends_a_pending_log_in(app: Flask, world: World) -> None:
    codes = _with_app(world)
    test_client = browser(app)
    log_in(test_client, THERAPIST, PASSWORD)
    copied = _copy(app, _cookie(test_client))
    post_form(test_client, "/logout", {}, page="/login")
    assert post_form(copied, "/login/code", {"code": codes[0]}, page="/login").headers[
        "Location"] == "/login"


def test_a_deactivated_account_cannot_finish_its_log_in(app: Flask, world: World) -> None:
    codes = _with_app(world)
    test_client = browser(app)
    log_in(test_client, THERAPIST, PASSWORD)
    with connected():
        User.update(active=False).where(User.email == THERAPIST).execute()
    assert post_form(test_client, "/login/code", {"code": codes[0]}, page="/login").headers[
        "Location"] == "/login"
    assert not _signed_in(test_client)


def test_the_set_up_secret_stays_on_the_server(app: Flask, world: World) -> None:
    test_client = browser(app)
    assert log_in(test_client, THERAPIST, PASSWORD).headers["Location"] == "/login/code/setup"
    page = test_client.get("/login/code/setup").get_data(as_text=True)
    match = re.search(r'<code class="auth-secret">([A-Z2-7]+)</code>', page)
    assert match
    secret = match.group(1)
    cookie = _cookie(test_client)
    assert secret not in json.dumps(_session_of(app, cookie))
    assert set(_session_of(app, cookie)) - HOUSEKEEPING == {"pending_login"}
    with connected():
        assert PendingLogin.get().totp_secret == secret
    # Reloading the page shows the same key (the one kept on the server).
    again = test_client.get("/login/code/setup").get_data(as_text=True)
    assert secret in again

    done = post_form(test_client, "/login/code/setup", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    assert _signed_in(test_client)
    with connected():
        assert User.get(User.email == THERAPIST).totp_secret == secret
        assert PendingLogin.get().ended_at is not None


def test_a_copied_set_up_cookie_cannot_finish_after_the_set_up(app: Flask, world: World) -> None:
    owner = browser(app)
    log_in(owner, THERAPIST, PASSWORD)
    page = owner.get("/login/code/setup").get_data(as_text=True)
    match = re.search(r'<code class="auth-secret">([A-Z2-7]+)</code>', page)
    assert match
    thief = _copy(app, _cookie(owner))
    assert post_form(owner, "/login/code/setup",
                     {"code": pyotp.TOTP(match.group(1)).now()}).status_code == 200
    with connected():
        User.update(totp_last_step=None).where(User.email == THERAPIST).execute()
    response = post_form(thief, "/login/code", {"code": pyotp.TOTP(match.group(1)).now()},
                         page="/login")
    assert response.headers["Location"] == "/login"
    assert not _signed_in(thief)
