"""Sending e-mail: over SMTP when ``MAIL_SERVER`` is set, else into ``INSTANCE_DIR/outbox/``.

The outbox is for development and tests: every mail becomes an ``.eml`` file (readable only by
the app's user, as it holds links with secret tokens). In development the body is echoed to the
log as well, so a developer can click the link; nowhere else does a mail body reach the logs.

Text that someone typed (an inviter's name, the name for a greeting) enters a mail only through
``plain_line``: one line of plain text, short, so it cannot add paragraphs or lines of its own
(a fake "click here" line, say) to a mail that carries our name.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import smtplib
import ssl
import unicodedata
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

SMTP_TIMEOUT = 10  # seconds; a hanging mail server must not hang a request for long
PLAIN_LINE_MAX = 100
# Control characters (line breaks and tabs among them) and the Unicode line and paragraph
# separators: each becomes a space.
_BREAKING = frozenset({"Cc", "Zl", "Zp"})

log = logging.getLogger(__name__)


class MailError(RuntimeError):
    """The mail could not be handed to the mail server."""


def plain_line(text: str | None, limit: int = PLAIN_LINE_MAX) -> str:
    """``text`` as one line of plain text of at most ``limit`` characters.

    Line breaks and control characters (tabs included) become spaces, invisible format
    characters (such as right-to-left overrides, which can make a name read backwards) are
    dropped, runs of white space collapse to one space, and the result is cut at ``limit``.
    """
    kept = []
    for character in text or "":
        category = unicodedata.category(character)
        if category in _BREAKING:
            kept.append(" ")
        elif not category.startswith("C"):
            kept.append(character)
    return " ".join("".join(kept).split())[:limit].rstrip()


def build_message(config: Mapping[str, Any], to: str, subject: str, text_body: str
                  ) -> EmailMessage:
    """A plain-text message from ``MAIL_FROM`` to ``to``."""
    sender = config.get("MAIL_FROM") or "ehealth <noreply@localhost>"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    domain = sender.rsplit("@", 1)[-1].strip(" >") or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text_body)
    return message


def send_mail(config: Mapping[str, Any], to: str, subject: str, text_body: str) -> Path | None:
    """Send a plain-text mail; returns the outbox file when it was written there instead.

    Raises MailError when the SMTP server cannot be reached or refuses the mail.
    """
    message = build_message(config, to, subject, text_body)
    if not config.get("MAIL_SERVER"):
        return _write_to_outbox(config, message, to, text_body)
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 587),
                          timeout=SMTP_TIMEOUT) as smtp:
            if config.get("MAIL_USE_TLS", True):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(f"Mail server {config['MAIL_SERVER']} did not take the mail: "
                        f"{type(error).__name__}") from error
    log.info("Mail %r sent over SMTP", subject)
    return None


def _write_to_outbox(config: Mapping[str, Any], message: EmailMessage, to: str,
                     text_body: str) -> Path:
    outbox = Path(config["INSTANCE_DIR"]) / "outbox"
    outbox.mkdir(parents=True, exist_ok=True)
    name = f"{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S-%f}-{secrets.token_hex(4)}.eml"
    path = outbox / name
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(message.as_bytes())
    if config.get("ENV_NAME") == "development":
        log.info("mail to %s written to %s\n%s", to, path, text_body)
    else:
        log.info("mail written to %s (no MAIL_SERVER set)", path)
    return path
