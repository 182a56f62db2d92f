"""The invitation e-mail a therapist sends a client: the account e-mail, greeting them by name.

The texts are those of ``auth.mails.send_invitation`` (so they share their translations); only
the greeting uses the name the therapist typed, which is not stored anywhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from ehealth.auth.mails import invitation_link, send_invitation
from ehealth.models import Invitation, User
from ehealth.services.mail import send_mail


def send_client_invitation(config: Mapping[str, Any], invitation: Invitation, token: str,
                           language: str, name: str = "") -> Path | None:
    """Mail the invitation link in ``language``; "Hello <name>," when a name was given."""
    if not name:
        return send_invitation(config, invitation, token, language)
    therapist: User | None = invitation.therapist
    with force_locale(language):
        subject = _("Your invitation for ehealth")
        if therapist is not None and therapist.name:
            opening = _("%(name)s invites you to ehealth: online modules you work through at "
                        "your own pace, together with your therapist.", name=therapist.name)
        else:
            opening = _("You are invited to ehealth: online modules you work through at your "
                        "own pace.")
        body = "\n\n".join([
            _("Hello %(name)s,", name=name),
            opening,
            _("Open this link to choose your password:") + "\n"
            + invitation_link(config, token),
            _("The link works once and for 7 days. Did you not expect this e-mail? Then you "
              "can ignore it."),
        ]) + "\n"
    return send_mail(config, invitation.email, subject, body)
