"""The staff's second factor: time-based one-time codes (TOTP, RFC 6238) and recovery codes.

Therapists, authors and admins confirm every log-in with a code from an authenticator app.
Each code is accepted once only (the last accepted time step is stored and must rise), and ten
single-use recovery codes stand in when the phone is gone (ASVS 2.8, 4.3.1).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets

import pyotp
import segno

from ehealth.database import write_transaction
from ehealth.models import RecoveryCode, User, utcnow

ISSUER = "ehealth"
RECOVERY_CODES = 10
STEP_SECONDS = 30


class CodeRejected(Exception):
    """The code is wrong, expired, or was used before."""


def new_secret() -> str:
    """A fresh base32 secret for an authenticator app."""
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code of ``uri`` as an SVG data URI (an <img>, so the page needs no inline SVG)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#1f2a2e", light="#ffffff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


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
