"""The e-mail that invites a new staff member, in the language the admin chose for it.

The link is made as in ``ehealth.auth.mails`` (it starts with ``BASE_URL``, never with the
Host header of the request). A staff member's invitation says who invites them, for which role
and organisation; the client's invitation (``auth.mails.send_invitation``) talks about
working through modules instead. As there, the names typed by people (the admin's, the one
for the greeting) enter the mail as one line of plain text of at most 100 characters, and an
address that has an account already gets ``auth.mails.send_account_exists`` instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from ehealth.auth.mails import invitation_link, send_account_exists
from ehealth.models import Invitation, User
from ehealth.services import accounts
from ehealth.services.mail import plain_line, send_mail
from ehealth.services.people import role_label


def send_staff_invitation(config: Mapping[str, Any], invitation: Invitation, token: str,
                          name: str, invited_by: User) -> Path | None:
    """Mail the invitation link to the invited address, in ``invitation.language``.

    Raises ``services.mail.MailError`` when the mail server does not take it. When the address
    has an account already, its holder gets ``send_account_exists`` instead.
    """
    holder = accounts.account_with_email(invitation.email)
    if holder is not None:
        return send_account_exists(config, holder, invitation.organisation)
    link = invitation_link(config, token)
    greeting_name = plain_line(name)
    with force_locale(invitation.language or config["DEFAULT_LANGUAGE"]):
        subject = _("Your invitation for ehealth")
        body = "\n\n".join([
            _("Hello %(name)s,", name=greeting_name) if greeting_name else _("Hello,"),
            _("%(inviter)s invites you to ehealth, as %(role)s at %(organisation)s.",
              inviter=plain_line(invited_by.name) or invited_by.email,
              role=role_label(invitation.role),
              organisation=plain_line(invitation.organisation.name)),
            _("Open this link to choose your password:") + "\n" + link,
            _("The link works once and for 7 days. Did you not expect this e-mail? Then you "
              "can ignore it."),
        ]) + "\n"
    return send_mail(config, invitation.email, subject, body)
