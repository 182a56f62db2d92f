"""The access log (NEN 7513): who read or changed which client's data, when, from where.

Every staff read or change of a client's data writes one AuditEvent through ``record``. The log
is append-only for the application (AuditEvent refuses updates and deletes) and is kept for at
least five years. Routes pass the address; services never read the request themselves.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass

from ehealth.database import write_transaction
from ehealth.models import AuditEvent, AuditOutcome, Organisation, User

# Actions, as "<object>.<verb>": what staff did with a client's data.
CLIENT_VIEWED = "client.viewed"
CASELOAD_VIEWED = "caseload.viewed"
ANSWERS_VIEWED = "answers.viewed"
SCORES_VIEWED = "scores.viewed"
GOALS_VIEWED = "goals.viewed"
STRENGTHS_VIEWED = "strengths.viewed"
FEEDBACK_GIVEN = "feedback.given"
MODULE_ASSIGNED = "assignment.created"
ASSIGNMENT_PAUSED = "assignment.paused"
ASSIGNMENT_RESUMED = "assignment.resumed"
ASSIGNMENT_WITHDRAWN = "assignment.withdrawn"
CLIENT_INVITED = "client.invited"
CLIENT_MOVED = "client.moved"
ACCOUNT_DEACTIVATED = "account.deactivated"
AUDIT_LOG_VIEWED = "audit_log.viewed"
AUDIT_LOG_EXPORTED = "audit_log.exported"

RETENTION = dt.timedelta(days=5 * 366)


def record(actor: User | None, action: str, client: User | None = None,
           object_type: str | None = None, object_id: object = None,
           address: str | None = None, outcome: str = AuditOutcome.SUCCESS) -> AuditEvent:
    """Write one audit event (in its own transaction, so it stays even if the caller fails)."""
    organisation = (actor.organisation if actor is not None
                    else client.organisation if client is not None else None)
    with write_transaction():
        event: AuditEvent = AuditEvent.create(
            actor=actor, actor_role=actor.role if actor is not None else None, action=action,
            client=client, object_type=object_type,
            object_id=str(object_id) if object_id is not None else None,
            address=(address or "")[:64] or None, outcome=outcome, organisation=organisation,
        )
    return event


@dataclass(frozen=True)
class AuditFilter:
    """What an admin narrows the log down to."""

    actor: User | None = None
    client: User | None = None
    action: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def events(organisation: Organisation, search: AuditFilter, limit: int = 100,
           offset: int = 0) -> list[AuditEvent]:
    """The organisation's audit events, newest first, narrowed by ``search``."""
    query = (AuditEvent.select()
             .where(AuditEvent.organisation == organisation)
             .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
    if search.actor is not None:
        query = query.where(AuditEvent.actor == search.actor)
    if search.client is not None:
        query = query.where(AuditEvent.client == search.client)
    if search.action:
        query = query.where(AuditEvent.action == search.action)
    if search.since is not None:
        query = query.where(AuditEvent.at >= dt.datetime.combine(search.since, dt.time.min))
    if search.until is not None:
        query = query.where(AuditEvent.at < dt.datetime.combine(
            search.until + dt.timedelta(days=1), dt.time.min))
    return list(query.limit(limit).offset(offset))


def events_about(client: User, limit: int = 200) -> list[AuditEvent]:
    """Who looked at or changed this client's data: for the client's own "who looked" page."""
    return list(AuditEvent.select().where(AuditEvent.client == client)
                .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit))


CSV_COLUMNS = ["time_utc", "action", "outcome", "actor_email", "actor_role", "client_email",
               "object_type", "object_id", "address"]


def to_csv(rows: Iterable[AuditEvent]) -> str:
    """The events as CSV (UTC times), for an export."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for event in rows:
        actor, client = event.actor, event.client
        writer.writerow([
            event.at.isoformat(timespec="seconds"), event.action, event.outcome,
            actor.email if actor is not None else "", event.actor_role or "",
            client.email if client is not None else "", event.object_type or "",
            event.object_id or "", event.address or "",
        ])
    return buffer.getvalue()
