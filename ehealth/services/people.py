"""An organisation's people, as its admin manages them: invite staff, (de)activate accounts,
move a client to another therapist.

Every function is given the organisation (or the acting admin, whose organisation it is) and
looks people up inside it only: someone of another organisation is ``PersonNotFound``, exactly
like someone who does not exist, so no answer ever tells an admin that a person of another
organisation is there. Every change writes an AuditEvent in the same transaction as the change
itself (both or neither); the route passes the request's address.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from flask_babel import lazy_gettext as _l

from ehealth.database import write_transaction
from ehealth.i18n import LANGUAGE_NAMES
from ehealth.models import (
    Assignment,
    AssignmentStatus,
    Invitation,
    Organisation,
    Role,
    User,
    utcnow,
)
from ehealth.services import accounts, audit, two_factor
from ehealth.services.sessions import end_all_sessions

# Roles an admin invites here; clients are invited by their therapist.
INVITABLE_ROLES = (Role.THERAPIST, Role.AUTHOR, Role.ADMIN)
# A client's assignments that are still under way: these go along to a new therapist.
OPEN_STATUSES = (AssignmentStatus.ASSIGNED, AssignmentStatus.ACTIVE, AssignmentStatus.PAUSED)

ROLE_LABELS = {
    Role.CLIENT: _l("client"),
    Role.THERAPIST: _l("therapist"),
    Role.AUTHOR: _l("author"),
    Role.ADMIN: _l("admin"),
}


def role_label(role: str | None) -> str:
    """The name of a role for people ("behandelaar"), in the current language."""
    label = ROLE_LABELS.get(role or "")
    return str(label) if label is not None else (role or "")


class PeopleError(Exception):
    """Base of the errors of managing people."""


class PersonNotFound(PeopleError):
    """No such person in the admin's organisation (which includes: of another organisation)."""


class OwnAccount(PeopleError):
    """Admins do not deactivate themselves: the organisation would lose its admin."""


class RoleNotInvitable(PeopleError):
    """Admins invite therapists, authors and admins; a client is invited by their therapist."""


class LanguageUnknown(PeopleError):
    """Not one of the product's languages."""


class NameInvalid(PeopleError):
    """An empty or too long name."""


class NotAClient(PeopleError):
    """Only clients move to another therapist."""


class TherapistNotFound(PeopleError):
    """The new therapist is not an active therapist of the same organisation."""


class NothingToMove(PeopleError):
    """Nothing of the client is with another therapist: nothing would change."""


@dataclass
class PersonRow:
    """One line of the people list."""

    user: User
    therapists: list[User] = field(default_factory=list)  # clients: of their open modules
    clients: int = 0  # therapists: how many clients they have open modules with


def person_in(organisation: Organisation, user_id: int) -> User:
    """The person ``user_id`` of ``organisation``; PersonNotFound for anyone else."""
    user: User | None = User.get_or_none((User.id == user_id)
                                         & (User.organisation == organisation))
    if user is None:
        raise PersonNotFound(user_id)
    return user


def people_of(organisation: Organisation) -> list[PersonRow]:
    """Everyone of the organisation: staff first (by role), then clients; by name.

    Clients come with the therapists of their open modules (without one: the therapist who
    invited them), therapists with how many clients have an open module with them; three
    queries however many people there are.
    """
    order = {Role.ADMIN: 0, Role.AUTHOR: 1, Role.THERAPIST: 2, Role.CLIENT: 3}
    users = sorted(User.select().where(User.organisation == organisation),
                   key=lambda u: (order.get(u.role, 9), (u.name or u.email).lower(), u.id))
    by_id = {user.id: user for user in users}
    pairs = (Assignment.select(Assignment.client, Assignment.therapist).distinct()
             .join(User, on=Assignment.client == User.id)
             .where((User.organisation == organisation) & Assignment.status.in_(OPEN_STATUSES)
                    & Assignment.therapist.is_null(False))
             .tuples())
    therapists_of: dict[int, list[User]] = defaultdict(list)
    clients_of: dict[int, int] = defaultdict(int)
    for client_id, therapist_id in cast(Iterable[tuple[int, int]], pairs):
        therapist = by_id.get(therapist_id)
        if therapist is None:
            continue  # never show someone of another organisation
        therapists_of[client_id].append(therapist)
        clients_of[therapist_id] += 1
    invited = (Invitation.select(Invitation.user, Invitation.therapist)
               .where((Invitation.organisation == organisation) & Invitation.user.is_null(False)
                      & Invitation.therapist.is_null(False))
               .tuples())
    for client_id, therapist_id in cast(Iterable[tuple[int, int]], invited):
        therapist = by_id.get(therapist_id)
        if therapist is not None and client_id not in therapists_of:
            therapists_of[client_id].append(therapist)
    return [PersonRow(user, sorted(therapists_of.get(user.id, []), key=lambda t: t.name),
                      clients_of.get(user.id, 0)) for user in users]


def therapists_of_organisation(organisation: Organisation) -> list[User]:
    """The organisation's active therapists, by name: who a client can move to."""
    return list(User.select().where((User.organisation == organisation)
                                    & (User.role == Role.THERAPIST) & (User.active == True))  # noqa: E712
                .order_by(User.name, User.id))


def clients_of_organisation(organisation: Organisation) -> list[User]:
    """The organisation's clients, by name (for choosing one, as in the access-log filter)."""
    return list(User.select().where((User.organisation == organisation)
                                    & (User.role == Role.CLIENT)).order_by(User.name, User.id))


def staff_of_organisation(organisation: Organisation) -> list[User]:
    """The organisation's staff, by name (for choosing one, as in the access-log filter)."""
    return list(User.select().where((User.organisation == organisation)
                                    & User.role.in_(Role.STAFF)).order_by(User.name, User.id))


def open_assignments(client: User) -> list[Assignment]:
    """The client's modules still under way, oldest first, with their therapists."""
    return list(Assignment.select().where((Assignment.client == client)
                                          & Assignment.status.in_(OPEN_STATUSES))
                .order_by(Assignment.assigned_at, Assignment.id))


def client_count(therapist: User) -> int:
    """How many clients have an open module with ``therapist``."""
    return int(Assignment.select(Assignment.client).distinct()
               .where((Assignment.therapist == therapist)
                      & Assignment.status.in_(OPEN_STATUSES)).count())


def open_invitations(organisation: Organisation, now: dt.datetime | None = None
                     ) -> list[Invitation]:
    """Invitations of the organisation not yet used and not yet expired, newest first."""
    now = now or utcnow()
    return list(Invitation.select().where(
        (Invitation.organisation == organisation) & Invitation.used_at.is_null()
        & (Invitation.expires_at > now)).order_by(Invitation.created_at.desc()))


def invite_staff(admin: User, email: str, name: str, role: str, language: str,
                 address: str | None = None, now: dt.datetime | None = None
                 ) -> tuple[Invitation, str]:
    """Invite a therapist, author or admin to the admin's organisation.

    Returns the invitation and the secret token for the link (the caller mails it). Raises
    RoleNotInvitable, LanguageUnknown, NameInvalid, and accounts.EmailInvalid or
    accounts.EmailInUse. The name is for the e-mail's greeting: the invited person enters
    their own name when they accept.
    """
    if role not in INVITABLE_ROLES:
        raise RoleNotInvitable(role)
    if language not in LANGUAGE_NAMES:
        raise LanguageUnknown(language)
    name = name.strip()
    if not name or len(name) > accounts.NAME_MAX:
        raise NameInvalid()
    with write_transaction():
        invitation, token = accounts.create_invitation(
            admin.organisation, email, role, invited_by=admin, now=now)
        Invitation.update(language=language).where(Invitation.id == invitation.id).execute()
        invitation.language = language
        audit.record(admin, audit.STAFF_INVITED, object_type="invitation",
                     object_id=invitation.id, address=address)
    return invitation, token


def _client_or_none(user: User) -> User | None:
    return user if user.role == Role.CLIENT else None


def deactivate(admin: User, user_id: int, address: str | None = None) -> User:
    """Switch the account off: every session of it ends now and it can no longer log in.

    Raises PersonNotFound and OwnAccount. Deactivating an inactive account changes nothing
    and records nothing.
    """
    user = person_in(admin.organisation, user_id)
    if user.id == admin.id:
        raise OwnAccount()
    if not user.active:
        return user
    with write_transaction():
        User.update(active=False).where(User.id == user.id).execute()
        end_all_sessions(user)
        audit.record(admin, audit.ACCOUNT_DEACTIVATED, client=_client_or_none(user),
                     object_type="user", object_id=user.id, address=address)
    user.active = False
    return user


class NotStaff(Exception):
    """Only staff have a second factor."""


def reset_second_factor(admin: User, user_id: int, address: str | None = None) -> User:
    """A staff member lost their phone and recovery codes: remove their second factor.

    Their sessions end; at the next log-in they set up an authenticator app again. Raises
    PersonNotFound, OwnAccount and NotStaff.
    """
    user = person_in(admin.organisation, user_id)
    if user.id == admin.id:
        raise OwnAccount()
    if not user.is_staff:
        raise NotStaff()
    with write_transaction():
        two_factor.reset(user)
        end_all_sessions(user)
        audit.record(admin, audit.SECOND_FACTOR_RESET, object_type="user", object_id=user.id,
                     address=address)
    user.totp_secret = None
    return user


def reactivate(admin: User, user_id: int, address: str | None = None) -> User:
    """Switch the account on again: the person can log in with their password again."""
    user = person_in(admin.organisation, user_id)
    if user.active:
        return user
    with write_transaction():
        User.update(active=True).where(User.id == user.id).execute()
        audit.record(admin, audit.ACCOUNT_REACTIVATED, client=_client_or_none(user),
                     object_type="user", object_id=user.id, address=address)
    user.active = True
    return user


def move_client(admin: User, client_id: int, therapist_id: int,
                address: str | None = None) -> int:
    """Give the client to another therapist of the organisation: their open modules, and
    the invitation the client's account came from (so a client without a module yet moves too).

    Finished and withdrawn modules keep the therapist they had. Returns how many modules moved.
    Raises PersonNotFound (no such client here), NotAClient, TherapistNotFound (not an active
    therapist here) and NothingToMove (nothing is with another therapist). The event names the
    new therapist as its object.
    """
    client = person_in(admin.organisation, client_id)
    if client.role != Role.CLIENT:
        raise NotAClient(client_id)
    try:
        therapist = person_in(admin.organisation, therapist_id)
    except PersonNotFound:
        raise TherapistNotFound(therapist_id) from None
    if therapist.role != Role.THERAPIST or not therapist.active:
        raise TherapistNotFound(therapist_id)
    with write_transaction():
        moved = int(Assignment.update(therapist=therapist).where(
            (Assignment.client == client) & Assignment.status.in_(OPEN_STATUSES)
            & ((Assignment.therapist != therapist) | Assignment.therapist.is_null())
        ).execute())
        invitation = int(Invitation.update(therapist=therapist).where(
            (Invitation.user == client) & (Invitation.organisation == admin.organisation)
            & ((Invitation.therapist != therapist) | Invitation.therapist.is_null())
        ).execute())
        if not moved and not invitation:
            raise NothingToMove(client_id)
        audit.record(admin, audit.CLIENT_MOVED, client=client, object_type="user",
                     object_id=therapist.id, address=address)
    return moved


def view_person(admin: User, user_id: int, address: str | None = None) -> User:
    """The person ``user_id``, for their page; looking at a client's page is logged."""
    user = person_in(admin.organisation, user_id)
    if user.role == Role.CLIENT:
        audit.record(admin, audit.CLIENT_VIEWED, client=user, object_type="person",
                     object_id=user.id, address=address)
    return user
