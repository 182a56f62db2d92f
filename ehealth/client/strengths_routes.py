"""Routes of the client area: strengths_routes."""

from __future__ import annotations
