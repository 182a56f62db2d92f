"""People: the list, inviting staff, deactivating and activating accounts, moving a client."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import cast

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ehealth.database import connected
from ehealth.models import Assignment, AuditEvent, Invitation, Role, User, UserSession
from ehealth.services import audit
from ehealth.services.mail import MailError
from tests.admin.conftest import SignedIn
from tests.auth.helpers import browser, form_errors, log_in, outbox_mails, post_form
from tests.conftest import PASSWORD, World, login

NEW_PASSWORD = "a therapist's own long password"


def _invite(admin: FlaskClient, **changes: str) -> TestResponse:
    data = {"email": "noor@oost.example", "name": "Noor Haddou", "role": "therapist",
            "language": "nl", **changes}
    return post_form(admin, "/admin/people/invite", data, page="/admin/")


def _mail(outbox: Path) -> EmailMessage:
    mails = outbox_mails(outbox.parent)
    assert len(mails) == 1
    return cast(EmailMessage, message_from_bytes(mails[0].read_bytes(), policy=default))


def _id(world: World, role: str) -> int:
    user = world.people[role]
    assert user is not None
    return int(user.id)


def _events(action: str) -> list[AuditEvent]:
    with connected():
        return list(AuditEvent.select().where(AuditEvent.action == action)
                    .order_by(AuditEvent.id))


def test_the_people_page_lists_staff_and_clients_with_role_state_and_last_login(
    signed_in: SignedIn, world: World
) -> None:
    with connected():
        User.update(name="Bea Bakker", active=False).where(
            User.id == _id(world, "client_b")).execute()
    response = signed_in("admin").get("/admin/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    for email in ("a@oost.example", "b@oost.example", "t1@oost.example", "author@oost.example",
                  "admin@oost.example"):
        assert email in page
    assert "admin@west.example" not in page
    assert "Bea Bakker" in page
    assert "Deactivated" in page
    assert "therapist" in page
    assert "Last logged in" in page
    assert 'role="region"' in page
    assert 'scope="col"' in page
    assert 'scope="row"' in page


def test_an_invited_therapist_gets_a_mail_and_a_therapist_account_in_the_same_organisation(
    app: Flask, signed_in: SignedIn, world: World, outbox: Path
) -> None:
    admin = signed_in("admin")
    response = _invite(admin, language="en")
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/"
    page = admin.get("/admin/").get_data(as_text=True)
    assert "The invitation is sent" in page
    assert "noor@oost.example" in page  # among the invitations not yet accepted

    mail = _mail(outbox)
    assert mail["To"] == "noor@oost.example"
    body = mail.get_content()
    assert "Hello Noor Haddou," in body
    assert "as therapist at Zorg Oost" in body
    link = re.search(r"https://ehealth\.example/invite/(\S+)", body)
    assert link, body
    with connected():
        invitation = Invitation.get(Invitation.email == "noor@oost.example")
        assert (invitation.role, invitation.language) == (Role.THERAPIST, "en")
        assert invitation.invited_by_id == _id(world, "admin")
    [event] = _events(audit.STAFF_INVITED)
    assert event.actor_id == _id(world, "admin")
    assert (event.object_type, event.object_id) == ("invitation", str(invitation.id))

    newcomer = browser(app)
    accepted = post_form(newcomer, f"/invite/{link.group(1)}", {
        "name": "Noor Haddou", "password": NEW_PASSWORD, "repeat": NEW_PASSWORD,
        "language": "nl"})
    assert accepted.status_code == 303
    with connected():
        user = User.get(User.email == "noor@oost.example")
        assert user.role == Role.THERAPIST
        assert user.organisation_id == world.therapist.organisation_id


def test_the_invitation_mail_is_in_the_chosen_language(
    signed_in: SignedIn, world: World, outbox: Path
) -> None:
    assert _invite(signed_in("admin"), language="nl").status_code == 303
    mail = _mail(outbox)
    assert mail["Subject"] == "Je uitnodiging voor ehealth"
    body = mail.get_content()
    assert "Hallo Noor Haddou," in body
    assert "https://ehealth.example/invite/" in body


def test_an_invitation_with_mistakes_comes_back_with_its_errors_and_sends_nothing(
    signed_in: SignedIn, world: World, outbox: Path
) -> None:
    admin = signed_in("admin")
    response = _invite(admin, email="not an address", name="", role="client")
    assert response.status_code == 422
    errors = form_errors(response.get_data(as_text=True))
    assert len(errors) == 3, errors
    taken = _invite(admin, email="T1@oost.example")
    assert taken.status_code == 422
    assert "already has an account" in taken.get_data(as_text=True)
    assert outbox_mails(outbox.parent) == []
    with connected():
        assert Invitation.select().count() == 0
    assert _events(audit.STAFF_INVITED) == []


def test_when_the_mail_cannot_be_sent_the_admin_gets_the_link_on_the_page_only(
    signed_in: SignedIn, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ehealth.admin.mails

    def refuse(*args: object) -> None:
        raise MailError("no mail server")

    monkeypatch.setattr(ehealth.admin.mails, "send_mail", refuse)
    admin = signed_in("admin")
    response = _invite(admin)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "could not be sent" in page
    assert re.search(r"https://ehealth\.example/invite/\S+", page)
    assert response.headers["Cache-Control"] == "no-store"
    with admin.session_transaction() as session:
        assert "/invite/" not in str(session.get("_flashes"))


def test_an_address_with_an_account_elsewhere_gets_the_answer_of_a_fresh_invitation(
    signed_in: SignedIn, world: World, outbox: Path
) -> None:
    admin = signed_in("admin")
    fresh = _invite(admin, email="noor@oost.example")
    fresh_page = admin.get("/admin/").get_data(as_text=True)
    taken = _invite(admin, email="T@West.example", name="Tim")
    taken_page = admin.get("/admin/").get_data(as_text=True)
    assert fresh.status_code == taken.status_code == 303
    assert fresh.headers["Location"] == taken.headers["Location"]
    assert "The invitation is sent" in fresh_page
    assert "The invitation is sent" in taken_page
    rows = {email: re.sub(r"\s+", " ", row).replace(email, "ADDRESS")
            for row in re.findall(r"<tr>.*?</tr>", taken_page, re.S)
            for email in ("noor@oost.example", "t@west.example") if email in row}
    assert rows["noor@oost.example"] == rows["t@west.example"]
    assert len(_events(audit.STAFF_INVITED)) == 2

    mails = [message_from_bytes(path.read_bytes(), policy=default)
             for path in outbox_mails(outbox.parent)]
    notice = cast(EmailMessage, mails[-1])
    assert notice["To"] == "t@west.example"
    assert notice["Subject"] == "Someone tried to invite you to ehealth"
    body = notice.get_content()
    assert "Someone at Zorg Oost tried to invite you" in body
    assert "/invite/" not in body
    assert "Zorg West" not in body


def test_staff_invitations_per_admin_are_limited(
    app: Flask, signed_in: SignedIn, world: World, outbox: Path
) -> None:
    app.config["RATE_LIMIT_INVITATIONS"] = "1 per hour"
    admin = signed_in("admin")
    assert _invite(admin).status_code == 303
    refused = _invite(admin, email="sara@oost.example")
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert form_errors(page) == [
        "You sent many invitations in a short time. Wait 60 minutes and try again."]
    assert "sara@oost.example" in page  # the form keeps what was typed
    assert len(outbox_mails(outbox.parent)) == 1
    with connected():
        assert Invitation.select().count() == 1


def test_the_names_enter_the_staff_invitation_as_one_short_line(
    signed_in: SignedIn, world: World, outbox: Path
) -> None:
    with connected():
        User.update(name="Marieke\n\nClick https://evil.example to keep your account "
                         + "y" * 120).where(User.id == _id(world, "admin")).execute()
    assert _invite(signed_in("admin"), name="Noor\r\nHaddou", language="en").status_code == 303
    greeting, invites, *_rest = _mail(outbox).get_content().split("\n\n")
    assert greeting == "Hello Noor Haddou,"
    inviter = invites.split(" invites you to ehealth")[0]
    assert "\n" not in invites
    assert inviter.startswith("Marieke Click https://evil.example to keep your account y")
    assert len(inviter) == 100


def test_deactivating_ends_the_persons_sessions_at_once_and_they_cannot_log_in(
    app: Flask, signed_in: SignedIn, world: World
) -> None:
    therapist = world.therapist
    their_browser = browser(app)
    login(their_browser, therapist)
    assert their_browser.get("/account").status_code == 200

    admin = signed_in("admin")
    response = post_form(admin, f"/admin/people/{therapist.id}/deactivate", {},
                         page=f"/admin/people/{therapist.id}")
    assert response.status_code == 303
    assert "deactivated" in admin.get(response.headers["Location"]).get_data(as_text=True)

    refused = their_browser.get("/account")
    assert refused.status_code == 302
    assert "/login" in refused.headers["Location"]
    with connected():
        assert not User.get_by_id(therapist.id).active
        assert UserSession.select().where((UserSession.user == therapist)
                                          & UserSession.ended_at.is_null()).count() == 0
    attempt = log_in(browser(app), therapist.email, PASSWORD)
    assert attempt.status_code == 200
    assert "not correct" in attempt.get_data(as_text=True)

    [event] = _events(audit.ACCOUNT_DEACTIVATED)
    assert event.actor_id == _id(world, "admin")
    assert event.client_id is None  # a therapist is not a client
    assert (event.object_type, event.object_id) == ("user", str(therapist.id))
    assert event.organisation_id == therapist.organisation_id


def test_a_deactivated_account_can_be_activated_again(
    app: Flask, signed_in: SignedIn, world: World
) -> None:
    client_a = world.client_a
    admin = signed_in("admin")
    page = f"/admin/people/{client_a.id}"
    post_form(admin, f"{page}/deactivate", {}, page=page)
    assert post_form(admin, f"{page}/reactivate", {}, page=page).status_code == 303
    with connected():
        assert User.get_by_id(client_a.id).active
    assert log_in(browser(app), client_a.email, PASSWORD).status_code == 303
    [off] = _events(audit.ACCOUNT_DEACTIVATED)
    [on] = _events(audit.ACCOUNT_REACTIVATED)
    assert off.client_id == on.client_id == client_a.id  # the client sees both


def test_an_admin_cannot_deactivate_their_own_account(
    signed_in: SignedIn, world: World
) -> None:
    me = world.people["admin"]
    assert me is not None
    admin = signed_in("admin")
    page = f"/admin/people/{me.id}"
    assert "This is your own account" in admin.get(page).get_data(as_text=True)
    response = post_form(admin, f"{page}/deactivate", {}, page=page)
    assert response.status_code == 303
    assert "cannot deactivate your own account" in admin.get(page).get_data(as_text=True)
    with connected():
        assert User.get_by_id(me.id).active
    assert _events(audit.ACCOUNT_DEACTIVATED) == []


def test_a_client_moves_only_to_an_active_therapist_of_the_same_organisation(
    signed_in: SignedIn, world: World
) -> None:
    client_a = world.client_a
    admin = signed_in("admin")
    page = f"/admin/people/{client_a.id}"
    elsewhere = world.people["other_admin"]
    author = world.people["author"]
    assert elsewhere is not None
    assert author is not None
    # Another organisation's, not a therapist, already theirs, nobody, not a number.
    for value in (elsewhere.id, author.id, world.therapist.id, "", "abc"):
        response = post_form(admin, f"{page}/move", {"therapist": str(value)}, page=page)
        assert response.status_code == 422, value
        assert form_errors(response.get_data(as_text=True)), value
    with connected():
        assert Assignment.get_by_id(world.assignment_a.id).therapist_id == world.therapist.id
    assert _events(audit.CLIENT_MOVED) == []


def test_looking_at_a_clients_page_is_logged_and_a_staff_members_is_not(
    signed_in: SignedIn, world: World
) -> None:
    admin = signed_in("admin")
    assert admin.get(f"/admin/people/{world.client_a.id}").status_code == 200
    assert admin.get(f"/admin/people/{world.therapist.id}").status_code == 200
    [event] = _events(audit.CLIENT_VIEWED)
    assert (event.client_id, event.object_type) == (world.client_a.id, "person")

