"""Routes of the access log (NEN 7513): the organisation's audit events, to read and to export.

Reading and exporting the log are themselves written to the log (one event each time), after
the events were read, naming the client when the admin narrowed the log down to one: that
client then sees on their own page that the admin looked.
"""

from __future__ import annotations

import math
import re

from flask import Response, abort, render_template, request
from flask_babel import format_date

from ehealth.admin.blueprint import bp
from ehealth.admin.common import address, admin_only, me
from ehealth.admin.filters import parse_filter
from ehealth.models import utcnow
from ehealth.services import audit
from ehealth.services.people import (
    clients_of_organisation,
    role_label,
    staff_of_organisation,
)

PAGE_SIZE = 50


@bp.get("/audit-log")
@admin_only
def audit_log() -> tuple[str, int]:
    """The access log, newest first, filtered and paged; looking is logged."""
    admin = me()
    organisation = admin.organisation
    parsed = parse_filter(request.args, organisation)
    total = audit.count_events(organisation, parsed.search)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(parsed.page, pages)
    events = audit.events(organisation, parsed.search, limit=PAGE_SIZE,
                          offset=(page - 1) * PAGE_SIZE)
    audit.record(admin, audit.AUDIT_LOG_VIEWED, client=parsed.search.client,
                 object_type="audit_log", object_id=audit.describe_filter(parsed.search),
                 address=address())
    return render_template(
        "admin/audit_log.html", parsed=parsed, events=events, total=total, page=page,
        pages=pages, subjects=audit.subjects(organisation, events),
        clients=clients_of_organisation(organisation), staff=staff_of_organisation(organisation),
        actions=[(action, audit.action_label(action)) for action in audit.ACTIONS],
        action_label=audit.action_label, outcome_label=audit.outcome_label,
        role_label=role_label, organisation_id=organisation.id,
    ), 200


@bp.get("/audit-log.csv")
@admin_only
def audit_log_csv() -> Response:
    """The filtered access log as CSV (UTC times), as a download; exporting is logged."""
    admin = me()
    organisation = admin.organisation
    parsed = parse_filter(request.args, organisation)
    if parsed.errors:
        abort(400)
    rows = audit.events(organisation, parsed.search, limit=None)
    body = audit.to_csv(rows)
    audit.record(admin, audit.AUDIT_LOG_EXPORTED, client=parsed.search.client,
                 object_type="audit_log", object_id=audit.describe_filter(parsed.search),
                 address=address())
    slug = re.sub(r"[^a-z0-9-]", "", organisation.slug.lower()) or "organisation"
    filename = f"access-log-{slug}-{format_date(utcnow(), 'yyyy-MM-dd')}.csv"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})
