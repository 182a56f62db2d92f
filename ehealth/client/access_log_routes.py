"""The client's "who looked at my data" page (NEN 7513): every recorded look at or change of
their data, by whom (name and role), what, when and whether it went through.

Only events about the signed-in client themselves (``services.audit.events_about``): never
someone else's, and the page is not cached.
"""

from __future__ import annotations

from flask import g, render_template
from flask_login import current_user

from ehealth.access import role_required
from ehealth.client import bp
from ehealth.models import Role, User
from ehealth.services import audit
from ehealth.services.people import role_label

SHOWN = 200


@bp.get("/my-data/access-log")
@role_required(Role.CLIENT)
def access_log() -> str:
    """Who looked at or changed my data, newest first (the latest 200)."""
    g.personal_data = True  # no-store
    me: User = current_user._get_current_object()
    return render_template(
        "client/access_log.html", events=audit.events_about(me, limit=SHOWN), shown=SHOWN,
        me=me, action_label=audit.client_action_label, outcome_label=audit.outcome_label,
        role_label=role_label)
