"""Account commands: ``ehealth invite-client EMAIL --therapist EMAIL [--language nl|en]``.

The command creates the invitation in the therapist's organisation, mails it, and prints the
link. Unlike the invite screens, it refuses every address that has an account already, in any
organisation: whoever runs it can read the database anyway, and a printed link that can never
work would only mislead.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from ehealth.auth.mails import invitation_link, send_invitation
from ehealth.database import connected
from ehealth.i18n import LANGUAGE_NAMES
from ehealth.models import Role, User
from ehealth.services import accounts
from ehealth.services.mail import MailError


def register(app: Flask) -> None:
    """Add the account commands to ``app.cli``."""
    app.cli.add_command(invite_client_command)


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@click.command("invite-client")
@click.argument("email")
@click.option("--therapist", "therapist_email", required=True, metavar="EMAIL",
              help="E-mail address of the client's therapist (an existing therapist account).")
@click.option("--language", type=click.Choice(sorted(LANGUAGE_NAMES)), default="nl",
              show_default=True, help="Language of the invitation e-mail.")
@with_appcontext
def invite_client_command(email: str, therapist_email: str, language: str) -> None:
    """Invite a client (EMAIL): mail a link, valid 7 days, to set up their account."""
    config = current_app.config
    with connected():
        therapist = User.get_or_none(User.email == accounts.normalise_email(therapist_email))
        if therapist is None or therapist.role != Role.THERAPIST or not therapist.active:
            _fail(f"{therapist_email} is not the e-mail address of an active therapist.")
        if accounts.account_with_email(email) is not None:
            _fail(f"{email} already has an account.")
        try:
            invitation, token = accounts.create_invitation(
                therapist.organisation, email, Role.CLIENT, therapist=therapist,
                invited_by=therapist,
            )
        except accounts.EmailInvalid:
            _fail(f"{email!r} is not an e-mail address.")
        except accounts.EmailInUse:
            _fail(f"{email} already has an account.")
        try:
            outbox_file = send_invitation(config, invitation, token, language)
        except MailError as error:
            click.echo(f"Warning: the invitation e-mail was not sent ({error}). "
                       "Give the client the link below yourself.", err=True)
        else:
            where = f" (written to {outbox_file})" if outbox_file else ""
            click.echo(f"Invitation mailed to {invitation.email}{where}.")
    click.echo(f"Valid for 7 days, once: {invitation_link(config, token)}")
