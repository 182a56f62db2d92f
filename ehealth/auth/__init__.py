"""Accounts and sessions. Loading the signed-in user; log-in screens arrive with the player."""

from __future__ import annotations

from ehealth.extensions import login_manager
from ehealth.models import User


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in user, only while their account is active."""
    if not user_id.isdigit():
        return None
    user: User | None = User.get_or_none((User.id == int(user_id)) & (User.active == True))  # noqa: E712
    return user
