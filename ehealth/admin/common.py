"""What the admin routes share: the access check and the signed-in admin."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from ehealth.access import role_required
from ehealth.models import Role, User

admin_only = role_required(Role.ADMIN)


def me() -> User:
    """The signed-in admin (the object itself, not the proxy)."""
    user: User = current_user._get_current_object()
    return user


def address() -> str | None:
    """Where the request came from, for the audit log."""
    return request.remote_addr
