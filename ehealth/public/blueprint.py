"""The public area's blueprint: the module library and previews (``public.*`` endpoints).

Kept apart from the package's ``__init__`` so route modules import it without importing the
package that imports them.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public", __name__)
