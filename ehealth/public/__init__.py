"""The public area: the module library and read-only previews, open to every visitor."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public", __name__)

from ehealth.public import routes  # noqa: E402,F401  (routes register on bp)
