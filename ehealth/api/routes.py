"""Routes of the JSON API."""

from __future__ import annotations
