"""The organisation admin's area: people, the module library, figures and the access log.

Admins only (``access.role_required``), and only their own organisation: every lookup goes
through a service that is given the admin's organisation, so a person or object of another
organisation is "not found" (404). Every page here shows personal data: none is cached.
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


from ehealth.admin import (  # noqa: E402,F401  (routes register on bp)
    audit_routes,
    library_routes,
    routes,
)
