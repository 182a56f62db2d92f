"""Shared fixtures: an app on a fresh database (SQLite, or PostgreSQL when DATABASE_URL says so).

With ``DATABASE_URL=postgresql://…`` the whole suite runs against a throw-away database created
next to the one named, and dropped at the end.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest
from argon2 import PasswordHasher, Type
from flask import Flask
from flask.testing import FlaskClient

from ehealth import create_app
from ehealth.database import connected
from ehealth.extensions import db
from ehealth.models import (
    Assignment,
    CareRelationship,
    CareRole,
    ModuleVersion,
    Organisation,
    Role,
    User,
    utcnow,
)
from ehealth.services import accounts

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_MODULES = FIXTURES / "modules"
FIXTURE_MEDIA = FIXTURES / "media"

POSTGRES_URL = os.environ.get("DATABASE_URL", "")
USE_POSTGRES = POSTGRES_URL.startswith(("postgres://", "postgresql://"))


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Argon2id with small parameters: the same code paths in a fraction of the time.

    ``tests/auth/test_passwords`` overrides this fixture and checks the production parameters.
    """
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(
        time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID))
    accounts._dummy_hash.cache_clear()
    yield
    accounts._dummy_hash.cache_clear()


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
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app over the fixture module library, on an empty database, with an instance folder
    of its own (uploads, the mail outbox), never the project's ``instance/``."""
    application = create_app(make_config(database_url, INSTANCE_DIR=tmp_path / "instance"))
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


@dataclass
class World:
    """Two organisations and one person per role of the access matrix.

    Zorg Oost: client A (primary therapist: own_therapist; co-therapist: co_therapist; an
    ended relationship with former_therapist) and client B (other_therapist), an author and
    an admin. Zorg West: its admin, a therapist and a client in that therapist's care. Clients
    A, B and Zorg West's client each have an assignment of the voorbeeld module.
    """

    people: dict[str, User | None]
    assignment_a: Assignment
    assignment_b: Assignment
    assignment_west: Assignment | None = None

    @property
    def client_a(self) -> User:
        user = self.people["client_a"]
        assert user is not None
        return user

    @property
    def therapist(self) -> User:
        user = self.people["own_therapist"]
        assert user is not None
        return user

    def person(self, role: str) -> User:
        """The person of ``role`` (not the anonymous visitor)."""
        user = self.people[role]
        assert user is not None, role
        return user


PASSWORD = "correct horse battery staple"


def make_world() -> World:
    """Create the people of the access matrix (inside an app with the voorbeeld module).

    People are created in the order of ``tests.access_rows.ROLES``, so their ids are the same
    in every test (``tests.access_rows.admin.PERSON_IDS``).
    """
    from ehealth.services.accounts import hash_password

    with connected():
        home = Organisation.create(name="Zorg Oost", slug="zorg-oost")
        other = Organisation.create(name="Zorg West", slug="zorg-west")
        password_hash = hash_password(PASSWORD)

        def person(email: str, role: str, org: Organisation = home) -> User:
            user: User = User.create(organisation=org, email=email, role=role,
                                     name=email.split("@")[0], password_hash=password_hash)
            return user

        people: dict[str, User | None] = {
            "anonymous": None,
            "client_a": person("a@oost.example", Role.CLIENT),
            "client_b": person("b@oost.example", Role.CLIENT),
            "own_therapist": person("t1@oost.example", Role.THERAPIST),
            "other_therapist": person("t2@oost.example", Role.THERAPIST),
            "author": person("author@oost.example", Role.AUTHOR),
            "admin": person("admin@oost.example", Role.ADMIN),
            "other_admin": person("admin@west.example", Role.ADMIN, other),
            "co_therapist": person("co@oost.example", Role.THERAPIST),
            "former_therapist": person("former@oost.example", Role.THERAPIST),
            "other_org_therapist": person("t@west.example", Role.THERAPIST, other),
            "other_org_client": person("c@west.example", Role.CLIENT, other),
        }
        version = ModuleVersion.get(ModuleVersion.module_id == "voorbeeld")
        assignment_a = Assignment.create(client=people["client_a"],
                                         therapist=people["own_therapist"],
                                         module_version=version)
        assignment_b = Assignment.create(client=people["client_b"],
                                         therapist=people["other_therapist"],
                                         module_version=version)
        assignment_west = Assignment.create(client=people["other_org_client"],
                                            therapist=people["other_org_therapist"],
                                            module_version=version)
        earlier = utcnow() - dt.timedelta(days=30)

        def relationship(client: str, therapist: str, role: str = CareRole.PRIMARY,
                         ended: bool = False) -> None:
            client_user = people[client]
            assert client_user is not None
            CareRelationship.create(
                organisation=client_user.organisation, client=client_user,
                therapist=people[therapist], role=role, started_at=earlier,
                ended_at=earlier + dt.timedelta(days=10) if ended else None)

        relationship("client_a", "former_therapist", ended=True)
        relationship("client_a", "own_therapist")
        relationship("client_a", "co_therapist", CareRole.CO_THERAPIST)
        relationship("client_b", "other_therapist")
        relationship("other_org_client", "other_org_therapist")
    return World(people, assignment_a, assignment_b, assignment_west)


@pytest.fixture
def world(app: Flask) -> World:
    """The people of the access matrix, with client A's and B's assignments."""
    return make_world()


def login(test_client: FlaskClient, user: User) -> str:
    """Sign ``user`` in on ``test_client`` through a real server-side session."""
    from ehealth.services.sessions import start_session

    with connected():
        token = start_session(user)
    with test_client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return token


CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """The CSRF token from a page's form, as a browser would submit it."""
    page = client.get(path).get_data(as_text=True)
    match = CSRF_INPUT.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)
