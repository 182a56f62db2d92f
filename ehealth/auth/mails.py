"""The account e-mails (invitation, password reset), in the recipient's language.

Links start with ``BASE_URL``, never with the Host header of the request that caused the mail,
so a forged Host cannot send someone a link to another site. Names that people typed (the
inviter's, the one for the greeting) enter a mail as one line of plain text of at most 100
characters (``services.mail.plain_line``).

An invitation to an address that already has an account (in another organisation: within the
same one the inviter is told) does not send the invitation: the account holder gets a short
note instead, and the inviter sees what any invitation shows (``services.accounts``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ehealth.models import Invitation, Organisation, User
from ehealth.services import accounts
from ehealth.services.mail import MailError, plain_line, send_mail

log = logging.getLogger(__name__)


def invitation_link(config: Mapping[str, Any], token: str) -> str:
    """The link that opens an invitation."""
    return f"{config['BASE_URL']}/invite/{token}"


def reset_link(config: Mapping[str, Any], token: str) -> str:
    """The link that opens a password reset."""
    return f"{config['BASE_URL']}/password/reset/{token}"


def _greeting(name: str | None) -> str:
    name = plain_line(name)
    return _("Hello %(name)s,", name=name) if name else _("Hello,")


def send_invitation(config: Mapping[str, Any], invitation: Invitation, token: str,
                    language: str, name: str = "") -> Path | None:
    """Mail the invitation link to the invited address, in ``language``.

    With a ``name`` the mail opens with "Hello <name>,". When the address has an account
    already, its holder gets ``send_account_exists`` instead.
    """
    holder = accounts.account_with_email(invitation.email)
    if holder is not None:
        return send_account_exists(config, holder, invitation.organisation)
    link = invitation_link(config, token)
    therapist: User | None = invitation.therapist
    therapist_name = plain_line(therapist.name) if therapist is not None else ""
    with force_locale(language):
        subject = _("Your invitation for ehealth")
        if therapist_name:
            opening = _("%(name)s invites you to ehealth: online modules you work through at "
                        "your own pace, together with your therapist.", name=therapist_name)
        else:
            opening = _("You are invited to ehealth: online modules you work through at your "
                        "own pace.")
        body = "\n\n".join([
            _greeting(name),
            opening,
            _("Open this link to choose your password:") + "\n" + link,
            _("The link works once and for 7 days. Did you not expect this e-mail? Then you "
              "can ignore it."),
        ]) + "\n"
    return send_mail(config, invitation.email, subject, body)


def send_account_exists(config: Mapping[str, Any], holder: User,
                        organisation: Organisation) -> Path | None:
    """Tell ``holder`` that ``organisation`` tried to invite their address, which has an
    account already; in the holder's language.

    Nothing about the holder's own account, organisation or care is in it: only that one
    address can have one account, and what to do.
    """
    with force_locale(holder.language or config["DEFAULT_LANGUAGE"]):
        subject = _("Someone tried to invite you to ehealth")
        body = "\n\n".join([
            _greeting(holder.name),
            _("Someone at %(organisation)s tried to invite you to ehealth with this e-mail "
              "address.", organisation=plain_line(organisation.name)),
            _("You already have an account with this address. One e-mail address can have "
              "one account only, so no second account was made."),
            _("Do you also want an account for %(organisation)s? Then ask them to invite you "
              "with another e-mail address.", organisation=plain_line(organisation.name)),
            _("Did you not expect this e-mail? Then you can ignore it. Your account stays as "
              "it is."),
        ]) + "\n"
    return send_mail(config, holder.email, subject, body)


def send_password_reset(config: Mapping[str, Any], user: User, token: str) -> Path | None:
    """Mail a password-reset link to ``user``, in their language."""
    link = reset_link(config, token)
    with force_locale(user.language or config["DEFAULT_LANGUAGE"]):
        subject = _("Choose a new password")
        body = "\n\n".join([
            _greeting(user.name),
            _("Someone, probably you, asked for a new password for your ehealth account."),
            _("Open this link within 1 hour to choose a new password:") + "\n" + link,
            _("The link works once. Did you not ask for a new password? Then you can ignore "
              "this e-mail: your password stays the same."),
        ]) + "\n"
    return send_mail(config, user.email, subject, body)


def mail_password_reset(email: str) -> None:
    """The background job of "forgot password": a reset link for the account of ``email``.

    Nothing happens for an address without an active account, or when the account got several
    links within the hour already (``accounts.request_password_reset``).
    """
    result = accounts.request_password_reset(email)
    if result is None:
        return
    user, token = result
    try:
        send_password_reset(current_app.config, user, token)
    except MailError:
        log.exception("The password-reset mail for user %s could not be sent", user.id)
