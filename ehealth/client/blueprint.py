"""The client area's blueprint (``client.*`` endpoints).

Kept apart from the package's ``__init__`` so route modules import it without importing the
package that imports them.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("client", __name__)
