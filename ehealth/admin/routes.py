"""Routes of the admin area."""

from __future__ import annotations
