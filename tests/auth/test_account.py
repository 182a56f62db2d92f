"""My account: details, language, changing the password, logging out on other devices."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import PasswordReset, User, UserSession
from ehealth.services import accounts
from ehealth.services.sessions import token_hash
from tests.auth.helpers import browser, form_errors, log_in, post_form
from tests.conftest import PASSWORD, World, login

NEW_PASSWORD = "a quiet morning with coffee"


def _is_live(token: str) -> bool:
    with connected():
        return UserSession.get(UserSession.token_hash == token_hash(token)).ended_at is None


def test_the_account_page_shows_name_address_and_language(client: FlaskClient,
                                                          world: World) -> None:
    login(client, world.client_a)
    response = client.get("/account")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "a@oost.example" in page
    assert '<dd>a</dd>' in page
    assert 'value="en" checked' in page
    assert 'autocomplete="current-password"' in page
    assert page.count('autocomplete="new-password"') == 2


def test_the_language_is_saved_and_used(client: FlaskClient, world: World) -> None:
    login(client, world.client_a)
    response = post_form(client, "/account/language", {"language": "nl"}, page="/account")
    assert response.status_code == 303
    assert response.headers["Location"] == "/account"
    assert "lang=nl" in response.headers["Set-Cookie"]
    with connected():
        assert User.get_by_id(world.client_a.id).language == "nl"
    assert '<html lang="nl">' in client.get("/account").get_data(as_text=True)


def test_an_unknown_language_is_refused(client: FlaskClient, world: World) -> None:
    login(client, world.client_a)
    response = post_form(client, "/account/language", {"language": "xx"}, page="/account")
    assert response.status_code == 400
    with connected():
        assert User.get_by_id(world.client_a.id).language == "en"


def test_changing_the_password_ends_the_other_sessions(app: Flask, world: World) -> None:
    phone, laptop = browser(app), browser(app)
    phone_token = login(phone, world.client_a)
    laptop_token = login(laptop, world.client_a)
    response = post_form(laptop, "/account/password", {
        "current": PASSWORD, "password": NEW_PASSWORD, "repeat": NEW_PASSWORD}, page="/account")
    assert response.status_code == 303
    assert "Your password is changed" in laptop.get("/account").get_data(as_text=True)
    assert _is_live(laptop_token)
    assert not _is_live(phone_token)
    assert phone.get("/account").status_code == 302
    with connected():
        user = User.get_by_id(world.client_a.id)
        assert accounts.verify_password(user.password_hash, NEW_PASSWORD)
        assert user.password_changed_at is not None
    assert log_in(browser(app), "a@oost.example", NEW_PASSWORD).status_code == 303


def test_changing_the_password_kills_open_reset_links(client: FlaskClient,
                                                      world: World) -> None:
    with connected():
        result = accounts.request_password_reset("a@oost.example")
    assert result is not None
    login(client, world.client_a)
    post_form(client, "/account/password", {
        "current": PASSWORD, "password": NEW_PASSWORD, "repeat": NEW_PASSWORD}, page="/account")
    with connected():
        assert PasswordReset.select().where(PasswordReset.used_at.is_null()).count() == 0
    assert client.get(f"/password/reset/{result[1]}").status_code == 410


def test_a_wrong_current_password_changes_nothing(client: FlaskClient, world: World) -> None:
    login(client, world.client_a)
    response = post_form(client, "/account/password", {
        "current": "not my password", "password": NEW_PASSWORD, "repeat": NEW_PASSWORD},
        page="/account")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert form_errors(page) == ["This is not your current password."]
    assert 'aria-describedby="current-error"' in page
    with connected():
        assert accounts.verify_password(User.get_by_id(world.client_a.id).password_hash,
                                        PASSWORD)


def test_a_new_password_must_follow_the_rules(client: FlaskClient, world: World) -> None:
    login(client, world.client_a)
    response = post_form(client, "/account/password", {
        "current": PASSWORD, "password": "too short", "repeat": "too short"}, page="/account")
    assert form_errors(response.get_data(as_text=True)) == ["Use at least 12 characters."]


def test_guessing_the_current_password_is_throttled(client: FlaskClient, world: World) -> None:
    login(client, world.client_a)
    for _ in range(5):
        post_form(client, "/account/password", {
            "current": "a wrong guess!", "password": NEW_PASSWORD, "repeat": NEW_PASSWORD},
            page="/account")
    response = post_form(client, "/account/password", {
        "current": PASSWORD, "password": NEW_PASSWORD, "repeat": NEW_PASSWORD}, page="/account")
    assert form_errors(response.get_data(as_text=True)) == [
        "Too many wrong attempts. Wait 15 minutes and try again."]
    with connected():
        assert accounts.verify_password(User.get_by_id(world.client_a.id).password_hash,
                                        PASSWORD)


def test_log_out_on_all_other_devices(app: Flask, world: World) -> None:
    here, elsewhere = browser(app), browser(app)
    here_token = login(here, world.client_a)
    elsewhere_token = login(elsewhere, world.client_a)
    other_user = login(browser(app), world.people["client_b"])  # type: ignore[arg-type]
    response = post_form(here, "/account/logout-everywhere", {}, page="/account")
    assert response.status_code == 303
    assert "logged out on all other devices" in here.get("/account").get_data(as_text=True)
    assert _is_live(here_token)
    assert not _is_live(elsewhere_token)
    assert _is_live(other_user)
