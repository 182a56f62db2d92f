"""Account commands (``ehealth invite-client``)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the account commands to ``app.cli``."""
