"""Routes of the account area (filled in with the log-in screens)."""

from __future__ import annotations
