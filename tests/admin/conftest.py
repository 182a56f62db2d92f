"""Fixtures of the admin tests: an app whose mail goes to a temporary outbox, English pages,
and browsers signed in as the people of the access matrix."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ehealth import create_app
from ehealth.database import connected
from ehealth.extensions import db
from ehealth.models import User
from tests.auth.helpers import auth_config, browser
from tests.conftest import World, login, make_world

SignedIn = Callable[[str], FlaskClient]


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app over the fixture library, with its outbox in a temporary folder."""
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
    """The people of the access matrix, who chose English."""
    people = make_world()
    with connected():
        User.update(language="en").execute()
    return people


@pytest.fixture
def signed_in(app: Flask, world: World) -> SignedIn:
    """A fresh English browser signed in as one of the world's people (by role name)."""

    def make(role: str) -> FlaskClient:
        test_client = browser(app)
        user = world.people[role]
        assert user is not None
        login(test_client, user)
        return test_client

    return make
