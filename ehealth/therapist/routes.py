"""Routes of the therapist area."""

from __future__ import annotations
