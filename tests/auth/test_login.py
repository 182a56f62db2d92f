"""Log in and out: one message for every failure, a fresh session, logout ends it on the server."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from flask_login import login_required

from ehealth.database import connected
from ehealth.models import User, UserSession
from ehealth.services.sessions import token_hash
from tests.auth.helpers import browser, form_errors, log_in, post_form, without_csrf
from tests.conftest import PASSWORD, World, csrf_token, login

FAILED = "The e-mail address or password is not correct."


def _session_cookie(test_client: FlaskClient) -> str:
    cookie = test_client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_the_right_password_starts_a_server_side_session(client: FlaskClient,
                                                         world: World) -> None:
    response = log_in(client, "A@oost.example ", PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] in {"/my-modules", "/"}
    with connected():
        sessions = list(UserSession.select().where(UserSession.user == world.client_a.id))
        assert len(sessions) == 1
        assert sessions[0].ended_at is None
        assert User.get_by_id(world.client_a.id).last_login_at is not None
    assert client.get("/account").status_code == 200


def test_staff_confirm_with_a_second_factor_after_the_password(client: FlaskClient,
                                                                world: World) -> None:
    response = log_in(client, "t1@oost.example", PASSWORD)
    assert response.headers["Location"] == "/login/code/setup"
    assert client.get("/account").status_code == 302  # not signed in yet


def test_unknown_address_and_wrong_password_get_the_same_answer(app: Flask,
                                                               world: World) -> None:
    unknown = log_in(browser(app), "nobody@oost.example", PASSWORD)
    wrong = log_in(browser(app), "a@oost.example", "not the right password")
    assert unknown.status_code == wrong.status_code == 200
    assert form_errors(unknown.get_data(as_text=True)) == [FAILED]
    assert form_errors(wrong.get_data(as_text=True)) == [FAILED]
    normalised = [
        without_csrf(r.get_data(as_text=True)).replace("nobody@oost.example", "ADDRESS")
        .replace("a@oost.example", "ADDRESS") for r in (unknown, wrong)
    ]
    assert normalised[0] == normalised[1]
    assert "not the right password" not in normalised[1]


def test_an_inactive_account_gets_the_same_answer(client: FlaskClient, world: World) -> None:
    with connected():
        User.update(active=False).where(User.id == world.client_a.id).execute()
    response = log_in(client, "a@oost.example", PASSWORD)
    assert form_errors(response.get_data(as_text=True)) == [FAILED]


def test_empty_fields_are_explained(client: FlaskClient, world: World) -> None:
    response = post_form(client, "/login", {"email": "", "password": ""})
    assert response.status_code == 200
    assert form_errors(response.get_data(as_text=True)) == [
        "Enter your e-mail address.", "Enter your password."]


def test_the_log_in_form_needs_a_csrf_token(client: FlaskClient, world: World) -> None:
    client.get("/login")
    response = client.post("/login", data={"email": "a@oost.example", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/account").status_code == 302


def test_the_log_in_form_is_accessible(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert '<label for="email">' in page
    assert '<label for="password">' in page
    assert 'type="email"' in page
    assert 'autocomplete="email"' in page
    assert 'autocomplete="current-password"' in page
    assert 'href="/password/forgot"' in page
    assert "<script" not in page
    assert "style=" not in page


def test_log_in_starts_a_fresh_session(client: FlaskClient, world: World) -> None:
    """Nothing a visitor (or an attacker who planted a cookie) had in the session survives."""
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    log_in(client, "a@oost.example", PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session
        token = session["_user_id"]
    with connected():
        assert UserSession.get(UserSession.token_hash == token_hash(token)).user_id == \
            world.client_a.id


def test_after_log_in_only_local_pages_are_returned_to(app: Flask, world: World) -> None:
    for target in ("/account", "https://evil.example/", "//evil.example", "/\\evil.example",
                   "javascript:alert(1)"):
        test_client = browser(app)
        response = test_client.post("/login", query_string={"next": target}, data={
            "email": "a@oost.example", "password": PASSWORD,
            "csrf_token": csrf_token(test_client, "/login")})
        assert response.status_code == 303
        location = response.headers["Location"]
        if target == "/account":
            assert location == "/account"
        else:
            assert "evil" not in location, target
            assert "javascript" not in location, target
            assert location.startswith("/")
            assert not location.startswith("//")


def test_pages_that_need_a_session_send_visitors_to_log_in(client: FlaskClient) -> None:
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account"
    page = client.get("/login?next=/account").get_data(as_text=True)
    assert "Please log in to see this page." in page
    assert 'action="/login?next=/account"' in page


def test_the_api_answers_401_in_json(app: Flask) -> None:
    @app.get("/api/v1/test-only-private")
    @login_required
    def private() -> str:
        return "secret"

    response = browser(app).get("/api/v1/test-only-private")
    assert response.status_code == 401
    assert response.get_json() == {"error": "unauthorized"}


def test_a_signed_in_user_is_sent_on_from_the_log_in_page(client: FlaskClient,
                                                          world: World) -> None:
    login(client, world.client_a)
    assert client.get("/login").status_code == 302


def test_logout_ends_the_server_side_session(app: Flask, client: FlaskClient,
                                             world: World) -> None:
    log_in(client, "a@oost.example", PASSWORD)
    old_cookie = _session_cookie(client)
    with client.session_transaction() as session:
        token = session["_user_id"]

    response = post_form(client, "/logout", {}, page="/account")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert "You are logged out" in client.get("/login").get_data(as_text=True)
    with connected():
        assert UserSession.get(UserSession.token_hash == token_hash(token)).ended_at is not None

    # Someone who copied the cookie before logout gets nothing with it.
    replay = browser(app)
    replay.set_cookie("session", old_cookie)
    assert replay.get("/account").status_code == 302
    assert "a@oost.example" not in replay.get("/login").get_data(as_text=True)


def test_logout_without_a_session_just_goes_to_log_in(client: FlaskClient) -> None:
    response = post_form(client, "/logout", {}, page="/login")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"


def test_logout_needs_a_csrf_token(client: FlaskClient, world: World) -> None:
    login(client, world.client_a)
    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200
