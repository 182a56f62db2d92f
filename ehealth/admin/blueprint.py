"""The admin area's blueprint (``admin.*`` endpoints, under ``/admin``) and what holds for every
page on it.

Kept apart from the package's ``__init__`` so route modules import it without importing the
package that imports them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _personal_data() -> None:
    g.personal_data = True  # Cache-Control: no-store


@bp.context_processor
def _helpers() -> dict[str, Any]:
    from ehealth.services.people import care_role_label

    return {"care_role_label": care_role_label}
