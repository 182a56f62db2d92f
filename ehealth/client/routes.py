"""Routes of the client area."""

from __future__ import annotations
