"""Invitations: a single-use link, valid 7 days, that sets up a client's account."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import Invitation, Role, User, UserSession, utcnow
from ehealth.services import accounts
from ehealth.services.sessions import token_hash
from tests.auth.helpers import browser, form_errors, post_form
from tests.conftest import World

NEW_PASSWORD = "walking by the river at dawn"


def invite(world: World, email: str = "new@oost.example", **kwargs: object
           ) -> tuple[Invitation, str]:
    with connected():
        return accounts.create_invitation(world.therapist.organisation, email, Role.CLIENT,
                                          therapist=world.therapist, **kwargs)  # type: ignore[arg-type]


def accept_form(name: str = "Sam", password: str = NEW_PASSWORD, repeat: str | None = None,
                language: str = "en") -> dict[str, str]:
    return {"name": name, "password": password,
            "repeat": password if repeat is None else repeat, "language": language}


def test_an_invitation_sets_up_a_client_of_the_therapists_organisation(
    client: FlaskClient, world: World
) -> None:
    invitation, token = invite(world)
    page = client.get(f"/invite/{token}")
    assert page.status_code == 200
    assert "new@oost.example" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"

    response = post_form(client, f"/invite/{token}", accept_form(language="en"))
    assert response.status_code == 303
    assert response.headers["Location"] in {"/", "/my-modules"}
    assert "lang=en" in response.headers["Set-Cookie"]
    with connected():
        user = User.get(User.email == "new@oost.example")
        assert user.role == Role.CLIENT
        assert user.organisation_id == world.therapist.organisation_id
        assert user.name == "Sam"
        assert user.language == "en"
        assert accounts.verify_password(user.password_hash, NEW_PASSWORD)
        assert user.password_changed_at is not None
        used = Invitation.get_by_id(invitation.id)
        assert used.used_at is not None
        assert used.user_id == user.id
        assert used.therapist_id == world.therapist.id
        # Signed in straight away, through a server-side session.
        assert UserSession.select().where(UserSession.user == user).count() == 1
    assert client.get("/account").status_code == 200


def test_the_token_is_stored_only_as_a_hash(world: World) -> None:
    invitation, token = invite(world)
    assert invitation.token_hash == token_hash(token)
    assert token not in invitation.token_hash


def test_an_invitation_link_works_only_once(client: FlaskClient, world: World) -> None:
    _, token = invite(world)
    assert post_form(client, f"/invite/{token}", accept_form()).status_code == 303
    again = browser(client.application).get(f"/invite/{token}")
    assert again.status_code == 410
    assert "This link no longer works" in again.get_data(as_text=True)
    with connected(), pytest.raises(accounts.InvitationInvalid):
        accounts.accept_invitation(token, "Someone else", NEW_PASSWORD, "nl")


def test_an_invitation_expires_after_seven_days(world: World) -> None:
    now = utcnow()
    _, old = invite(world, "old@oost.example", now=now - dt.timedelta(days=7, seconds=1))
    _, fresh = invite(world, "fresh@oost.example", now=now - dt.timedelta(days=6, hours=23))
    with connected():
        with pytest.raises(accounts.InvitationInvalid):
            accounts.invitation_for(old)
        with pytest.raises(accounts.InvitationInvalid):
            accounts.accept_invitation(old, "Old", NEW_PASSWORD, "nl")
        assert accounts.invitation_for(fresh).email == "fresh@oost.example"
        # Seven days after it was made, the fresh one has expired too.
        later = now + dt.timedelta(hours=1, seconds=1)
        with pytest.raises(accounts.InvitationInvalid):
            accounts.invitation_for(fresh, now=later)


def test_an_expired_link_shows_a_friendly_page(client: FlaskClient, world: World) -> None:
    _, token = invite(world, now=utcnow() - dt.timedelta(days=8))
    response = client.get(f"/invite/{token}")
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "ask your therapist to send you a new invitation" in page
    assert post_form(client, f"/invite/{token}", accept_form(), page="/login").status_code == 410


def test_an_unknown_link_is_gone(client: FlaskClient, world: World) -> None:
    assert client.get("/invite/made-up").status_code == 410
    assert client.get("/invite/" + "x" * 500).status_code == 410


@pytest.mark.parametrize(("form", "message"), [
    (accept_form(password="x" * 11), "Use at least 12 characters."),
    (accept_form(password="x" * 129), "Use at most 128 characters."),
    (accept_form(repeat="something else entirely"), "The two passwords are not the same."),
    (accept_form(name="   "), "Enter your name."),
    (accept_form(language="de"), "Not a valid choice."),
])
def test_the_form_explains_what_to_fix_and_creates_nothing(
    client: FlaskClient, world: World, form: dict[str, str], message: str
) -> None:
    _, token = invite(world)
    response = post_form(client, f"/invite/{token}", form)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in form_errors(page)
    assert 'aria-invalid="true"' in page
    assert NEW_PASSWORD not in page
    assert "x" * 11 not in page
    with connected():
        assert not User.select().where(User.email == "new@oost.example").exists()
        assert accounts.invitation_for(token)  # still usable


def test_passwords_of_12_and_128_characters_are_accepted(app: Flask, world: World) -> None:
    for number, length in enumerate((12, 128)):
        _, token = invite(world, f"new{number}@oost.example")
        response = post_form(browser(app), f"/invite/{token}",
                             accept_form(password="p" * length))
        assert response.status_code == 303, response.get_data(as_text=True)


def test_the_form_is_accessible(client: FlaskClient, world: World) -> None:
    _, token = invite(world)
    page = post_form(client, f"/invite/{token}", accept_form(password="short")).get_data(
        as_text=True)
    assert 'class="error-summary" role="alert"' in page
    assert '<a href="#password">Use at least 12 characters.</a>' in page
    assert '<label for="name">' in page
    assert '<label for="password">' in page
    assert 'autocomplete="name"' in page
    assert page.count('autocomplete="new-password"') == 2
    assert 'aria-describedby="password-hint password-error"' in page
    assert 'id="password-error"' in page
    assert "<title>Error: " in page
    assert "style=" not in page
    assert "<script" not in page
    assert " onclick" not in page


def test_an_address_with_an_account_cannot_be_invited(world: World) -> None:
    with pytest.raises(accounts.EmailInUse):
        invite(world, "A@Oost.example ")


def test_an_address_with_an_account_elsewhere_is_invited_but_can_never_accept(
    client: FlaskClient, world: World
) -> None:
    """The inviter learns nothing about other organisations; the address keeps one account."""
    invitation, token = invite(world, "Admin@West.example")
    assert invitation.email == "admin@west.example"
    with connected(), pytest.raises(accounts.InvitationInvalid):
        accounts.invitation_for(token)
    assert client.get(f"/invite/{token}").status_code == 410
    response = post_form(client, f"/invite/{token}", accept_form(), page="/login")
    assert response.status_code == 410
    with connected():
        assert User.select().where(User.email == "admin@west.example").count() == 1
        assert Invitation.get_by_id(invitation.id).used_at is None


def test_a_clients_therapist_must_be_a_therapist_of_the_same_organisation(
    world: World
) -> None:
    home = world.therapist.organisation
    author = world.people["author"]
    other_admin = world.people["other_admin"]
    with connected():
        with pytest.raises(accounts.NotATherapist):
            accounts.create_invitation(home, "x@oost.example", Role.CLIENT, therapist=author)
        with pytest.raises(accounts.NotATherapist):
            accounts.create_invitation(other_admin.organisation, "x@west.example", Role.CLIENT,
                                       therapist=world.therapist)
        with pytest.raises(accounts.EmailInvalid):
            accounts.create_invitation(home, "not an address", Role.CLIENT)


def test_accepting_while_signed_in_as_someone_else_ends_that_session(
    app: Flask, client: FlaskClient, world: World
) -> None:
    from tests.conftest import login

    old_token = login(client, world.client_a)
    _, token = invite(world)
    assert post_form(client, f"/invite/{token}", accept_form()).status_code == 303
    with connected():
        old = UserSession.get(UserSession.token_hash == token_hash(old_token))
        assert old.ended_at is not None
