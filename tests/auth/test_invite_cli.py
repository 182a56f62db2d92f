"""``ehealth invite-client``: an invitation in the therapist's organisation, mailed and printed."""

from __future__ import annotations

import email
import re
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import force_locale, gettext

from ehealth.database import connected
from ehealth.models import Invitation, Role, User
from tests.auth.helpers import browser, post_form
from tests.conftest import World

LINK = re.compile(r"https://ehealth\.example/invite/([A-Za-z0-9_-]+)")


def _invite(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["invite-client", *args])


def test_invite_client_prints_a_link_that_works(app: Flask, world: World, outbox: Path) -> None:
    result = _invite(app, "New.Client@Oost.example", "--therapist", "t1@oost.example",
                     "--language", "en")
    assert result.exit_code == 0, result.output
    match = LINK.search(result.output)
    assert match, result.output
    with connected():
        invitation = Invitation.get()
        assert invitation.email == "new.client@oost.example"
        assert invitation.role == Role.CLIENT
        assert invitation.therapist_id == world.therapist.id
        assert invitation.organisation_id == world.therapist.organisation_id

    [mail_file] = sorted(outbox.glob("*.eml"))
    mail = email.message_from_bytes(mail_file.read_bytes())
    assert mail["To"] == "new.client@oost.example"
    assert mail["Subject"] == "Your invitation for ehealth"
    assert match.group(0) in mail.get_payload(decode=True).decode()

    path = match.group(0).removeprefix("https://ehealth.example")
    visitor = browser(app)
    assert visitor.get(path).status_code == 200
    response = post_form(visitor, path, {"name": "Noor", "password": "twelve chars ok",
                                         "repeat": "twelve chars ok", "language": "nl"})
    assert response.status_code == 303
    with connected():
        user = User.get(User.email == "new.client@oost.example")
    assert user.role == Role.CLIENT
    assert user.language == "nl"


def test_the_invitation_mail_is_in_the_chosen_language(app: Flask, world: World,
                                                       outbox: Path) -> None:
    assert _invite(app, "nieuw@oost.example", "--therapist", "t1@oost.example").exit_code == 0
    mail = email.message_from_bytes(next(outbox.glob("*.eml")).read_bytes())
    with app.app_context(), force_locale("nl"):
        dutch = gettext("Your invitation for ehealth")
    assert str(make_header(decode_header(mail["Subject"]))) == dutch


def test_the_therapist_must_exist_and_be_a_therapist(app: Flask, world: World) -> None:
    for therapist in ("nobody@oost.example", "author@oost.example", "a@oost.example"):
        result = _invite(app, "new@oost.example", "--therapist", therapist)
        assert result.exit_code == 1, therapist
        assert "is not the e-mail address of an active therapist" in result.output
    with connected():
        assert Invitation.select().count() == 0


def test_an_address_with_an_account_or_no_address_is_refused(app: Flask, world: World) -> None:
    taken = _invite(app, "b@oost.example", "--therapist", "t1@oost.example")
    assert taken.exit_code == 1
    assert "already has an account" in taken.output
    nonsense = _invite(app, "not-an-address", "--therapist", "t1@oost.example")
    assert nonsense.exit_code == 1
    assert "is not an e-mail address" in nonsense.output


def test_an_address_with_an_account_in_another_organisation_is_refused_too(
    app: Flask, world: World, outbox: Path
) -> None:
    """Whoever runs the command can read the database: a link that cannot work would mislead."""
    result = _invite(app, "Admin@West.example", "--therapist", "t1@oost.example")
    assert result.exit_code == 1
    assert "already has an account" in result.output
    assert "/invite/" not in result.output
    with connected():
        assert Invitation.select().count() == 0
    assert not outbox.exists() or list(outbox.glob("*.eml")) == []
