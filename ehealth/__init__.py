"""ehealth: an engine for recovery-oriented online modules. ``create_app`` builds the app."""

from __future__ import annotations

from ehealth.app import ModulesInvalid, create_app

__all__ = ["ModulesInvalid", "create_app"]
