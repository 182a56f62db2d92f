"""Inviting clients and giving them modules: assign, pause, resume, withdraw.

A therapist invites a client into their own organisation (the invitation names them as the
client's therapist), and assigns modules that the organisation's library offers
(``services.library``) to their own clients, with an optional personal message and due date.
An assignment is paused (the client sees it but cannot change answers), resumed, or withdrawn
(the client no longer sees it; their answers are kept).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from ehealth.content.loader import Module
from ehealth.content.schema import version_key
from ehealth.database import write_transaction
from ehealth.i18n import LANGUAGE_NAMES
from ehealth.models import (
    Assignment,
    AssignmentStatus,
    Invitation,
    ModuleVersion,
    Role,
    User,
    utcnow,
)
from ehealth.services import accounts, care, library

MAX_MESSAGE = 2_000
# How far ahead a due date may lie: a typing slip (year 2205) is caught, a long module is not.
MAX_DUE = dt.timedelta(days=3 * 366)
OPEN = (AssignmentStatus.ASSIGNED, AssignmentStatus.ACTIVE, AssignmentStatus.PAUSED)


class AssigningError(Exception):
    """An assignment or status change that cannot be made; the subclass says why."""


class AssignmentNotFound(AssigningError):
    """No such assignment in the therapist's organisation.

    ``elsewhere`` is the client of an assignment with this id in another organisation, if
    there is one: only for that organisation's access log.
    """

    def __init__(self, assignment_id: int, elsewhere: User | None = None) -> None:
        super().__init__(f"no assignment {assignment_id} here")
        self.elsewhere = elsewhere


class ModuleNotAvailable(AssigningError):
    """The module is not in the organisation's library (unknown, switched off or not theirs)."""


class AlreadyAssigned(AssigningError):
    """The client already has this module open (assigned, active or paused)."""


class MessageTooLong(AssigningError):
    """The personal message is longer than ``MAX_MESSAGE`` characters."""


class DueDateInvalid(AssigningError):
    """The due date lies in the past, or too far ahead."""


class StatusChangeNotAllowed(AssigningError):
    """The assignment's status does not allow this change (resuming what is not paused …)."""


# --- invitations -------------------------------------------------------------------------------

def invite_client(therapist: User, email: str, language: str,
                  now: dt.datetime | None = None) -> tuple[Invitation, str]:
    """Invite ``email`` as a client of ``therapist``, in their organisation; valid 7 days.

    Returns the invitation and its secret token (for the link in the e-mail). Raises the
    ``accounts`` errors: EmailInvalid, EmailInUse; DetailsInvalid for an unknown language.
    """
    if language not in LANGUAGE_NAMES:
        raise accounts.DetailsInvalid(language)
    invitation, token = accounts.create_invitation(
        therapist.organisation, email, Role.CLIENT, therapist=therapist, invited_by=therapist,
        now=now)
    with write_transaction():
        Invitation.update(language=language).where(Invitation.id == invitation.id).execute()
    invitation.language = language
    return invitation, token


def open_invitations(therapist: User, now: dt.datetime | None = None) -> list[Invitation]:
    """The therapist's client invitations not yet accepted, newest first (expired ones too)."""
    now = now or utcnow()
    return list(Invitation.select()
                .where((Invitation.therapist == therapist) & (Invitation.role == Role.CLIENT)
                       & Invitation.used_at.is_null()
                       & (Invitation.created_at > now - dt.timedelta(days=30)))
                .order_by(Invitation.created_at.desc()).limit(50))


# --- the library -------------------------------------------------------------------------------

def assignable_modules(therapist: User, all_modules: Mapping[str, Module]) -> list[Module]:
    """The modules of the organisation's library, by title in Dutch (the library's order)."""
    available = library.available_modules(therapist.organisation, all_modules)
    return sorted(available, key=lambda module: module.title.in_language("nl").casefold())


def _latest_version(module_id: str) -> ModuleVersion:
    versions = list(ModuleVersion.select(ModuleVersion.id, ModuleVersion.module_id,
                                         ModuleVersion.version, ModuleVersion.content_hash)
                    .where(ModuleVersion.module_id == module_id))
    if not versions:
        raise ModuleNotAvailable(module_id)
    return max(versions, key=lambda v: version_key(v.version))


# --- assignments -------------------------------------------------------------------------------

def assign_module(therapist: User, client: User, module_id: str,
                  all_modules: Mapping[str, Module], message: str = "",
                  due_date: dt.date | None = None, today: dt.date | None = None) -> Assignment:
    """Give ``client`` (the therapist's own) the latest version of ``module_id``."""
    today = today or utcnow().date()
    message = message.strip()
    if len(message) > MAX_MESSAGE:
        raise MessageTooLong()
    if due_date is not None and not today <= due_date <= today + MAX_DUE:
        raise DueDateInvalid(due_date)
    if not library.is_available(therapist.organisation, module_id, all_modules):
        raise ModuleNotAvailable(module_id)
    version = _latest_version(module_id)
    with write_transaction():
        open_already = (Assignment.select().join(ModuleVersion)
                        .where((Assignment.client == client)
                               & (ModuleVersion.module_id == module_id)
                               & Assignment.status.in_(OPEN))
                        .exists())
        if open_already:
            raise AlreadyAssigned(module_id)
        assignment: Assignment = Assignment.create(
            client=client, therapist=therapist, module_version=version,
            message=message or None, due_date=due_date, assigned_at=utcnow())
    return assignment


def own_assignment(therapist: User, assignment_id: int) -> Assignment:
    """The assignment ``assignment_id`` of a client in the therapist's care (``services.care``).

    A module a colleague assigned counts too: the care team follows the client. The lookup is
    scoped to the therapist's organisation first. Raises AssignmentNotFound when there is no
    such assignment in the organisation (``elsewhere`` carries the client of another
    organisation's assignment, for that organisation's log only) and care.NotInCare (carrying
    the client, for the audit log) when the client is not in the therapist's care.
    """
    organisation = therapist.__data__["organisation"]
    assignment: Assignment | None = (
        Assignment.select(Assignment, User).join(User, on=(Assignment.client == User.id))
        .where((Assignment.id == assignment_id) & (User.organisation == organisation))
        .first())
    if assignment is None:
        other: Assignment | None = (
            Assignment.select(Assignment, User).join(User, on=(Assignment.client == User.id))
            .where(Assignment.id == assignment_id).first())
        raise AssignmentNotFound(assignment_id, other.client if other is not None else None)
    client: User = assignment.client
    if not care.may_see(therapist, client, care.View.RECORD):
        raise care.NotInCare(client)
    return assignment


def _change(assignment: Assignment, allowed_from: tuple[str, ...], status: str) -> Assignment:
    with write_transaction():
        changed = (Assignment.update(status=status)
                   .where((Assignment.id == assignment.id)
                          & Assignment.status.in_(allowed_from))
                   .execute())
    if changed != 1:
        raise StatusChangeNotAllowed(assignment.status)
    assignment.status = status
    return assignment


def pause(assignment: Assignment) -> Assignment:
    """Pause a module the client has (not yet completed): they see it, but cannot work in it."""
    return _change(assignment, (AssignmentStatus.ASSIGNED, AssignmentStatus.ACTIVE),
                   AssignmentStatus.PAUSED)


def resume(assignment: Assignment) -> Assignment:
    """Let the client work in a paused module again (active once they started it)."""
    status = AssignmentStatus.ACTIVE if assignment.started_at else AssignmentStatus.ASSIGNED
    return _change(assignment, (AssignmentStatus.PAUSED,), status)


def withdraw(assignment: Assignment) -> Assignment:
    """Take the module away from the client; what they wrote is kept (and still shared)."""
    return _change(assignment, (AssignmentStatus.ASSIGNED, AssignmentStatus.ACTIVE,
                                AssignmentStatus.PAUSED, AssignmentStatus.COMPLETED),
                   AssignmentStatus.WITHDRAWN)


__all__ = [
    "AlreadyAssigned", "AssigningError", "AssignmentNotFound", "DueDateInvalid",
    "MessageTooLong", "ModuleNotAvailable", "StatusChangeNotAllowed",
    "assign_module", "assignable_modules", "invite_client", "open_invitations",
    "own_assignment", "pause", "resume", "withdraw",
]
