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
