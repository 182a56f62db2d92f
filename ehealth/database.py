"""Opening the database named by ``DATABASE_URL`` and running schema migrations.

SQLite (the embedded default) runs in WAL mode with a busy timeout and foreign keys on;
PostgreSQL is used when the URL says ``postgresql://``. Every model shares the one
``DatabaseProxy`` in ``ehealth.extensions``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

from peewee import Database, PostgresqlDatabase, SqliteDatabase
from peewee_migrate import Router

from ehealth.extensions import db

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any fixed number will do: it names the lock concurrent app instances take while migrating.
_MIGRATION_LOCK_ID = 7_513_7510

log = logging.getLogger(__name__)


class DatabaseURLError(ValueError):
    """``DATABASE_URL`` names a database this product cannot use."""


def open_database(url: str) -> Database:
    """Create (not connect) the database object for ``url``."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:///relative/path or sqlite:////absolute/path, as in SQLAlchemy.
        path = unquote(parsed.path[1:] if parsed.path.startswith("/") else parsed.path)
        if not path or path == ":memory:":
            return SqliteDatabase(":memory:", pragmas=_sqlite_pragmas(memory=True))
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SqliteDatabase(path, pragmas=_sqlite_pragmas(memory=False), timeout=10)
    if parsed.scheme in {"postgres", "postgresql"}:
        return PostgresqlDatabase(
            unquote(parsed.path.lstrip("/")),
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname,
            port=parsed.port,
        )
    raise DatabaseURLError(
        f"DATABASE_URL {parsed.scheme!r} is not supported: use sqlite:///path or "
        "postgresql://user@host:port/name."
    )


def _sqlite_pragmas(memory: bool) -> dict[str, object]:
    pragmas: dict[str, object] = {"foreign_keys": 1, "busy_timeout": 10_000}
    if not memory:
        pragmas.update({"journal_mode": "wal", "synchronous": "normal"})
    return pragmas


def is_sqlite() -> bool:
    """Whether the configured database is SQLite."""
    return isinstance(db.obj, SqliteDatabase)


@contextmanager
def write_transaction() -> Iterator[None]:
    """A transaction for writes: IMMEDIATE on SQLite so concurrent writers queue, not fail."""
    if is_sqlite():
        with db.atomic("IMMEDIATE"):
            yield
    else:
        with db.atomic():
            yield


@contextmanager
def connected() -> Iterator[None]:
    """Use the open connection, or open one for the block and close it afterwards."""
    opened = db.is_closed()
    if opened:
        db.connect()
    try:
        yield
    finally:
        if opened:
            db.close()


def migration_router() -> Router:
    """The peewee-migrate router over this package's migrations."""
    return Router(db.obj, migrate_dir=str(MIGRATIONS_DIR), logger=log)


def migrate() -> list[str]:
    """Bring the schema up to date; returns the names of the migrations applied.

    On PostgreSQL an advisory lock makes concurrent app instances take turns. After
    migrations the planner's statistics are refreshed (``ANALYZE``): without them PostgreSQL
    plans the caseload's queries for empty tables and a page takes seconds instead of
    milliseconds.
    """
    with connected():
        locked = not is_sqlite()
        if locked:
            db.execute_sql("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK_ID,))
        try:
            router = migration_router()
            pending = list(router.diff)
            if pending:
                router.run()
                analyze()
            else:
                analyze_if_stale()
            return pending
        finally:
            if locked:
                db.execute_sql("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK_ID,))


def analyze() -> None:
    """Refresh the query planner's statistics (after migrations, after loading much data)."""
    with connected():
        db.execute_sql("ANALYZE" if not is_sqlite() else "PRAGMA optimize")


# A table whose rows changed by more than this share since its statistics were made (and by
# at least STALE_ROWS rows) is analysed at start-up: after a bulk import, PostgreSQL would
# otherwise plan the caseload for the empty tables it last saw and take seconds per page.
STALE_SHARE = 0.2
STALE_ROWS = 1_000


def analyze_if_stale() -> list[str]:
    """Refresh the statistics of tables that changed much since they were last made (on
    PostgreSQL; SQLite's ``PRAGMA optimize`` decides for itself). Returns the tables analysed.
    """
    with connected():
        if is_sqlite():
            db.execute_sql("PRAGMA optimize")
            return []
        stale = [row[0] for row in db.execute_sql(
            "SELECT relname FROM pg_stat_user_tables WHERE n_mod_since_analyze >= %s "
            "AND n_mod_since_analyze > %s * GREATEST(n_live_tup - n_mod_since_analyze, 0)",
            (STALE_ROWS, STALE_SHARE)).fetchall()]
        for table in stale:
            db.execute_sql(f'ANALYZE "{table}"')
        if stale:
            log.info("Refreshed the statistics of %s", ", ".join(sorted(stale)))
        return stale
