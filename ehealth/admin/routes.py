"""Routes of the admin's people pages: the list (the admin's start page), inviting staff, a
person's page, deactivating and activating accounts, and a client's care team: moving them to
another primary therapist, adding and ending co-therapists, the care history.

Thin: read the form, call one function of ``services.people`` or ``services.care``, render or
redirect (303). A form with mistakes comes back with an error summary (422). Someone who is not
of the admin's organisation is 404, whatever the route; an attempt on a client of another
organisation is logged as denied in that organisation's log, never in the admin's.
"""

from __future__ import annotations

import logging
from typing import Any, NoReturn

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from ehealth import rate_limits
from ehealth.admin.blueprint import bp
from ehealth.admin.common import address, admin_only, me
from ehealth.admin.forms import CoTherapistForm, EndCoTherapistForm, InviteForm, MoveForm
from ehealth.admin.mails import send_staff_invitation
from ehealth.auth.mails import invitation_link
from ehealth.models import AssignmentStatus, AuditOutcome, CareRole, Invitation, Role, User
from ehealth.services import accounts, audit, care
from ehealth.services import people as people_service
from ehealth.services.mail import MailError
from ehealth.services.modules import module_for_version

log = logging.getLogger(__name__)

Page = tuple[str, int]

STATUS_LABELS = {
    AssignmentStatus.ASSIGNED: _l("Not started yet"),
    AssignmentStatus.ACTIVE: _l("Working on it"),
    AssignmentStatus.PAUSED: _l("Paused"),
    AssignmentStatus.COMPLETED: _l("Completed"),
    AssignmentStatus.WITHDRAWN: _l("Withdrawn"),
}


def _not_found(user_id: int, action: str) -> NoReturn:
    """404 for someone who is not of the admin's organisation; a real client of another
    organisation gets the refused attempt in their own organisation's log."""
    elsewhere = care.client_elsewhere(user_id, me().organisation)
    if elsewhere is not None:
        audit.record(me(), action, client=elsewhere, object_type="person", object_id=user_id,
                     address=address(), outcome=AuditOutcome.DENIED)
    abort(404)


def _person(user_id: int, action: str = audit.CLIENT_VIEWED) -> User:
    try:
        return people_service.person_in(me().organisation, user_id)
    except people_service.PersonNotFound:
        _not_found(user_id, action)


def _client(user_id: int, action: str) -> User:
    """A client of the admin's organisation (``services.care.client_for``), else 404."""
    try:
        return care.client_for(me(), user_id, care.View.ADMINISTRATION)
    except care.CareError:
        _not_found(user_id, action)


# --- the people list and inviting ---------------------------------------------------------------

def _people_page(form: InviteForm | None = None, status: int = 200,
                 unsent: tuple[Invitation, str] | None = None) -> Page:
    organisation = me().organisation
    form = form or InviteForm(formdata=None, role=Role.THERAPIST, language="nl")
    rows = people_service.people_of(organisation)
    return render_template(
        "admin/people.html", form=form, errors=form.error_list(),
        staff=[r for r in rows if r.user.role != Role.CLIENT],
        clients=[r for r in rows if r.user.role == Role.CLIENT],
        invitations=people_service.open_invitations(organisation), unsent=unsent,
        role_label=people_service.role_label,
    ), status


@bp.get("/")
@admin_only
def people() -> Page:
    """Everyone of the organisation, staff and clients, and the form to invite staff."""
    return _people_page()


@bp.post("/people/invite")
@admin_only
def invite() -> Page | Response:
    """Invite a therapist, author or admin: an e-mail with a link valid for 7 days."""
    form = InviteForm()
    over_limit = rate_limits.invitation_refused()
    if over_limit:
        form.email.errors = [over_limit]
        return _people_page(form, 429)
    if not form.validate_on_submit():
        return _people_page(form, 422)
    try:
        invitation, token = people_service.invite_staff(
            me(), form.email.data, form.name.data, form.role.data, form.language.data,
            address=address())
    except accounts.EmailInvalid:
        form.email.errors = [_("Enter an e-mail address, like name@example.com.")]
        return _people_page(form, 422)
    except accounts.EmailInUse:
        form.email.errors = [_("This e-mail address already has an account. Use another "
                               "address, or ask the person to log in.")]
        return _people_page(form, 422)
    except people_service.PeopleError:  # role, language or name: the form checked them
        abort(422)
    try:
        send_staff_invitation(current_app.config, invitation, token, form.name.data, me())
    except MailError:
        log.exception("The invitation mail of invitation %s could not be sent", invitation.id)
        # Shown once, on this page only (never stored in a cookie): the admin passes it on.
        return _people_page(unsent=(invitation, invitation_link(current_app.config, token)))
    flash(_("The invitation is sent. The link in it works once and for 7 days."), "success")
    return redirect(url_for("admin.people"), code=303)


# --- one person -----------------------------------------------------------------------------------

def _person_page(user: User, form: MoveForm | None = None, status: int = 200,
                 co_form: CoTherapistForm | None = None,
                 end_forms: dict[int, EndCoTherapistForm] | None = None) -> Page:
    organisation = me().organisation
    therapists = people_service.therapists_of_organisation(organisation)
    choices = [(t.id, t.name or t.email) for t in therapists]
    form = form or MoveForm(formdata=None)
    co_form = co_form or CoTherapistForm(formdata=None, prefix="co")
    assignments: list[dict[str, Any]] = []
    team: list[Any] = []
    history: list[Any] = []
    if user.role == Role.CLIENT:
        for assignment in people_service.open_assignments(user):
            module = module_for_version(assignment.module_version)
            therapist: User | None = assignment.therapist
            assignments.append({
                "module": module, "status": str(STATUS_LABELS.get(assignment.status, "")),
                "therapist": therapist, "assigned_at": assignment.assigned_at})
        team = care.team_of(user)
        history = care.history_of(user)
    in_team = {relationship.therapist.id for relationship in team}
    primary = next((r for r in team if r.role == CareRole.PRIMARY), None)
    form.therapist.choices = [c for c in choices
                              if primary is None or c[0] != primary.therapist.id]
    co_form.therapist.choices = [c for c in choices if c[0] not in in_team]
    end_forms = end_forms or {}
    for relationship in team:
        if relationship.role == CareRole.CO_THERAPIST and relationship.id not in end_forms:
            end_forms[relationship.id] = EndCoTherapistForm(formdata=None,
                                                            prefix=f"end-{relationship.id}")
    errors = form.error_list() + co_form.error_list() + [
        error for end_form in end_forms.values() for error in end_form.error_list()]
    return render_template(
        "admin/person.html", person=user, form=form, co_form=co_form, end_forms=end_forms,
        errors=errors, assignments=assignments, team=team, primary=primary, history=history,
        follows=people_service.client_count(user) if user.role == Role.THERAPIST else 0,
        is_me=user.id == me().id, role_label=people_service.role_label,
    ), status


@bp.get("/people/<int:user_id>")
@admin_only
def person(user_id: int) -> Page:
    """A person's account; for a client also their open modules (looking is logged)."""
    try:
        user = people_service.view_person(me(), user_id, address=address())
    except people_service.PersonNotFound:
        _not_found(user_id, audit.CLIENT_VIEWED)
    return _person_page(user)


@bp.post("/people/<int:user_id>/deactivate")
@admin_only
def deactivate(user_id: int) -> Response:
    """Switch an account off: logged out everywhere at once, no more logging in."""
    try:
        people_service.deactivate(me(), user_id, address=address())
    except people_service.PersonNotFound:
        _not_found(user_id, audit.ACCOUNT_DEACTIVATED)
    except people_service.OwnAccount:
        flash(_("You cannot deactivate your own account. Ask another admin."), "error")
    else:
        flash(_("The account is deactivated. This person is logged out and cannot log in "
                "any more."), "success")
    return redirect(url_for("admin.person", user_id=user_id), code=303)


@bp.post("/people/<int:user_id>/reactivate")
@admin_only
def reactivate(user_id: int) -> Response:
    """Switch an account on again: the person can log in with their password again."""
    try:
        people_service.reactivate(me(), user_id, address=address())
    except people_service.PersonNotFound:
        _not_found(user_id, audit.ACCOUNT_REACTIVATED)
    flash(_("The account is active again. This person can log in again."), "success")
    return redirect(url_for("admin.person", user_id=user_id), code=303)


@bp.post("/people/<int:user_id>/second-factor/reset")
@admin_only
def reset_second_factor(user_id: int) -> Response:
    """A staff member lost their phone: they set up their second factor again at log-in."""
    try:
        people_service.reset_second_factor(me(), user_id, address=address())
    except people_service.PersonNotFound:
        _not_found(user_id, audit.SECOND_FACTOR_RESET)
    except (people_service.OwnAccount, people_service.NotStaff):
        abort(400)
    flash(_("The second factor is reset. This person is logged out and sets up an "
            "authenticator app again at the next log-in."), "success")
    return redirect(url_for("admin.person", user_id=user_id), code=303)


CARE_ERRORS: dict[type[Exception], Any] = {
    care.TherapistNotFound: _l("Choose a therapist from the list."),
    care.AlreadyInTeam: _l("This therapist is in the care team already."),
    care.ReasonTooLong: _l("The reason is too long."),
}


def _care_problem(error: Exception) -> str:
    return str(CARE_ERRORS.get(type(error), _l("That did not work. Please try again.")))


@bp.post("/people/<int:user_id>/move")
@admin_only
def move(user_id: int) -> Page | Response:
    """Give a client another primary therapist; the old relationship ends (and is kept)."""
    client = _client(user_id, audit.CLIENT_MOVED)
    form = MoveForm()
    if not form.validate_on_submit():
        return _person_page(client, form, 422)
    try:
        care.move_client(me(), client, form.therapist.data, form.reason.data,
                         address=address())
    except care.CareError as error:
        field = form.reason if isinstance(error, care.ReasonTooLong) else form.therapist
        field.errors = [_care_problem(error)]
        return _person_page(client, form, 422)
    flash(_("Done: the client has a new primary therapist. The previous therapist no longer "
            "sees this client's record."), "success")
    return redirect(url_for("admin.person", user_id=user_id, _anchor="care-team"), code=303)


@bp.post("/people/<int:user_id>/co-therapists")
@admin_only
def add_co_therapist(user_id: int) -> Page | Response:
    """Add a co-therapist to the client's care team: they see the client's record too."""
    client = _client(user_id, audit.CO_THERAPIST_ADDED)
    form = CoTherapistForm(prefix="co")
    if not form.validate_on_submit():
        return _person_page(client, co_form=form, status=422)
    try:
        care.add_co_therapist(me(), client, form.therapist.data, form.reason.data,
                              address=address())
    except care.CareError as error:
        field = form.reason if isinstance(error, care.ReasonTooLong) else form.therapist
        field.errors = [_care_problem(error)]
        return _person_page(client, co_form=form, status=422)
    flash(_("Done: the co-therapist is in the care team and sees this client's record."),
          "success")
    return redirect(url_for("admin.person", user_id=user_id, _anchor="care-team"), code=303)


@bp.post("/people/<int:user_id>/co-therapists/<int:relationship_id>/end")
@admin_only
def end_co_therapist(user_id: int, relationship_id: int) -> Page | Response:
    """End a co-therapist's part in the client's care (it stays in the care history)."""
    client = _client(user_id, audit.CO_THERAPIST_REMOVED)
    form = EndCoTherapistForm(prefix=f"end-{relationship_id}")
    if not form.validate_on_submit():
        return _person_page(client, end_forms={relationship_id: form}, status=422)
    try:
        care.end_co_therapist(me(), client, relationship_id, form.reason.data,
                              address=address())
    except care.NotInTeam:
        abort(404)
    except care.CareError as error:
        form.reason.errors = [_care_problem(error)]
        return _person_page(client, end_forms={relationship_id: form}, status=422)
    flash(_("Done: the co-therapist is no longer in the care team and no longer sees this "
            "client's record."), "success")
    return redirect(url_for("admin.person", user_id=user_id, _anchor="care-team"), code=303)
