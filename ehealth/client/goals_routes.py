"""Routes of the client area: goals_routes."""

from __future__ import annotations
