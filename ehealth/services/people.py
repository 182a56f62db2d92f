"""An organisation's people, as its admin manages them: invite staff, (de)activate accounts.
A client's care team (moving them, co-therapists) is ``services.care``.

Every function is given the organisation (or the acting admin, whose organisation it is) and
looks people up inside it only: someone of another organisation is ``PersonNotFound``, exactly
like someone who does not exist, so no answer ever tells an admin that a person of another
organisation is there. Every change writes an AuditEvent in the same transaction as the change
itself (both or neither); the route passes the request's address.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from flask_babel import lazy_gettext as _l

from ehealth.database import write_transaction
from ehealth.i18n import LANGUAGE_NAMES
from ehealth.models import (
    Assignment,
    AssignmentStatus,
    CareRelationship,
    CareRole,
    Invitation,
    Organisation,
    Role,
    User,
    utcnow,
)
from ehealth.services import accounts, audit, care, two_factor
from ehealth.services.sessions import end_all_sessions

# Roles an admin invites here; clients are invited by their therapist.
INVITABLE_ROLES = (Role.THERAPIST, Role.AUTHOR, Role.ADMIN)
# A client's assignments that are still under way.
OPEN_STATUSES = (AssignmentStatus.ASSIGNED, AssignmentStatus.ACTIVE, AssignmentStatus.PAUSED)

ROLE_LABELS = {
    Role.CLIENT: _l("client"),
    Role.THERAPIST: _l("therapist"),
    Role.AUTHOR: _l("author"),
    Role.ADMIN: _l("admin"),
}


CARE_ROLE_LABELS = {
    CareRole.PRIMARY: _l("primary therapist"),
    CareRole.CO_THERAPIST: _l("co-therapist"),
}


def care_role_label(role: str | None) -> str:
    """A therapist's part in a client's care ("hoofdbehandelaar"), in the current language."""
    label = CARE_ROLE_LABELS.get(role or "")
    return str(label) if label is not None else (role or "")


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


@dataclass
class PersonRow:
    """One line of the people list."""

    user: User
    primary: User | None = None  # clients: their primary therapist
    co_therapists: list[User] = field(default_factory=list)  # clients: their co-therapists
    clients: int = 0  # therapists: how many active clients they have in their care

    @property
    def therapists(self) -> list[User]:
        """A client's care team: the primary therapist first, then the co-therapists."""
        return ([self.primary] if self.primary is not None else []) + self.co_therapists


def person_in(organisation: Organisation, user_id: int) -> User:
    """The person ``user_id`` of ``organisation``; PersonNotFound for anyone else."""
    user = care.member_of(organisation, user_id)
    if user is None:
        raise PersonNotFound(user_id)
    return user


def people_of(organisation: Organisation) -> list[PersonRow]:
    """Everyone of the organisation: staff first (by role), then clients; by name.

    Clients come with their care team (``services.care``: the same relationships that open
    their record to a therapist), therapists with how many active clients are in their care;
    two queries however many people there are.
    """
    order = {Role.ADMIN: 0, Role.AUTHOR: 1, Role.THERAPIST: 2, Role.CLIENT: 3}
    users = sorted(User.select().where(User.organisation == organisation),
                   key=lambda u: (order.get(u.role, 9), (u.name or u.email).lower(), u.id))
    by_id = {user.id: user for user in users}
    rows = {user.id: PersonRow(user) for user in users}
    relationships = (CareRelationship.select(CareRelationship.client, CareRelationship.therapist,
                                             CareRelationship.role)
                     .where((CareRelationship.organisation == organisation)
                            & CareRelationship.ended_at.is_null())
                     .tuples())
    for client_id, therapist_id, role in cast(Iterable[tuple[int, int, str]], relationships):
        client, therapist = rows.get(client_id), by_id.get(therapist_id)
        if client is None or therapist is None:
            continue  # never show someone of another organisation
        if role == CareRole.PRIMARY:
            client.primary = therapist
        else:
            client.co_therapists.append(therapist)
        if client.user.active:
            rows[therapist_id].clients += 1
    for row in rows.values():
        row.co_therapists.sort(key=lambda t: ((t.name or t.email).casefold(), t.id))
    return [rows[user.id] for user in users]


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
    """How many active clients are in the care of ``therapist`` (as on their caseload)."""
    return int(care.clients_in_care(therapist, User.id)
               .where(User.active == True).count())  # noqa: E712


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


def view_person(admin: User, user_id: int, address: str | None = None) -> User:
    """The person ``user_id``, for their page; looking at a client's page is logged."""
    user = person_in(admin.organisation, user_id)
    if user.role == Role.CLIENT:
        audit.record(admin, audit.CLIENT_VIEWED, client=user, object_type="person",
                     object_id=user.id, address=address)
    return user
