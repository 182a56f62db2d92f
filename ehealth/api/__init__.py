"""The JSON API under ``/api/v1``: what the player's autosave and other clients call."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from ehealth.api import routes  # noqa: E402,F401  (routes register on bp)
