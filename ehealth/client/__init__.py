"""The client's area: "Mijn modules", the step-by-step player, "Mijn krachten", "Mijn doelen"."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("client", __name__)

from ehealth.client import (  # noqa: E402,F401  (routes register on bp)
    access_log_routes,
    goals_routes,
    routes,
    strengths_routes,
)
