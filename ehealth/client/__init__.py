"""The client's area: "Mijn modules", the step-by-step player, "Mijn krachten", "Mijn doelen".

The blueprint lives in ``client.blueprint``; importing this package registers the routes on it.
"""

from __future__ import annotations

from ehealth.client import (  # noqa: F401  (routes register on bp)
    access_log_routes,
    goals_routes,
    routes,
    strengths_routes,
)
from ehealth.client.blueprint import bp

__all__ = ["bp"]
