"""Fixtures of the author area's tests: the app with an instance folder of its own.

Uploads (``INSTANCE_DIR/uploads``) go to a temporary folder, and the app asks the database for
newly published versions on every request (``MODULE_LIBRARY_CHECK_SECONDS = 0``), so a module
published in a test reaches the library, the therapist's assign form and the API at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from ehealth import create_app
from ehealth.extensions import db
from tests.conftest import make_config


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app over the fixture library, with its own instance folder."""
    application = create_app(make_config(
        database_url, INSTANCE_DIR=tmp_path / "instance", MODULE_LIBRARY_CHECK_SECONDS=0,
        MAIL_SERVER="", REDIS_URL=""))
    yield application
    if db.obj is not None and not db.is_closed():
        db.close()
