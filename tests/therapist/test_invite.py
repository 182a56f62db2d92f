"""Inviting a client: the e-mail goes out, the link works, the client lands on the caseload."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.message import Message
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import Invitation, Role, User
from tests.conftest import World, csrf_token
from tests.therapist.conftest import assert_one_event, browser, events

LINK = re.compile(r"https://ehealth\.example/invite/([A-Za-z0-9_-]+)")


def _outbox(app: Flask) -> list[Message]:
    folder = Path(app.config["INSTANCE_DIR"]) / "outbox"
    return [message_from_bytes(path.read_bytes())
            for path in sorted(folder.glob("*.eml"))] if folder.exists() else []


def _body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode("utf-8")


def _invite(therapist: FlaskClient, **data: str) -> tuple[int, str]:
    token = csrf_token(therapist, "/therapist/clients/invite")
    response = therapist.post("/therapist/clients/invite", data={**data, "csrf_token": token})
    if response.status_code == 303:
        return 303, therapist.get(response.headers["Location"]).get_data(as_text=True)
    return response.status_code, response.get_data(as_text=True)


def test_inviting_a_client_sends_the_link_and_the_link_sets_up_their_account(
    app: Flask, world: World, therapist: FlaskClient
) -> None:
    before = len(events())
    status, page = _invite(therapist, email=" Sam@Example.org ", name="Sam", language="en")
    assert status == 303
    assert "We sent an invitation to sam@example.org." in page
    assert "sam@example.org" in page.split("Invitations not accepted yet")[-1]
    with connected():
        invitation = Invitation.get(Invitation.email == "sam@example.org")
    assert invitation.__data__["therapist"] == world.therapist.id
    assert invitation.__data__["organisation"] == world.therapist.__data__["organisation"]
    assert (invitation.role, invitation.language) == (Role.CLIENT, "en")
    assert_one_event(before, world.therapist, "client.invited", None, "invitation",
                     invitation.id)
    [mail] = _outbox(app)
    assert mail["To"] == "sam@example.org"
    assert mail["Subject"] == "Your invitation for ehealth"
    body = _body(mail)
    assert body.startswith("Hello Sam,")
    link = LINK.search(body)
    assert link is not None

    newcomer = browser(app)
    assert newcomer.get(f"/invite/{link.group(1)}").status_code == 200
    response = newcomer.post(f"/invite/{link.group(1)}", data={
        "csrf_token": csrf_token(newcomer, f"/invite/{link.group(1)}"),
        "name": "Sam Jansen", "password": "a long enough password", "repeat":
        "a long enough password", "language": "en"})
    assert response.status_code == 303
    with connected():
        sam = User.get(User.email == "sam@example.org")
    assert sam.role == Role.CLIENT
    caseload = therapist.get("/therapist/").get_data(as_text=True)
    assert "Sam Jansen" in caseload
    assert "No modules yet" in caseload
    # Now a module can be given: the client page of the new client opens.
    assert therapist.get(f"/therapist/clients/{sam.id}").status_code == 200
    invitations = therapist.get("/therapist/clients/invite").get_data(as_text=True)
    assert "sam@example.org" not in invitations.split("Invitations not accepted yet")[-1]


def test_without_a_name_the_mail_greets_plainly_in_dutch(app: Flask,
                                                         therapist: FlaskClient) -> None:
    status, _page = _invite(therapist, email="kim@example.org", language="nl")
    assert status == 303
    [mail] = _outbox(app)
    body = _body(mail)
    assert LINK.search(body)
    assert not body.startswith("Hello")


def test_an_address_with_an_account_or_no_address_is_refused(
    app: Flask, world: World, therapist: FlaskClient
) -> None:
    before = len(events())
    status, page = _invite(therapist, email="a@oost.example", language="nl")
    assert status == 422
    assert "There is already an account with this e-mail address." in page
    status, page = _invite(therapist, email="not an address", language="nl")
    assert status == 422
    assert "error-summary" in page
    assert _outbox(app) == []
    assert len(events()) == before


FLASH = re.compile(r'<p class="flash[^>]*>(.*?)</p>', re.S)


def _invitation_rows(page: str, email: str) -> list[str]:
    """The rows of the open invitations, the one of ``email`` with its address blanked."""
    listed = page.split("Invitations not accepted yet")[-1]
    return [re.sub(r"\s+", " ", row).replace(email, "ADDRESS")
            for row in re.findall(r"<tr>.*?</tr>", listed, re.S) if email in row]


def test_an_address_with_an_account_elsewhere_gets_the_answer_of_a_fresh_invitation(
    app: Flask, world: World, therapist: FlaskClient
) -> None:
    with connected():  # the account holder reads their mail in their own language
        User.update(language="en").where(User.email == "c@west.example").execute()
    before = len(events())
    fresh_status, fresh_page = _invite(therapist, email="new@example.org", language="en")
    taken_status, taken_page = _invite(therapist, email="C@West.example", language="en")
    assert fresh_status == taken_status == 303
    assert [m.replace("new@example.org", "ADDRESS") for m in FLASH.findall(fresh_page)] == [
        m.replace("c@west.example", "ADDRESS") for m in FLASH.findall(taken_page)]
    assert _invitation_rows(taken_page, "c@west.example") == _invitation_rows(
        taken_page, "new@example.org")
    assert len(_invitation_rows(taken_page, "c@west.example")) == 1
    assert [e.action for e in events()[before:]] == ["client.invited", "client.invited"]

    fresh_mail, notice = _outbox(app)
    assert fresh_mail["To"] == "new@example.org"
    # The account holder hears of it instead; nothing about their own account or care.
    assert notice["To"] == "c@west.example"
    assert notice["Subject"] == "Someone tried to invite you to ehealth"
    body = _body(notice)
    assert "Someone at Zorg Oost tried to invite you to ehealth" in body
    assert "One e-mail address can have one account only" in body
    assert "invite you with another e-mail address" in body
    assert LINK.search(body) is None
    for private in ("Zorg West", "voorbeeld", "t@west.example", "t1"):
        assert private not in body


def test_the_invitation_to_an_address_with_an_account_elsewhere_can_never_be_used(
    app: Flask, world: World, therapist: FlaskClient
) -> None:
    from ehealth.services import accounts

    with connected():
        _invitation, token = accounts.create_invitation(
            world.therapist.organisation, "c@west.example", Role.CLIENT,
            therapist=world.therapist, invited_by=world.therapist)
    newcomer = browser(app)
    assert newcomer.get(f"/invite/{token}").status_code == 410
    with connected():
        assert User.select().where(User.email == "c@west.example").count() == 1


def test_invitations_per_therapist_are_limited(app: Flask, world: World,
                                               therapist: FlaskClient) -> None:
    app.config["RATE_LIMIT_INVITATIONS"] = "2 per hour"
    for number in range(2):
        assert _invite(therapist, email=f"client{number}@example.org",
                       language="en")[0] == 303
    status, page = _invite(therapist, email="client2@example.org", language="en")
    assert status == 429
    assert "You sent many invitations in a short time. Wait 60 minutes and try again." in page
    assert 'name="email"' in page  # the invite page itself, with its form
    assert len(_outbox(app)) == 2
    with connected():
        assert Invitation.select().where(Invitation.email == "client2@example.org").count() == 0
    # Another therapist's count is their own.
    colleague = browser(app, world.people["other_therapist"])
    assert _invite(colleague, email="client3@example.org", language="en")[0] == 303


def test_names_enter_the_invitation_mail_as_one_short_line(app: Flask, world: World,
                                                          therapist: FlaskClient) -> None:
    with connected():
        User.update(name="Dr. Evil\r\n\r\nYour account is blocked. Log in at "
                         "https://evil.example\u2028now\t" + "x" * 100).where(
            User.id == world.therapist.id).execute()
    status, _page = _invite(therapist, email="sam@example.org", language="en",
                            name="Sam\n\nhttps://evil.example/login")
    assert status == 303
    [mail] = _outbox(app)
    greeting, opening, *_rest = _body(mail).split("\n\n")
    assert greeting == "Hello Sam https://evil.example/login,"
    name = opening.split(" invites you to ehealth")[0]
    assert "\n" not in opening
    assert "\u2028" not in opening
    assert name.startswith("Dr. Evil Your account is blocked. Log in at https://evil.example now x")
    assert len(name) == 100
