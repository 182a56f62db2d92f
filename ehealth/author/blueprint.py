"""The author area's blueprint (``author.*`` endpoints, under ``/author``).

Kept apart from the package's ``__init__`` so route modules import it without importing the
package that imports them.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("author", __name__, url_prefix="/author")
