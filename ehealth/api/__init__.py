"""The JSON API under ``/api/v1``: what the player's autosave and other clients call.

Described by an OpenAPI 3 document at ``GET /api/v1/openapi.json``; every error is JSON.
The blueprint lives in ``api.blueprint``; importing this package registers the routes on it.
"""

from __future__ import annotations

from ehealth.api import errors, player, routes  # noqa: F401  (routes register on bp)
from ehealth.api.blueprint import bp

errors.register(bp)

__all__ = ["bp"]
