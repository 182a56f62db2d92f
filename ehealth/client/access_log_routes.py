"""The client's "who looked at my data" page (NEN 7513): every recorded look at or change of
their data, by whom (name and role), what, when and whether it went through.

Only events about the signed-in client themselves (``services.audit.client_log``): never
someone else's. Repeated refusals are one line with their count, so other people's requests
cannot flood the page; it is paginated and not cached.
"""

from __future__ import annotations

from flask import g, render_template, request
from flask_login import current_user

from ehealth.access import role_required
from ehealth.client.blueprint import bp
from ehealth.input_guard import positive_number
from ehealth.models import Role, User
from ehealth.services import audit
from ehealth.services.people import role_label

MAX_PAGE = 1_000_000


def _page_number(raw: str | None) -> int:
    return positive_number((raw or "1").strip(), MAX_PAGE - 1) or 1  # never int("²")


@bp.get("/my-data/access-log")
@role_required(Role.CLIENT)
def access_log() -> str:
    """Who looked at or changed my data, newest first, 50 lines a page."""
    g.personal_data = True  # no-store
    me: User = current_user._get_current_object()
    log = audit.client_log(me, _page_number(request.args.get("page")))
    return render_template(
        "client/access_log.html", log=log, me=me, action_label=audit.client_action_label,
        outcome_label=audit.outcome_label, role_label=role_label)
