"""The therapist area's blueprint (``therapist.*`` endpoints, under ``/therapist``).

Kept apart from the package's ``__init__`` so route modules import it without importing the
package that imports them.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("therapist", __name__, url_prefix="/therapist")
