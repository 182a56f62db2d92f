"""The organisation admin's area: people, the module library, figures and the access log."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from ehealth.admin import routes  # noqa: E402,F401  (routes register on bp)
