"""The JSON API under ``/api/v1``: what the player's autosave and other clients call.

Described by an OpenAPI 3 document at ``GET /api/v1/openapi.json``; every error is JSON.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from ehealth.api import errors, player, routes  # noqa: E402,F401  (routes register on bp)

errors.register(bp)
