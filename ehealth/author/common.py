"""What the author routes share: the access check, the signed-in author, the content folders."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_login import current_user

from ehealth.access import role_required
from ehealth.models import Role, User

# The organisation's authors and admins; each service call then scopes to their organisation.
author_only = role_required(Role.AUTHOR, Role.ADMIN)


def me() -> User:
    """The signed-in author or admin (the object itself, not the proxy)."""
    user: User = current_user._get_current_object()
    return user


def media_dir() -> Path:
    """The shipped media folder (uploads are checked against the organisation's own)."""
    return Path(current_app.config["MEDIA_DIR"])


def instance_dir() -> Path:
    """The instance folder, which holds the uploads."""
    return Path(current_app.config["INSTANCE_DIR"])
