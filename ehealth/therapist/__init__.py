"""The therapist's area: caseload, inviting and assigning, a client's record, feedback."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("therapist", __name__, url_prefix="/therapist")

from ehealth.therapist import routes  # noqa: E402,F401  (routes register on bp)
