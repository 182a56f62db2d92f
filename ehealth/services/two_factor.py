"""The staff's second factor: time-based one-time codes (TOTP, RFC 6238) and recovery codes.

Therapists, authors and admins confirm every log-in with a code from an authenticator app.
Each code is accepted once only (the last accepted time step is stored and must rise), and ten
single-use recovery codes stand in when the phone is gone (ASVS 2.8, 4.3.1).

Between the right password and the code, the log-in is a ``PendingLogin`` on the server, bound
to one attempt (the browser's cookie holds only its random token) and alive for 5 minutes; it
ends on success, when the same browser starts a new attempt and when the password changes
(ASVS 3.2.1, 3.3.1). During the first set-up its row holds the new TOTP secret, so the secret
never travels in the (signed, readable) session cookie.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import io
import secrets
from typing import Any

import pyotp
import segno

from ehealth.database import write_transaction
from ehealth.models import PendingLogin, RecoveryCode, User, utcnow
from ehealth.services.sessions import new_token, token_hash

ISSUER = "ehealth"
RECOVERY_CODES = 10
STEP_SECONDS = 30
# Long enough to open the app and type a code (or scan the QR code first), short enough that a
# copied cookie is soon worth nothing.
PENDING_VALID = dt.timedelta(minutes=5)
# Ended attempts are kept a day (for anyone looking into a report), then removed.
PENDING_KEPT = dt.timedelta(days=1)


class CodeRejected(Exception):
    """The code is wrong, expired, or was used before."""


def new_secret() -> str:
    """A fresh base32 secret for an authenticator app."""
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code of ``uri`` as an SVG data URI (an <img>, so the page needs no inline SVG).

    A standalone SVG document, with its ``xmlns``: as an image (unlike inline in HTML) an SVG
    without its namespace is not SVG at all, and browsers show nothing.
    """
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", xmldecl=False, scale=5,
                                    dark="#1f2a2e", light="#ffffff")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _step_of(secret: str, code: str, now: dt.datetime) -> int | None:
    """The time step ``code`` belongs to (allowing one step of clock drift), or None."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.replace(tzinfo=dt.UTC).timestamp()) // STEP_SECONDS
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _accept_step(user: User, step: int) -> bool:
    """Record ``step`` as used; False when it (or a later one) was used already."""
    with write_transaction():
        updated = (User.update(totp_last_step=step)
                   .where((User.id == user.id)
                          & (User.totp_last_step.is_null() | (User.totp_last_step < step)))
                   .execute())
    if updated:
        user.totp_last_step = step
    return bool(updated)


def verify(user: User, code: str, now: dt.datetime | None = None) -> None:
    """Accept a code from the user's app (once), or raise CodeRejected."""
    if not user.totp_secret:
        raise CodeRejected("no second factor set up")
    step = _step_of(user.totp_secret, code, now or utcnow())
    if step is None or not _accept_step(user, step):
        raise CodeRejected("wrong or used code")


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode("utf-8")).hexdigest()


def enable(user: User, secret: str, code: str, now: dt.datetime | None = None) -> list[str]:
    """Set up the second factor once the first code from the app is right.

    Returns the recovery codes, shown to the user once and stored only as hashes.
    """
    step = _step_of(secret, code, now or utcnow())
    if step is None:
        raise CodeRejected("wrong code")
    codes = ["-".join(secrets.token_hex(2) for _ in range(3)) for _ in range(RECOVERY_CODES)]
    with write_transaction():
        User.update(totp_secret=secret, totp_enabled_at=utcnow(), totp_last_step=step).where(
            User.id == user.id).execute()
        RecoveryCode.delete().where(RecoveryCode.user == user).execute()
        for recovery in codes:
            RecoveryCode.create(user=user, code_hash=_hash(recovery))
    user.totp_secret, user.totp_last_step = secret, step
    return codes


def use_recovery_code(user: User, code: str) -> None:
    """Accept one unused recovery code (then it is spent), or raise CodeRejected."""
    with write_transaction():
        spent = (RecoveryCode.update(used_at=utcnow())
                 .where((RecoveryCode.user == user) & (RecoveryCode.code_hash == _hash(code))
                        & RecoveryCode.used_at.is_null())
                 .execute())
    if not spent:
        raise CodeRejected("unknown or used recovery code")


def recovery_codes_left(user: User) -> int:
    """How many recovery codes the user has not used."""
    return int(RecoveryCode.select().where((RecoveryCode.user == user)
                                           & RecoveryCode.used_at.is_null()).count())


def reset(user: User) -> None:
    """Remove the second factor (an admin does this when a phone is lost and no codes are
    left); the user sets it up again at the next log-in."""
    with write_transaction():
        User.update(totp_secret=None, totp_enabled_at=None, totp_last_step=None).where(
            User.id == user.id).execute()
        RecoveryCode.delete().where(RecoveryCode.user == user).execute()


# --- the pending log-in ------------------------------------------------------------------------

def start_pending_login(user: User, target: str | None,
                        now: dt.datetime | None = None) -> str:
    """The password was right: start the second-factor step of this one attempt.

    Returns the token for the browser's cookie (only its hash is stored); ``target`` is where
    to go after the code (already checked to be a page of this site).
    """
    now = now or utcnow()
    token = new_token()
    with write_transaction():
        PendingLogin.delete().where(PendingLogin.expires_at < now - PENDING_KEPT).execute()
        PendingLogin.create(user=user, token_hash=token_hash(token), created_at=now,
                            expires_at=now + PENDING_VALID, next_target=target)
    return token


def cancel_pending_login(token: str | None, now: dt.datetime | None = None) -> None:
    """End the attempt of ``token``, if any (the browser logs in anew, or logs out)."""
    if token and len(token) <= 128:
        with write_transaction():
            _end(PendingLogin.token_hash == token_hash(token), now or utcnow())


def pending_login(token: str | None, now: dt.datetime | None = None) -> PendingLogin | None:
    """The live attempt of ``token``, with its user; None when unknown, ended or expired, when
    the account is switched off, or when the password changed after the attempt began."""
    if not token or len(token) > 128:
        return None
    now = now or utcnow()
    pending: PendingLogin | None = (
        PendingLogin.select(PendingLogin, User).join(User)
        .where(PendingLogin.token_hash == token_hash(token)).first())
    if pending is None or pending.ended_at is not None or pending.expires_at <= now:
        return None
    user: User = pending.user
    if not user.active or (user.password_changed_at is not None
                           and user.password_changed_at > pending.created_at):
        return None
    return pending


def setup_secret(pending: PendingLogin) -> str:
    """The TOTP secret this attempt sets up, made (and kept on the server) the first time."""
    if pending.totp_secret:
        return str(pending.totp_secret)
    with write_transaction():
        PendingLogin.update(totp_secret=new_secret()).where(
            (PendingLogin.id == pending.id) & PendingLogin.totp_secret.is_null()).execute()
        # Two tabs asking at once get the same secret: whichever was stored first.
        pending.totp_secret = PendingLogin.get_by_id(pending.id).totp_secret
    return str(pending.totp_secret)


def finish_pending_login(pending: PendingLogin, now: dt.datetime | None = None) -> bool:
    """End the attempt because its second factor was right; False when it had ended already
    (or just expired), so one attempt completes one log-in at most."""
    now = now or utcnow()
    with write_transaction():
        claimed = _end((PendingLogin.id == pending.id) & (PendingLogin.expires_at > now), now)
    return claimed == 1


def end_pending_logins(user: User, now: dt.datetime | None = None) -> int:
    """End every pending attempt of ``user`` (their password changed); returns how many."""
    with write_transaction():
        return _end(PendingLogin.user == user, now or utcnow())


def _end(condition: Any, now: dt.datetime) -> int:
    ended: int = PendingLogin.update(ended_at=now).where(
        condition & PendingLogin.ended_at.is_null()).execute()
    return ended
