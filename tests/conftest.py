"""Shared fixtures: an app on a fresh database (SQLite, or PostgreSQL when DATABASE_URL says so).

With ``DATABASE_URL=postgresql://…`` the whole suite runs against a throw-away database created
next to the one named, and dropped at the end.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ehealth import create_app
from ehealth.extensions import db

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_MODULES = FIXTURES / "modules"
FIXTURE_MEDIA = FIXTURES / "media"

POSTGRES_URL = os.environ.get("DATABASE_URL", "")
USE_POSTGRES = POSTGRES_URL.startswith(("postgres://", "postgresql://"))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this test run, or None when testing on SQLite."""
    if not USE_POSTGRES:
        yield None
        return
    import psycopg2

    name = f"ehealth_test_{secrets.token_hex(4)}"
    admin = psycopg2.connect(POSTGRES_URL)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    parsed = urlparse(POSTGRES_URL)
    yield urlunparse(parsed._replace(path=f"/{name}"))
    _close_database()
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def database_url(tmp_path: Path, postgres_database: str | None) -> Iterator[str]:
    """A database URL with an empty schema for one test."""
    if postgres_database is None:
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        _close_database()
        return
    yield postgres_database
    _close_database()
    _reset_postgres(postgres_database)


def _close_database() -> None:
    if db.obj is not None and not db.is_closed():
        db.close()


def _reset_postgres(url: str) -> None:
    """Drop every table so the next test migrates from an empty database."""
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")
    connection.close()


def make_config(database_url: str, **overrides: Any) -> dict[str, Any]:
    """Configuration for a test app."""
    config: dict[str, Any] = {
        "ENV_NAME": "testing",
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "MODULES_DIR": FIXTURE_MODULES,
        "MEDIA_DIR": FIXTURE_MEDIA,
        "SESSION_COOKIE_SECURE": False,
    }
    config.update(overrides)
    return config


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """The app over the fixture module library, on an empty database."""
    application = create_app(make_config(database_url))
    yield application
    _close_database()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser: over https (as in production), sending a same-origin Referer like browsers do."""
    test_client = app.test_client()
    test_client.environ_base["HTTP_REFERER"] = "https://localhost/"
    return test_client


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """The CSRF token from a page's form, as a browser would submit it."""
    page = client.get(path).get_data(as_text=True)
    match = CSRF_INPUT.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)
