"""Accounts and sessions: log in and out, invitations, password reset, the account page.

The session loader lives here; the screens in ``auth.routes``.
"""

from __future__ import annotations

from flask import Blueprint

from ehealth.extensions import login_manager
from ehealth.models import User
from ehealth.services.sessions import load_session

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The signed-in user, only while their server-side session lives and they are active."""
    return load_session(token)


from ehealth.auth import routes  # noqa: E402,F401  (routes register on bp)
