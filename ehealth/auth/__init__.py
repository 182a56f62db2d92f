"""Accounts and sessions: log in and out, invitations, password reset, the account page.

The session loader and what happens to visitors who are not signed in live here; the screens in
``auth.routes`` (on the blueprint of ``auth.blueprint``), the ``ehealth invite-client`` command
in ``auth.commands``.
"""

from __future__ import annotations

from flask import flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ehealth.auth import routes  # noqa: F401  (routes register on bp)
from ehealth.auth.blueprint import bp
from ehealth.extensions import login_manager
from ehealth.models import User
from ehealth.services.sessions import load_session

login_manager.login_view = "auth.login"


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The signed-in user, only while their server-side session lives and they are active."""
    return load_session(token)


@login_manager.unauthorized_handler
def unauthorized() -> Response | tuple[Response, int]:
    """Not signed in: the JSON API answers 401, pages send the visitor to the log-in page."""
    if request.path.startswith("/api/"):
        return jsonify(error="unauthorized"), 401
    flash(_("Please log in to see this page."), "info")
    # Only a page can be returned to; a form posted while signed out cannot be replayed.
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


__all__ = ["bp", "load_user", "unauthorized"]
