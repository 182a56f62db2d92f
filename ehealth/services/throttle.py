"""Failed log-ins counted per account, in storage every worker process shares (ASVS 2.2.1).

Policy: ``MAX_FAILURES`` failed log-ins within ``WINDOW`` lock that account for ``LOCKOUT``; a
successful log-in (or a password reset) clears the count. Accounts are keyed by a hash of the
normalised e-mail address, so one account's failures never touch another's, and addresses that
do not exist are counted (and locked) exactly like real ones: the lock says nothing about
whether an account exists.

Two stores with the same behaviour: ``DatabaseThrottle`` (the ``LoginThrottle`` table, one
atomic UPDATE per failure) and ``RedisThrottle`` (INCR/EXPIRE). ``throttle_for(config)`` picks
Redis when ``REDIS_URL`` is set, else the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any, Protocol

from peewee import Case

from ehealth.database import write_transaction
from ehealth.models import LoginThrottle, utcnow

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)
LOCKOUT = dt.timedelta(minutes=15)


def account_key(email: str) -> str:
    """The throttle's name for an account: a hash of the normalised address, not the address."""
    normalised = email.strip().lower()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


class Throttle(Protocol):
    """Counts failed log-ins per account."""

    def is_locked(self, email: str, now: dt.datetime | None = None) -> bool:
        """Whether log-ins to this account are refused right now."""

    def record_failure(self, email: str, now: dt.datetime | None = None) -> bool:
        """Count one failed log-in; returns whether the account is now locked."""

    def reset(self, email: str) -> None:
        """Forget the failures of this account (after a successful log-in or reset)."""


class DatabaseThrottle:
    """Failures in the ``LoginThrottle`` table; each failure is one atomic UPDATE."""

    def is_locked(self, email: str, now: dt.datetime | None = None) -> bool:
        """Whether log-ins to this account are refused right now."""
        now = now or utcnow()
        row = LoginThrottle.get_or_none(LoginThrottle.account == account_key(email))
        return bool(row and row.locked_until and row.locked_until > now)

    def record_failure(self, email: str, now: dt.datetime | None = None) -> bool:
        """Count one failed log-in; returns whether the account is now locked.

        The new count is computed by the database from the stored one (``failures + 1``), so
        concurrent failures from several workers are all counted.
        """
        now = now or utcnow()
        key = account_key(email)
        with write_transaction():
            LoginThrottle.insert(account=key, failures=0, window_started_at=now).on_conflict_ignore(
            ).execute()
            expired = (LoginThrottle.window_started_at <= now - WINDOW) | (
                LoginThrottle.locked_until.is_null(False) & (LoginThrottle.locked_until <= now)
            )
            reaches_limit = LoginThrottle.failures + 1 >= MAX_FAILURES
            (LoginThrottle.update(
                failures=Case(None, [(expired, 1)], LoginThrottle.failures + 1),
                window_started_at=Case(None, [(expired, now)], LoginThrottle.window_started_at),
                locked_until=Case(None, [
                    (expired, None),
                    (reaches_limit & LoginThrottle.locked_until.is_null(), now + LOCKOUT),
                ], LoginThrottle.locked_until),
            ).where(LoginThrottle.account == key).execute())
            row = LoginThrottle.get(LoginThrottle.account == key)
        return bool(row.locked_until and row.locked_until > now)

    def reset(self, email: str) -> None:
        """Forget the failures of this account."""
        with write_transaction():
            LoginThrottle.delete().where(LoginThrottle.account == account_key(email)).execute()


class RedisThrottle:
    """Failures in Redis: a counter that expires with the window, and a lock key.

    ``now`` is accepted for the shared interface but Redis keeps its own clock (key TTLs).
    """

    def __init__(self, client: Any, prefix: str = "ehealth:login:") -> None:
        self.client = client
        self.prefix = prefix

    def _keys(self, email: str) -> tuple[str, str]:
        key = account_key(email)
        return f"{self.prefix}{key}:failures", f"{self.prefix}{key}:locked"

    def is_locked(self, email: str, now: dt.datetime | None = None) -> bool:
        """Whether log-ins to this account are refused right now."""
        _, locked = self._keys(email)
        return bool(self.client.exists(locked))

    def record_failure(self, email: str, now: dt.datetime | None = None) -> bool:
        """Count one failed log-in; returns whether the account is now locked."""
        failures, locked = self._keys(email)
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(failures)
        pipe.expire(failures, int(WINDOW.total_seconds()), nx=True)
        count = int(pipe.execute()[0])
        if count >= MAX_FAILURES:
            pipe = self.client.pipeline(transaction=True)
            pipe.set(locked, "1", ex=int(LOCKOUT.total_seconds()), nx=True)
            # Counting starts afresh once the lock has run out.
            pipe.delete(failures)
            pipe.execute()
            return True
        return self.is_locked(email)

    def reset(self, email: str) -> None:
        """Forget the failures of this account."""
        self.client.delete(*self._keys(email))


def throttle_for(config: Mapping[str, Any]) -> Throttle:
    """Redis when ``REDIS_URL`` is set, else the database."""
    url = config.get("REDIS_URL")
    if url:
        import redis

        return RedisThrottle(redis.Redis.from_url(url, socket_timeout=5))
    return DatabaseThrottle()
