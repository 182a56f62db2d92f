"""Accounts: password hashing (Argon2id), invitations, log-in with throttling, password changes
and password resets.

Every secret token (invitation, reset) is stored as ``sessions.token_hash(token)``; the token
itself exists only in the link. Functions take ``now`` so tests can move time; they raise the
named exceptions below, and never say whether an e-mail address has an account.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

from ehealth.database import write_transaction
from ehealth.i18n import LANGUAGE_NAMES
from ehealth.models import Invitation, Organisation, PasswordReset, Role, User, utcnow
from ehealth.services import care
from ehealth.services.sessions import end_all_sessions, new_token, token_hash
from ehealth.services.two_factor import end_pending_logins

if TYPE_CHECKING:
    from ehealth.services.throttle import Throttle

# Argon2id with argon2-cffi's RFC 9106 low-memory profile defaults.
_hasher = PasswordHasher()

PASSWORD_MIN = 12
PASSWORD_MAX = 128
NAME_MAX = 200
EMAIL_MAX = 254
INVITATION_VALID = dt.timedelta(days=7)
RESET_VALID = dt.timedelta(hours=1)
# At most this many reset mails per account per RESET_VALID: no mail-bombing someone's inbox.
RESET_MAX_OPEN = 3
LANGUAGES = tuple(LANGUAGE_NAMES)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(Exception):
    """Base of the account errors."""


class InvitationInvalid(AccountError):
    """The invitation link is unknown, used, expired, or its address already has an account."""


class ResetTokenInvalid(AccountError):
    """The reset link is unknown, used, expired, or the password changed since it was sent."""


class EmailInvalid(AccountError):
    """Not an e-mail address."""


class EmailInUse(AccountError):
    """An account with this e-mail address already exists (in the inviting organisation)."""


class NotATherapist(AccountError):
    """A client's therapist must be an active therapist of the same organisation."""


class PasswordRejected(AccountError):
    """The new password does not meet the rules; ``problems`` says why, for people."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class DetailsInvalid(AccountError):
    """A name or language that cannot be used."""


class WrongPassword(AccountError):
    """The current password given to change it is not correct."""


class LoginFailed(AccountError):
    """E-mail address or password not correct (deliberately not saying which)."""


class AccountLocked(AccountError):
    """Too many failed log-ins for this account; it is locked for a while."""


# --- passwords -----------------------------------------------------------------------------

def hash_password(password: str) -> str:
    """An Argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; False for a missing or malformed hash."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with older parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when there is no account, so both cases take as long."""
    return hash_password(new_token())


def validate_password(password: str) -> list[str]:
    """What is wrong with ``password`` as a new password (empty when it is fine).

    Any characters are allowed (spaces too, and a long sentence is a good password); only the
    length counts: 12 to 128 characters.
    """
    if len(password) < PASSWORD_MIN:
        return [_("Use at least %(num)d characters.", num=PASSWORD_MIN)]
    if len(password) > PASSWORD_MAX:
        return [_("Use at most %(num)d characters.", num=PASSWORD_MAX)]
    return []


def _checked_password(password: str) -> str:
    problems = validate_password(password)
    if problems:
        raise PasswordRejected(problems)
    return hash_password(password)


def normalise_email(email: str) -> str:
    """E-mail addresses are compared lower-case, without surrounding spaces."""
    return email.strip().lower()


def is_email(email: str) -> bool:
    """Whether ``email`` looks like an e-mail address (the mail itself is the real check)."""
    email = normalise_email(email)
    return len(email) <= EMAIL_MAX and bool(_EMAIL.match(email))


def account_with_email(email: str) -> User | None:
    """The account (active or not) with this e-mail address, if there is one."""
    user: User | None = User.get_or_none(User.email == normalise_email(email))
    return user


def _active_user(email: str) -> User | None:
    user = account_with_email(email)
    return user if user is not None and user.active else None


# --- invitations ---------------------------------------------------------------------------

def create_invitation(
    organisation: Organisation,
    email: str,
    role: str,
    therapist: User | None = None,
    invited_by: User | None = None,
    now: dt.datetime | None = None,
) -> tuple[Invitation, str]:
    """Invite ``email`` to an account with ``role`` in ``organisation``; valid for 7 days.

    Returns the invitation and the secret token for the link (only its hash is stored). A
    client's ``therapist`` must be an active therapist of the same organisation.

    An address that has an account in this organisation raises EmailInUse: the inviter may
    know who works and who is a client here. An address with an account in *another*
    organisation is invited like any other, so the inviter learns nothing about other
    organisations; that invitation can never be accepted (``invitation_for`` refuses addresses
    that have an account), and the mail goes to the account holder instead
    (``auth.mails.send_invitation``).
    """
    now = now or utcnow()
    email = normalise_email(email)
    if not is_email(email):
        raise EmailInvalid(email)
    if role not in Role.ALL:
        raise ValueError(f"Unknown role {role!r}.")
    if therapist is not None and (
        therapist.role != Role.THERAPIST or not therapist.active
        or therapist.organisation_id != organisation.id
    ):
        raise NotATherapist(therapist.email)
    existing = account_with_email(email)
    if existing is not None and existing.__data__["organisation"] == organisation.id:
        raise EmailInUse(email)
    token = new_token()
    with write_transaction():
        invitation = Invitation.create(
            organisation=organisation, email=email, role=role, therapist=therapist,
            invited_by=invited_by, token_hash=token_hash(token), created_at=now,
            expires_at=now + INVITATION_VALID,
        )
    return invitation, token


def invitation_for(token: str, now: dt.datetime | None = None) -> Invitation:
    """The open invitation of ``token``; InvitationInvalid when unknown, used or expired."""
    now = now or utcnow()
    if not token or len(token) > 128:
        raise InvitationInvalid()
    invitation: Invitation | None = Invitation.get_or_none(
        Invitation.token_hash == token_hash(token))
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= now:
        raise InvitationInvalid()
    if User.select().where(User.email == invitation.email).exists():
        raise InvitationInvalid()
    return invitation


def accept_invitation(
    token: str, name: str, password: str, language: str, now: dt.datetime | None = None
) -> User:
    """Use the invitation once: create the account in its organisation, with its role.

    The therapist who invited a client stays recorded on the invitation.
    """
    now = now or utcnow()
    name = name.strip()
    if not name or len(name) > NAME_MAX or language not in LANGUAGES:
        raise DetailsInvalid()
    password_hash = _checked_password(password)
    with write_transaction():
        invitation = invitation_for(token, now)
        claimed = Invitation.update(used_at=now).where(
            (Invitation.id == invitation.id) & Invitation.used_at.is_null()
        ).execute()
        if claimed != 1:
            raise InvitationInvalid()
        user: User = User.create(
            organisation=invitation.organisation, email=invitation.email, name=name,
            role=invitation.role, language=language, password_hash=password_hash,
            password_changed_at=now, created_at=now,
        )
        Invitation.update(user=user).where(Invitation.id == invitation.id).execute()
        therapist: User | None = invitation.therapist
        if user.role == Role.CLIENT and therapist is not None:
            # The inviting therapist becomes the client's primary therapist.
            care.start_primary(user, therapist, started_by=invitation.invited_by, now=now)
    return user


# --- log-in ----------------------------------------------------------------------------------

def authenticate(
    email: str, password: str, throttle: Throttle, now: dt.datetime | None = None
) -> User:
    """The user with this e-mail address and password.

    Raises LoginFailed for an unknown address, a wrong password or an inactive account alike
    (checked against a dummy hash when there is no account, so it takes as long), and
    AccountLocked after too many failures for this address. A hash made with older Argon2
    parameters is replaced on success.
    """
    email = normalise_email(email)
    if throttle.is_locked(email, now):
        raise AccountLocked()
    user = _active_user(email)
    if user is None or not user.password_hash:
        verify_password(_dummy_hash(), password)
        ok = False
    else:
        ok = verify_password(user.password_hash, password)
    if not ok or user is None or not user.password_hash:
        if throttle.record_failure(email, now):
            raise AccountLocked()
        raise LoginFailed()
    throttle.reset(email)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        with write_transaction():
            User.update(password_hash=user.password_hash).where(User.id == user.id).execute()
    return user


# --- the account -------------------------------------------------------------------------------

def set_language(user: User, language: str) -> None:
    """The language the user wants the product (and its e-mails) in."""
    if language not in LANGUAGES:
        raise DetailsInvalid()
    with write_transaction():
        User.update(language=language).where(User.id == user.id).execute()
    user.language = language


def _set_password(user: User, password_hash: str, now: dt.datetime) -> None:
    """Store a new password; every open reset link and every log-in still waiting for its
    second factor (someone who knew the old password) dies."""
    User.update(password_hash=password_hash, password_changed_at=now).where(
        User.id == user.id).execute()
    PasswordReset.update(used_at=now).where(
        (PasswordReset.user == user) & PasswordReset.used_at.is_null()).execute()
    end_pending_logins(user, now)
    user.password_hash = password_hash
    user.password_changed_at = now


def change_password(
    user: User, current: str, new: str, keep_token: str | None,
    throttle: Throttle | None = None, now: dt.datetime | None = None,
) -> int:
    """Change the password after checking the current one.

    Every other session of the user ends (``keep_token`` names the one to keep, the one making
    the change) and open reset links die. Returns how many sessions were ended. With a
    ``throttle``, wrong current passwords count as failed log-ins (AccountLocked when too many),
    so a borrowed session cannot be used to guess the password.
    """
    now = now or utcnow()
    if throttle is not None and throttle.is_locked(user.email, now):
        raise AccountLocked()
    if not verify_password(user.password_hash, current):
        if throttle is not None and throttle.record_failure(user.email, now):
            raise AccountLocked()
        raise WrongPassword()
    password_hash = _checked_password(new)
    with write_transaction():
        _set_password(user, password_hash, now)
        return end_all_sessions(user, keep_token=keep_token)


# --- password reset ----------------------------------------------------------------------------

def request_password_reset(
    email: str, now: dt.datetime | None = None
) -> tuple[User, str] | None:
    """A reset token (valid 1 hour) for the account of ``email``, or None.

    None when there is no active account with that address, or when several reset links were
    sent within the hour already. The caller shows the same message either way.
    """
    now = now or utcnow()
    user = _active_user(email)
    if user is None:
        return None
    token = new_token()
    with write_transaction():
        recent = PasswordReset.select().where(
            (PasswordReset.user == user) & PasswordReset.used_at.is_null()
            & (PasswordReset.created_at > now - RESET_VALID)
        ).count()
        if recent >= RESET_MAX_OPEN:
            return None
        PasswordReset.create(user=user, token_hash=token_hash(token), created_at=now,
                             expires_at=now + RESET_VALID)
    return user, token


def password_reset_for(token: str, now: dt.datetime | None = None) -> PasswordReset:
    """The usable reset of ``token``; ResetTokenInvalid when unknown, used, expired, or when
    the password changed after the link was sent."""
    now = now or utcnow()
    if not token or len(token) > 128:
        raise ResetTokenInvalid()
    reset: PasswordReset | None = (
        PasswordReset.select(PasswordReset, User).join(User)
        .where(PasswordReset.token_hash == token_hash(token)).first()
    )
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        raise ResetTokenInvalid()
    user: User = reset.user
    if not user.active or (
        user.password_changed_at is not None and user.password_changed_at > reset.created_at
    ):
        raise ResetTokenInvalid()
    return reset


def reset_password(
    token: str, new: str, throttle: Throttle | None = None, now: dt.datetime | None = None
) -> User:
    """Set a new password with a reset token: once only, and every session of the user ends.

    A password that breaks the rules raises PasswordRejected and leaves the token usable. The
    log-in throttle of the account is cleared: whoever reads its mail may log in again.
    """
    now = now or utcnow()
    password_hash = _checked_password(new)
    with write_transaction():
        reset = password_reset_for(token, now)
        claimed = PasswordReset.update(used_at=now).where(
            (PasswordReset.id == reset.id) & PasswordReset.used_at.is_null()
        ).execute()
        if claimed != 1:
            raise ResetTokenInvalid()
        user: User = reset.user
        _set_password(user, password_hash, now)
        end_all_sessions(user)
    if throttle is not None:
        throttle.reset(user.email)
    return user
