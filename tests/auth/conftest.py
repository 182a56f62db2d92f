"""Fixtures of the account tests: an app whose mail goes to a temporary outbox, English pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type
from flask import Flask
from flask.testing import FlaskClient

from ehealth import create_app
from ehealth.database import connected
from ehealth.extensions import db
from ehealth.models import User
from ehealth.services import accounts
from tests.auth.helpers import auth_config, browser
from tests.conftest import World, make_world


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app with its outbox in a temporary folder."""
    application = create_app(auth_config(database_url, tmp_path / "instance"))
    yield application
    if db.obj is not None and not db.is_closed():
        db.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser that prefers English pages."""
    return browser(app)


@pytest.fixture
def outbox(app: Flask) -> Path:
    """Where the app writes its mail."""
    return Path(app.config["INSTANCE_DIR"]) / "outbox"


@pytest.fixture
def world(app: Flask) -> World:
    """The people of the access matrix, who chose English (so pages are English after log-in)."""
    people = make_world()
    with connected():
        User.update(language="en").execute()
    return people


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Argon2id with small parameters: the same code paths in a fraction of the time.

    ``test_passwords`` overrides this fixture and checks the production parameters.
    """
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(
        time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID))
    accounts._dummy_hash.cache_clear()
    yield
    accounts._dummy_hash.cache_clear()
