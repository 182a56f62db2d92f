"""Care relationships: who is in a client's care now, and the one rule of who may see a client.

A client's care team is stored as ``CareRelationship`` rows: exactly one active primary
therapist and any number of co-therapists, each from a start to (once it ends) an end, with who
started or ended it and why. Ended relationships stay as the client's care history.

``client_for`` is the one rule every surface asks (therapist pages, admin pages, and
``in_care_of`` for the lists, which is the same rule as a query condition):

- every lookup is scoped to the staff member's organisation first: a client of another
  organisation does not exist for them (``ClientNotFound``; ``elsewhere`` carries that client
  only so that the attempt can be logged in *their* organisation's access log);
- the record (answers, scores, goals, assigning, feedback) is open to a therapist with an active
  relationship: an ended relationship gives no access, also not to what that therapist once
  wrote (their feedback stays in the record for the current team, attributed to them);
- the admin views (account, care team, modules under way) are open to the organisation's
  admins, without answers.

Changes to the care team are the admin's (``move_client``, ``add_co_therapist``,
``end_co_therapist``) and the invitation's (``start_primary`` when a client accepts the
invitation of their therapist). Each change writes its audit event in the same transaction.
Assigning a module never starts a relationship: a therapist cannot take a client back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from peewee import JOIN

from ehealth.database import write_transaction
from ehealth.models import CareRelationship, CareRole, Organisation, Role, User, utcnow
from ehealth.services import audit

REASON_MAX = 200


class View:
    """What a staff member wants to see of a client."""

    RECORD = "record"  # the client's record: therapists in the care team
    ADMINISTRATION = "administration"  # account, care team, modules: the organisation's admins


class CareError(Exception):
    """A care-team change that cannot be made; the subclass says why."""


class ClientNotFound(CareError):
    """No such client in the staff member's organisation.

    ``elsewhere`` is the client with this id in another organisation, if there is one: only
    for the access log of that organisation, never for the actor's answer or log.
    """

    def __init__(self, client_id: int, elsewhere: User | None = None) -> None:
        super().__init__(f"no client {client_id} here")
        self.elsewhere = elsewhere


class NotInCare(CareError):
    """A client of the organisation, but this staff member may not see them (answer 404)."""

    def __init__(self, client: User) -> None:
        super().__init__(f"client {client.id} is not in this staff member's care")
        self.client = client


class TherapistNotFound(CareError):
    """Not an active therapist of the client's organisation."""


class AlreadyInTeam(CareError):
    """The therapist is in the client's care team already (in this role or another)."""


class NotInTeam(CareError):
    """No such active co-therapist relationship of this client."""


class ReasonTooLong(CareError):
    """The reason is longer than ``REASON_MAX`` characters."""


# --- the rule ----------------------------------------------------------------------------------

def member_of(organisation: Organisation | int, user_id: int) -> User | None:
    """The person ``user_id`` if they belong to ``organisation`` (the scope of every lookup)."""
    user: User | None = User.get_or_none((User.id == user_id)
                                         & (User.organisation == organisation))
    return user


def client_elsewhere(client_id: int, organisation: Organisation | int) -> User | None:
    """The client ``client_id`` if they belong to another organisation than ``organisation``.

    Only to file a refused attempt in that organisation's access log: never for an answer.
    """
    client: User | None = User.get_or_none((User.id == client_id) & (User.role == Role.CLIENT)
                                           & (User.organisation != organisation))
    return client


def _active_relationship(therapist: User) -> Any:
    """A condition on ``CareRelationship``: an active relationship of ``therapist`` within
    their own organisation."""
    return ((CareRelationship.therapist == therapist) & CareRelationship.ended_at.is_null()
            & (CareRelationship.organisation == therapist.__data__["organisation"]))


def _clients_of(therapist: User) -> Any:
    """A condition on ``User``: a client of the therapist's organisation, when the therapist
    is an active therapist at all (else it matches nobody)."""
    if therapist.role != Role.THERAPIST or not therapist.active:
        return User.id.is_null()
    return (User.role == Role.CLIENT) & (User.organisation == therapist.__data__["organisation"])


def active_team(therapist: User) -> Any:
    """Subquery: the ids of the clients ``therapist`` has an active relationship with."""
    return CareRelationship.select(CareRelationship.client).where(_active_relationship(therapist))


def in_care_of(therapist: User) -> Any:
    """A peewee condition on ``User``: the clients whose record ``therapist`` may see.

    The same rule as ``client_for(therapist, …, View.RECORD)``, for checks and conditions.
    """
    return _clients_of(therapist) & User.id.in_(active_team(therapist))


def clients_in_care(therapist: User, *fields: Any, with_role: bool = False) -> Any:
    """The clients whose record ``therapist`` may see, as a query of ``fields`` of ``User``
    (``with_role``: and the relationship's ``role``, primary or co-therapist): the rule of
    ``in_care_of`` as a join, for lists."""
    selected = (*fields, CareRelationship.role) if with_role else fields
    return (User.select(*selected)
            .join(CareRelationship, on=(CareRelationship.client == User.id))
            .where(_active_relationship(therapist) & _clients_of(therapist)))


def client_for(staff: User, client_id: int, view: str = View.RECORD) -> User:
    """The client ``client_id`` if ``staff`` may see them in ``view``; the one access rule.

    Raises ClientNotFound (no such client in the staff member's organisation) or NotInCare (a
    client of the organisation this staff member may not see in this view).
    """
    organisation = staff.__data__["organisation"]
    client = member_of(organisation, client_id)
    if client is None or client.role != Role.CLIENT:
        raise ClientNotFound(client_id, client_elsewhere(client_id, organisation))
    if not may_see(staff, client, view):
        raise NotInCare(client)
    return client


def may_see(staff: User, client: User, view: str = View.RECORD) -> bool:
    """Whether ``staff`` may see ``client`` in ``view`` (see the module docstring)."""
    if not staff.active or client.role != Role.CLIENT:
        return False
    if staff.__data__["organisation"] != client.__data__["organisation"]:
        return False
    if view == View.ADMINISTRATION:
        return bool(staff.role == Role.ADMIN)
    if view == View.RECORD:
        return bool(User.select(User.id)
                    .where((User.id == client.id) & in_care_of(staff)).exists())
    return False


def relationship(therapist: User, client: User) -> CareRelationship | None:
    """The active relationship between ``therapist`` and ``client``, if any."""
    found: CareRelationship | None = CareRelationship.get_or_none(
        (CareRelationship.therapist == therapist) & (CareRelationship.client == client)
        & CareRelationship.ended_at.is_null())
    return found


# --- reading the care team ---------------------------------------------------------------------

def _with_people() -> Any:
    therapist, started_by, ended_by = User.alias(), User.alias(), User.alias()
    return (CareRelationship.select(CareRelationship, therapist, started_by, ended_by)
            .join_from(CareRelationship, therapist, on=(CareRelationship.therapist == therapist.id),
                       attr="therapist")
            .join_from(CareRelationship, started_by, JOIN.LEFT_OUTER,
                       on=(CareRelationship.started_by == started_by.id), attr="started_by")
            .join_from(CareRelationship, ended_by, JOIN.LEFT_OUTER,
                       on=(CareRelationship.ended_by == ended_by.id), attr="ended_by"))


def team_of(client: User) -> list[CareRelationship]:
    """The client's care team now: the primary therapist first, then co-therapists by name."""
    rows = list(_with_people().where((CareRelationship.client == client)
                                     & CareRelationship.ended_at.is_null()))
    return sorted(rows, key=lambda r: (r.role != CareRole.PRIMARY,
                                       (r.therapist.name or r.therapist.email).casefold(), r.id))


def history_of(client: User) -> list[CareRelationship]:
    """Every relationship the client had or has, newest first (the care history)."""
    return list(_with_people().where(CareRelationship.client == client)
                .order_by(CareRelationship.started_at.desc(), CareRelationship.id.desc()))


def primary_of(client: User) -> CareRelationship | None:
    """The client's active primary therapist relationship (None: nobody yet)."""
    found: CareRelationship | None = CareRelationship.get_or_none(
        (CareRelationship.client == client) & CareRelationship.ended_at.is_null()
        & (CareRelationship.role == CareRole.PRIMARY))
    return found


# --- changing the care team --------------------------------------------------------------------

def _reason(reason: str | None) -> str | None:
    text = " ".join((reason or "").split())
    if len(text) > REASON_MAX:
        raise ReasonTooLong()
    return text or None


def _therapist_of(client: User, therapist_id: int) -> User:
    therapist = member_of(client.__data__["organisation"], therapist_id)
    if therapist is None or therapist.role != Role.THERAPIST or not therapist.active:
        raise TherapistNotFound(therapist_id)
    return therapist


def _end(relationship_id: int, by: User | None, reason: str | None, now: dt.datetime) -> None:
    CareRelationship.update(ended_at=now, ended_by=by, reason=reason).where(
        (CareRelationship.id == relationship_id) & CareRelationship.ended_at.is_null()).execute()


def _start(client: User, therapist: User, role: str, by: User | None, reason: str | None,
           now: dt.datetime) -> CareRelationship:
    started: CareRelationship = CareRelationship.create(
        organisation=client.__data__["organisation"], client=client, therapist=therapist,
        role=role, started_at=now, started_by=by, reason=reason)
    return started


def start_primary(client: User, therapist: User, started_by: User | None = None,
                  now: dt.datetime | None = None) -> CareRelationship:
    """Make ``therapist`` the primary therapist of a new client (their invitation's therapist).

    Call inside the transaction that creates the client. A client who has a primary therapist
    already keeps them (nothing changes).
    """
    current = primary_of(client)
    if current is not None:
        return current
    if (therapist.role != Role.THERAPIST
            or therapist.__data__["organisation"] != client.__data__["organisation"]):
        raise TherapistNotFound(therapist.id)
    return _start(client, therapist, CareRole.PRIMARY, started_by, None, now or utcnow())


def move_client(admin: User, client: User, therapist_id: int, reason: str | None = None,
                address: str | None = None, now: dt.datetime | None = None
                ) -> CareRelationship:
    """Make another therapist the client's primary therapist: the old primary relationship
    ends (it stays in the history), the new one starts.

    A co-therapist who becomes primary ends their co-therapist relationship. Raises
    TherapistNotFound, AlreadyInTeam (already the primary therapist) and ReasonTooLong. The
    event names the new therapist as its object.
    """
    now = now or utcnow()
    reason = _reason(reason)
    therapist = _therapist_of(client, therapist_id)
    with write_transaction():
        current = primary_of(client)
        if current is not None and current.__data__["therapist"] == therapist.id:
            raise AlreadyInTeam(therapist.id)
        if current is not None:
            _end(current.id, admin, reason, now)
        co = relationship(therapist, client)
        if co is not None:
            _end(co.id, admin, reason, now)
        started = _start(client, therapist, CareRole.PRIMARY, admin, reason, now)
        audit.record(admin, audit.CLIENT_MOVED, client=client, object_type="user",
                     object_id=therapist.id, address=address)
    return started


def add_co_therapist(admin: User, client: User, therapist_id: int, reason: str | None = None,
                     address: str | None = None, now: dt.datetime | None = None
                     ) -> CareRelationship:
    """Add a co-therapist to the client's care team.

    Raises TherapistNotFound, AlreadyInTeam and ReasonTooLong.
    """
    now = now or utcnow()
    reason = _reason(reason)
    therapist = _therapist_of(client, therapist_id)
    with write_transaction():
        if relationship(therapist, client) is not None:
            raise AlreadyInTeam(therapist.id)
        started = _start(client, therapist, CareRole.CO_THERAPIST, admin, reason, now)
        audit.record(admin, audit.CO_THERAPIST_ADDED, client=client, object_type="user",
                     object_id=therapist.id, address=address)
    return started


def end_co_therapist(admin: User, client: User, relationship_id: int,
                     reason: str | None = None, address: str | None = None,
                     now: dt.datetime | None = None) -> CareRelationship:
    """End a co-therapist's relationship with the client (it stays in the history).

    The primary therapist is not ended here: move the client instead. Raises NotInTeam and
    ReasonTooLong.
    """
    now = now or utcnow()
    reason = _reason(reason)
    with write_transaction():
        found: CareRelationship | None = CareRelationship.get_or_none(
            (CareRelationship.id == relationship_id) & (CareRelationship.client == client)
            & (CareRelationship.role == CareRole.CO_THERAPIST)
            & CareRelationship.ended_at.is_null())
        if found is None:
            raise NotInTeam(relationship_id)
        _end(found.id, admin, reason, now)
        audit.record(admin, audit.CO_THERAPIST_REMOVED, client=client, object_type="user",
                     object_id=found.__data__["therapist"], address=address)
    found.ended_at, found.reason = now, reason
    return found
