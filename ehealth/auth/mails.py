"""The account e-mails (invitation, password reset), in the recipient's language.

Links start with ``BASE_URL``, never with the Host header of the request that caused the mail,
so a forged Host cannot send someone a link to another site.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from ehealth.models import Invitation, User
from ehealth.services.mail import send_mail


def invitation_link(config: Mapping[str, Any], token: str) -> str:
    """The link that opens an invitation."""
    return f"{config['BASE_URL']}/invite/{token}"


def reset_link(config: Mapping[str, Any], token: str) -> str:
    """The link that opens a password reset."""
    return f"{config['BASE_URL']}/password/reset/{token}"


def send_invitation(config: Mapping[str, Any], invitation: Invitation, token: str,
                    language: str, name: str = "") -> Path | None:
    """Mail the invitation link to the invited address, in ``language``.

    With a ``name`` the mail opens with "Hello <name>,".
    """
    link = invitation_link(config, token)
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
            _("Hello %(name)s,", name=name) if name else _("Hello,"),
            opening,
            _("Open this link to choose your password:") + "\n" + link,
            _("The link works once and for 7 days. Did you not expect this e-mail? Then you "
              "can ignore it."),
        ]) + "\n"
    return send_mail(config, invitation.email, subject, body)


def send_password_reset(config: Mapping[str, Any], user: User, token: str) -> Path | None:
    """Mail a password-reset link to ``user``, in their language."""
    link = reset_link(config, token)
    with force_locale(user.language or config["DEFAULT_LANGUAGE"]):
        subject = _("Choose a new password")
        body = "\n\n".join([
            _("Hello %(name)s,", name=user.name) if user.name else _("Hello,"),
            _("Someone, probably you, asked for a new password for your ehealth account."),
            _("Open this link within 1 hour to choose a new password:") + "\n" + link,
            _("The link works once. Did you not ask for a new password? Then you can ignore "
              "this e-mail: your password stays the same."),
        ]) + "\n"
    return send_mail(config, user.email, subject, body)
