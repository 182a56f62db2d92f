"""The JSON API's blueprint (``api.*`` endpoints, under ``/api/v1``).

Kept apart from the package's ``__init__`` so route modules import it without importing the
package that imports them.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
