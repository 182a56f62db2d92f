"""What the benchmark scripts share: a throw-away PostgreSQL database next to the one named."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse, urlunparse


@contextmanager
def postgres_database(url: str) -> Iterator[str]:
    """A fresh database on the server of ``url`` (its URL), dropped afterwards."""
    import psycopg2

    name = f"ehealth_bench_{secrets.token_hex(4)}"
    admin = psycopg2.connect(url)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunparse(urlparse(url)._replace(path=f"/{name}"))
    finally:
        from ehealth.extensions import db

        if db.obj is not None and not db.is_closed():
            db.close()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
