"""Server-side sessions: what makes logout and password changes really end a session.

The browser's cookie holds only a random token; the database holds its hash, when it was last
used and whether it has ended. Idle and absolute lifetimes follow ASVS 3.3.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from ehealth.database import write_transaction
from ehealth.models import User, UserSession, utcnow

IDLE_STAFF = dt.timedelta(minutes=30)
IDLE_CLIENT = dt.timedelta(hours=2)
ABSOLUTE = dt.timedelta(hours=12)
# Touch last_seen_at at most this often, so reading pages does not write on every request.
TOUCH_EVERY = dt.timedelta(seconds=60)


def token_hash(token: str) -> str:
    """The stored form of a secret token (session, invitation, reset)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh secret token for a link or a cookie."""
    return secrets.token_urlsafe(32)


def start_session(user: User) -> str:
    """Open a new session for ``user`` and return its token (also set on the user object)."""
    token = new_token()
    with write_transaction():
        UserSession.create(user=user, token_hash=token_hash(token))
        User.update(last_login_at=utcnow()).where(User.id == user.id).execute()
    user.session_token = token
    return token


def idle_limit(user: User) -> dt.timedelta:
    """How long a session of this user may stay unused."""
    return IDLE_STAFF if user.is_staff else IDLE_CLIENT


def load_session(token: str, now: dt.datetime | None = None) -> User | None:
    """The active user of a live session, or None (unknown, ended, idle or too old)."""
    if not token or len(token) > 128:
        return None
    now = now or utcnow()
    record = (UserSession.select(UserSession, User).join(User)
              .where(UserSession.token_hash == token_hash(token)).first())
    if record is None or record.ended_at is not None:
        return None
    user: User = record.user
    if not hmac.compare_digest(record.token_hash, token_hash(token)) or not user.active:
        return None
    if now - record.created_at > ABSOLUTE or now - record.last_seen_at > idle_limit(user):
        end_session(token)
        return None
    if now - record.last_seen_at > TOUCH_EVERY:
        with write_transaction():
            UserSession.update(last_seen_at=now).where(
                UserSession.token_hash == record.token_hash
            ).execute()
    user.session_token = token
    return user


def end_session(token: str) -> None:
    """End one session (logout)."""
    with write_transaction():
        UserSession.update(ended_at=utcnow()).where(
            (UserSession.token_hash == token_hash(token)) & UserSession.ended_at.is_null()
        ).execute()


def end_all_sessions(user: User, keep_token: str | None = None) -> int:
    """End every session of ``user`` (password change, deactivation); returns how many."""
    query = UserSession.update(ended_at=utcnow()).where(
        (UserSession.user == user) & UserSession.ended_at.is_null()
    )
    if keep_token:
        query = query.where(UserSession.token_hash != token_hash(keep_token))
    with write_transaction():
        return int(query.execute())
