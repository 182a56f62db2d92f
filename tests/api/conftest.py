"""Fixtures for the JSON API: client A signed in, calling the API as the player's script does."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.api.helpers import ApiClient
from tests.conftest import World, login


@pytest.fixture
def api(client: FlaskClient, world: World) -> ApiClient:
    """Client A, signed in, on their assignment of the voorbeeld module."""
    login(client, world.client_a)
    return ApiClient(client, world.assignment_a.id)
