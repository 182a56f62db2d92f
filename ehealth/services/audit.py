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
from typing import Any, cast
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from peewee import JOIN, SQL, Case, fn

from ehealth.database import write_transaction
from ehealth.models import AuditEvent, AuditOutcome, Invitation, Organisation, User

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
CO_THERAPIST_ADDED = "care.co_therapist_added"
CO_THERAPIST_REMOVED = "care.co_therapist_removed"
ACCOUNT_DEACTIVATED = "account.deactivated"
ACCOUNT_REACTIVATED = "account.reactivated"
STAFF_INVITED = "staff.invited"
SECOND_FACTOR_RESET = "account.second_factor_reset"
AUDIT_LOG_VIEWED = "audit_log.viewed"
AUDIT_LOG_EXPORTED = "audit_log.exported"

# What each action means, for the admin's log (about "the client") and for the client's own
# "who looked at my data" page (about "you"). An unknown action is shown as its code.
ACTION_LABELS: dict[str, Any] = {
    CLIENT_VIEWED: _l("Looked at the client's details"),
    CASELOAD_VIEWED: _l("Looked at the list of clients"),
    ANSWERS_VIEWED: _l("Looked at the client's answers"),
    SCORES_VIEWED: _l("Looked at the client's scores"),
    GOALS_VIEWED: _l("Looked at the client's goals"),
    STRENGTHS_VIEWED: _l("Looked at the client's strengths"),
    FEEDBACK_GIVEN: _l("Wrote a response to an answer"),
    MODULE_ASSIGNED: _l("Gave the client a module"),
    ASSIGNMENT_PAUSED: _l("Paused a module"),
    ASSIGNMENT_RESUMED: _l("Resumed a module"),
    ASSIGNMENT_WITHDRAWN: _l("Withdrew a module"),
    CLIENT_INVITED: _l("Invited a client"),
    CLIENT_MOVED: _l("Moved the client to another therapist"),
    CO_THERAPIST_ADDED: _l("Added a co-therapist to the client's care team"),
    CO_THERAPIST_REMOVED: _l("Removed a co-therapist from the client's care team"),
    ACCOUNT_DEACTIVATED: _l("Deactivated an account"),
    ACCOUNT_REACTIVATED: _l("Activated an account again"),
    STAFF_INVITED: _l("Invited a staff member"),
    SECOND_FACTOR_RESET: _l("Reset a staff member's second factor"),
    AUDIT_LOG_VIEWED: _l("Looked at the access log"),
    AUDIT_LOG_EXPORTED: _l("Downloaded the access log"),
    # The organisation's own modules (``services.authoring``, ``services.module_packages``).
    "module.draft_created": _l("Started a module draft"),
    "module.copied": _l("Copied a library module into the organisation"),
    "module.submitted": _l("Sent a module for review"),
    "module.sent_back": _l("Sent a module back to its authors"),
    "module.published": _l("Published a module version"),
    "module.reverted": _l("Made a draft from an earlier module version"),
    "module.imported": _l("Imported a module zip"),
    "organisation.four_eyes_on": _l("Switched four-eyes review of modules on"),
    "organisation.four_eyes_off": _l("Switched four-eyes review of modules off"),
    "organisation.avoid_word_added": _l("Added a word to avoid in modules"),
    "organisation.avoid_word_removed": _l("Removed a word to avoid in modules"),
}
CLIENT_ACTION_LABELS: dict[str, Any] = {
    CLIENT_VIEWED: _l("Looked at your details"),
    CASELOAD_VIEWED: _l("Looked at a list of clients with your name in it"),
    ANSWERS_VIEWED: _l("Looked at your answers"),
    SCORES_VIEWED: _l("Looked at your scores"),
    GOALS_VIEWED: _l("Looked at your goals"),
    STRENGTHS_VIEWED: _l("Looked at your strengths"),
    FEEDBACK_GIVEN: _l("Wrote a response to one of your answers"),
    MODULE_ASSIGNED: _l("Gave you a module"),
    ASSIGNMENT_PAUSED: _l("Paused one of your modules"),
    ASSIGNMENT_RESUMED: _l("Resumed one of your modules"),
    ASSIGNMENT_WITHDRAWN: _l("Withdrew one of your modules"),
    CLIENT_INVITED: _l("Invited you to ehealth"),
    CLIENT_MOVED: _l("Moved you to another therapist"),
    CO_THERAPIST_ADDED: _l("Added a co-therapist to your care team"),
    CO_THERAPIST_REMOVED: _l("Removed a co-therapist from your care team"),
    ACCOUNT_DEACTIVATED: _l("Switched off your account"),
    ACCOUNT_REACTIVATED: _l("Switched your account on again"),
    AUDIT_LOG_VIEWED: _l("Looked at the access log about you"),
    AUDIT_LOG_EXPORTED: _l("Downloaded the access log about you"),
}
OUTCOME_LABELS: dict[str, Any] = {
    AuditOutcome.SUCCESS: _l("Done"),
    AuditOutcome.DENIED: _l("Refused"),
    AuditOutcome.FAILED: _l("Failed"),
}
ACTIONS = tuple(ACTION_LABELS)


def action_label(action: str) -> str:
    """What ``action`` means, for the admin's access log."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def client_action_label(action: str) -> str:
    """What ``action`` means, told to the client it was about."""
    label = CLIENT_ACTION_LABELS.get(action)
    return str(label) if label is not None else action_label(action)


def outcome_label(outcome: str) -> str:
    """Whether it went through, in words."""
    label = OUTCOME_LABELS.get(outcome)
    return str(label) if label is not None else outcome


RETENTION = dt.timedelta(days=5 * 366)
LOCAL = ZoneInfo("Europe/Amsterdam")


def record(actor: User | None, action: str, client: User | None = None,
           object_type: str | None = None, object_id: object = None,
           address: str | None = None, outcome: str = AuditOutcome.SUCCESS) -> AuditEvent:
    """Write one audit event.

    An event about a client is filed in the log of the client's organisation, whoever the
    actor is: a denied attempt by someone of another organisation shows in the log of the
    organisation that holds the record, never in the actor's. Other events are filed under the
    actor's organisation.

    On its own it is its own transaction, so the event stays even if the caller fails
    afterwards; inside a caller's transaction (a change and its event) it commits with it.
    """
    organisation = (client.__data__["organisation"] if client is not None
                    else actor.__data__["organisation"] if actor is not None else None)
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
    """What an admin narrows the log down to (``since``/``until``: Dutch days, included)."""

    actor: User | None = None
    client: User | None = None
    action: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` on the Dutch clock, as stored: naive UTC.

    The log shows times as the Dutch clock reads them, so its date filter counts Dutch days.
    """
    return (dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL).astimezone(dt.UTC)
            .replace(tzinfo=None))


def _events_query(organisation: Organisation, search: AuditFilter) -> Any:
    """The organisation's events matching ``search``, with actor and client in the same row."""
    actor, client, actor_organisation = User.alias(), User.alias(), Organisation.alias()
    query = (AuditEvent.select(AuditEvent, actor, actor_organisation, client)
             .join_from(AuditEvent, actor, JOIN.LEFT_OUTER, on=(AuditEvent.actor == actor.id),
                        attr="actor")
             .join_from(actor, actor_organisation, JOIN.LEFT_OUTER,
                        on=(actor.organisation == actor_organisation.id), attr="organisation")
             .join_from(AuditEvent, client, JOIN.LEFT_OUTER, on=(AuditEvent.client == client.id),
                        attr="client")
             .where(AuditEvent.organisation == organisation))
    if search.actor is not None:
        query = query.where(AuditEvent.actor == search.actor)
    if search.client is not None:
        query = query.where(AuditEvent.client == search.client)
    if search.action:
        query = query.where(AuditEvent.action == search.action)
    if search.since is not None:
        query = query.where(AuditEvent.at >= day_start(search.since))
    if search.until is not None:
        query = query.where(AuditEvent.at < day_start(search.until + dt.timedelta(days=1)))
    return query


def events(organisation: Organisation, search: AuditFilter, limit: int | None = 100,
           offset: int = 0) -> list[AuditEvent]:
    """The organisation's audit events, newest first, narrowed by ``search``.

    ``limit=None`` gives every matching event (for an export). ``since`` and ``until`` are
    days of the Dutch calendar, both included.
    """
    query = (_events_query(organisation, search)
             .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list(query)


def count_events(organisation: Organisation, search: AuditFilter) -> int:
    """How many of the organisation's events match ``search``."""
    return int(AuditEvent.select(fn.COUNT(AuditEvent.id))
               .where(AuditEvent.id.in_(_events_query(organisation, search)
                                        .select(AuditEvent.id)))
               .scalar() or 0)


def describe_filter(search: AuditFilter) -> str | None:
    """The filter in short, for the object of an AUDIT_LOG_VIEWED/EXPORTED event (≤ 64)."""
    parts = []
    if search.actor is not None:
        parts.append(f"actor:{search.actor.id}")
    if search.action:
        parts.append(f"action:{search.action}")
    if search.since is not None or search.until is not None:
        parts.append(f"{search.since or ''}..{search.until or ''}")
    return " ".join(parts)[:64] or None


def _object_key(event: AuditEvent) -> int | None:
    value = event.object_id or ""
    return int(value) if value.isdigit() else None


def subjects(organisation: Organisation, rows: Iterable[AuditEvent]) -> dict[int, str]:
    """Who or what each event was about, by event id, when not a client: the person (by
    name) of an account event, the address of an invitation. Only this organisation's."""
    rows = list(rows)
    user_ids = {_object_key(e) for e in rows if e.object_type == "user"} - {None}
    invitation_ids = {_object_key(e) for e in rows if e.object_type == "invitation"} - {None}
    users: dict[int, str] = {}
    if user_ids:
        users = {u.id: u.name or u.email for u in User.select(User.id, User.name, User.email)
                 .where(User.id.in_(user_ids) & (User.organisation == organisation))}
    invitations: dict[int, str] = {}
    if invitation_ids:
        invitations = {i.id: i.email for i in Invitation.select(Invitation.id, Invitation.email)
                       .where(Invitation.id.in_(invitation_ids)
                              & (Invitation.organisation == organisation))}
    found: dict[int, str] = {}
    for event in rows:
        key = _object_key(event)
        names = users if event.object_type == "user" else (
            invitations if event.object_type == "invitation" else {})
        if key is not None and key in names:
            found[event.id] = names[key]
    return found


@dataclass
class ClientLogRow:
    """One line of the client's "who looked at my data": one event, or repeated refusals.

    Refused attempts by the same person, for the same action, on the same day are one line
    with their count and first and last time, so nobody can flood the page with requests;
    every event itself is kept in the log.
    """

    action: str
    outcome: str
    actor: User | None
    actor_role: str | None
    first_at: dt.datetime
    last_at: dt.datetime
    count: int
    from_elsewhere: bool  # the actor is of another organisation than the client

    @property
    def at(self) -> dt.datetime:
        """When it happened (the last time, for grouped refusals)."""
        return self.last_at


@dataclass
class ClientLogPage:
    """One page of the client's log."""

    rows: list[ClientLogRow]
    page: int
    pages: int
    total: int


CLIENT_LOG_PAGE = 50


def client_log(client: User, page: int = 1, per_page: int = CLIENT_LOG_PAGE) -> ClientLogPage:
    """Who looked at or changed this client's data, newest first, a page at a time.

    Grouping and paging happen in the database (three queries, whatever the log's size).
    """
    denied = AuditEvent.outcome == AuditOutcome.DENIED
    day = Case(None, [(denied, fn.DATE(AuditEvent.at))], None)
    single = Case(None, [(denied, 0)], AuditEvent.id)
    keys = (AuditEvent.actor, AuditEvent.actor_role, AuditEvent.action, AuditEvent.outcome,
            day, single)
    grouped = (AuditEvent.select(AuditEvent.actor.alias("actor_id"), AuditEvent.actor_role,
                                 AuditEvent.action, AuditEvent.outcome,
                                 fn.COUNT(AuditEvent.id).alias("count"),
                                 fn.MIN(AuditEvent.at).alias("first_at"),
                                 fn.MAX(AuditEvent.at).alias("last_at"),
                                 fn.MAX(AuditEvent.id).alias("last_id"))
               .where(AuditEvent.client == client)
               .group_by(*keys))
    total = int(AuditEvent.select(fn.COUNT(SQL("*"))).from_(grouped.alias("grouped"))
                .scalar() or 0)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = cast(list[dict[str, Any]], list(
        grouped.order_by(SQL("last_at").desc(), SQL("last_id").desc())
        .limit(per_page).offset((page - 1) * per_page).dicts()))
    actor_ids = {row["actor_id"] for row in rows} - {None}
    actors = ({user.id: user for user in User.select().where(User.id.in_(actor_ids))}
              if actor_ids else {})
    organisation = client.__data__["organisation"]
    result = []
    for row in rows:
        actor = actors.get(row["actor_id"])
        result.append(ClientLogRow(
            action=row["action"], outcome=row["outcome"], actor=actor,
            actor_role=row["actor_role"], first_at=_as_datetime(row["first_at"]),
            last_at=_as_datetime(row["last_at"]), count=int(row["count"]),
            from_elsewhere=actor is not None and actor.__data__["organisation"] != organisation))
    return ClientLogPage(result, page, pages, total)


def _as_datetime(value: Any) -> dt.datetime:
    """Aggregates come back as text on SQLite."""
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


CSV_COLUMNS = ["time_utc", "action", "outcome", "actor_email", "actor_role", "client_email",
               "object_type", "object_id", "address", "actor_organisation"]


def _cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(rows: Iterable[AuditEvent]) -> str:
    """The events as CSV, times in UTC (ISO 8601 with "Z"), for an export."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for event in rows:
        actor, client = event.actor, event.client
        writer.writerow([_cell(value) for value in (
            event.at.isoformat(timespec="seconds") + "Z", event.action, event.outcome,
            actor.email if actor is not None else "", event.actor_role or "",
            client.email if client is not None else "", event.object_type or "",
            event.object_id or "", event.address or "",
            actor.organisation.name if actor is not None else "",
        )])
    return buffer.getvalue()
