"""Access checks shared by the areas: who may open a page, failing closed."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlparse

from flask import abort
from flask_login import current_user, login_required

F = TypeVar("F", bound=Callable[..., Any])


def role_required(*roles: str) -> Callable[[F], F]:
    """Only signed-in users with one of ``roles``; others get 403, visitors the log-in page."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if getattr(current_user, "role", None) not in roles:
                abort(403)
            return view(*args, **kwargs)

        return login_required(wrapped)

    return decorator


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None: never an open redirect."""
    if not target:
        return None
    parsed = urlparse(target)
    if (parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//")
            or "\\" in target or any(ord(char) < 32 for char in target)):
        return None
    return target
