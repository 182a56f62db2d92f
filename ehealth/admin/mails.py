"""The e-mail that invites a new staff member, in the language the admin chose for it.

The link is made as in ``ehealth.auth.mails`` (it starts with ``BASE_URL``, never with the
Host header of the request). A staff member's invitation says who invites them, for which role
and organisation; the client's invitation (``auth.mails.send_invitation``) talks about
working through modules instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from ehealth.auth.mails import invitation_link
from ehealth.models import Invitation, User
from ehealth.services.mail import send_mail
from ehealth.services.people import role_label


def send_staff_invitation(config: Mapping[str, Any], invitation: Invitation, token: str,
                          name: str, invited_by: User) -> Path | None:
    """Mail the invitation link to the invited address, in ``invitation.language``.

    Raises ``services.mail.MailError`` when the mail server does not take it.
    """
    link = invitation_link(config, token)
    with force_locale(invitation.language or config["DEFAULT_LANGUAGE"]):
        subject = _("Your invitation for ehealth")
        body = "\n\n".join([
            _("Hello %(name)s,", name=name),
            _("%(inviter)s invites you to ehealth, as %(role)s at %(organisation)s.",
              inviter=invited_by.name or invited_by.email, role=role_label(invitation.role),
              organisation=invitation.organisation.name),
            _("Open this link to choose your password:") + "\n" + link,
            _("The link works once and for 7 days. Did you not expect this e-mail? Then you "
              "can ignore it."),
        ]) + "\n"
    return send_mail(config, invitation.email, subject, body)
