"""Rate-limit counters in the database, for Flask-Limiter when there is no Redis.

``limits``, the library under Flask-Limiter, keeps its counters in memory, Redis, Memcached or
MongoDB, but not in an SQL database. Memory would give every worker process a count of its own
(an attacker gets N workers times the limit); ``DatabaseStorage`` keeps them in the one database
every worker shares instead. It registers the storage scheme ``ehealth+db://`` and serves the
fixed-window strategy: one ``RateLimitCounter`` row per counter, bumped by one atomic upsert
(``INSERT … ON CONFLICT DO UPDATE``, the same on SQLite and PostgreSQL), which starts the
window afresh when the stored one has run out. Concurrent hits from several workers are all
counted, as the database computes the new count from the stored one.

A limiter key names a client address or a user; only its SHA-256 is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from limits.storage import Storage
from peewee import Case, PeeweeException

from ehealth.database import write_transaction
from ehealth.models import RateLimitCounter, utcnow

SCHEME = "ehealth+db"
URI = f"{SCHEME}://"
# About one hit in this many also removes counters whose window ran out, so the table holds
# roughly the counters of the last window, without a separate clean-up job.
SWEEP_ONE_IN = 100


def _epoch(moment: dt.datetime) -> float:
    return moment.replace(tzinfo=dt.UTC).timestamp()


class DatabaseStorage(Storage):
    """Fixed-window counters in the ``rate_limit_counter`` table (``ehealth+db://``)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 key_prefix: str = "", clock: Callable[[], dt.datetime] = utcnow,
                 **options: Any) -> None:
        """``key_prefix`` separates installations sharing a database; ``clock`` lets tests
        move time. Other options (meant for Redis) are ignored."""
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.key_prefix = key_prefix
        self.clock = clock

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        """What the database raises when it cannot answer."""
        return PeeweeException

    def _hash(self, key: str) -> str:
        return hashlib.sha256(f"{self.key_prefix}:{key}".encode()).hexdigest()

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the counter (a new window of ``expiry`` seconds when the stored one
        has run out); returns the new count."""
        now = self.clock()
        digest = self._hash(key)
        ran_out = RateLimitCounter.expires_at <= now
        with write_transaction():
            (RateLimitCounter
             .insert(key_hash=digest, hits=amount, expires_at=now + dt.timedelta(seconds=expiry))
             .on_conflict(conflict_target=[RateLimitCounter.key_hash], update={
                 RateLimitCounter.hits: Case(None, [(ran_out, amount)],
                                             RateLimitCounter.hits + amount),
                 RateLimitCounter.expires_at: Case(
                     None, [(ran_out, now + dt.timedelta(seconds=expiry))],
                     RateLimitCounter.expires_at),
             })
             .execute())
            hits: int = (RateLimitCounter.select(RateLimitCounter.hits)
                         .where(RateLimitCounter.key_hash == digest).scalar())
            if secrets.randbelow(SWEEP_ONE_IN) == 0:
                RateLimitCounter.delete().where(RateLimitCounter.expires_at <= now).execute()
        return hits

    def get(self, key: str) -> int:
        """The count of the counter's current window (0 when it has none)."""
        hits = (RateLimitCounter.select(RateLimitCounter.hits)
                .where((RateLimitCounter.key_hash == self._hash(key))
                       & (RateLimitCounter.expires_at > self.clock()))
                .scalar())
        return int(hits or 0)

    def get_expiry(self, key: str) -> float:
        """When the counter's current window ends (epoch seconds; now when it has none)."""
        now = self.clock()
        expires_at = (RateLimitCounter.select(RateLimitCounter.expires_at)
                      .where((RateLimitCounter.key_hash == self._hash(key))
                             & (RateLimitCounter.expires_at > now))
                      .scalar())
        return _epoch(expires_at if expires_at is not None else now)

    def check(self) -> bool:
        """Whether the database answers."""
        try:
            RateLimitCounter.select(RateLimitCounter.id).limit(1).execute()
        except PeeweeException:
            return False
        return True

    def reset(self) -> int | None:
        """Remove every counter; returns how many there were."""
        with write_transaction():
            removed: int = RateLimitCounter.delete().execute()
        return removed

    def clear(self, key: str) -> None:
        """Remove one counter."""
        with write_transaction():
            RateLimitCounter.delete().where(
                RateLimitCounter.key_hash == self._hash(key)).execute()
