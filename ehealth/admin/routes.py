"""Routes of the admin's people pages: the list (the admin's start page), inviting staff, a
person's page, deactivating and activating accounts, moving a client to another therapist.

Thin: read the form, call one function of ``services.people``, render or redirect (303). A form
with mistakes comes back with an error summary (422). Someone who is not of the admin's
organisation is 404, whatever the route.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from werkzeug.wrappers import Response

from ehealth.admin import bp
from ehealth.admin.common import address, admin_only, me
from ehealth.admin.forms import InviteForm, MoveForm
from ehealth.admin.mails import send_staff_invitation
from ehealth.auth.mails import invitation_link
from ehealth.models import AssignmentStatus, Invitation, Role, User
from ehealth.services import accounts
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


def _person(user_id: int) -> User:
    try:
        return people_service.person_in(me().organisation, user_id)
    except people_service.PersonNotFound:
        abort(404)


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

def _person_page(user: User, form: MoveForm | None = None, status: int = 200) -> Page:
    organisation = me().organisation
    therapists = people_service.therapists_of_organisation(organisation)
    form = form or MoveForm(formdata=None)
    form.therapist.choices = [(t.id, t.name or t.email) for t in therapists]
    assignments: list[dict[str, Any]] = []
    if user.role == Role.CLIENT:
        for assignment in people_service.open_assignments(user):
            module = module_for_version(assignment.module_version)
            therapist: User | None = assignment.therapist
            assignments.append({
                "module": module, "status": str(STATUS_LABELS.get(assignment.status, "")),
                "therapist": therapist, "assigned_at": assignment.assigned_at})
    return render_template(
        "admin/person.html", person=user, form=form, errors=form.error_list(),
        assignments=assignments,
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
        abort(404)
    return _person_page(user)


@bp.post("/people/<int:user_id>/deactivate")
@admin_only
def deactivate(user_id: int) -> Response:
    """Switch an account off: logged out everywhere at once, no more logging in."""
    try:
        people_service.deactivate(me(), user_id, address=address())
    except people_service.PersonNotFound:
        abort(404)
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
        abort(404)
    flash(_("The account is active again. This person can log in again."), "success")
    return redirect(url_for("admin.person", user_id=user_id), code=303)


@bp.post("/people/<int:user_id>/second-factor/reset")
@admin_only
def reset_second_factor(user_id: int) -> Response:
    """A staff member lost their phone: they set up their second factor again at log-in."""
    try:
        people_service.reset_second_factor(me(), user_id, address=address())
    except people_service.PersonNotFound:
        abort(404)
    except (people_service.OwnAccount, people_service.NotStaff):
        abort(400)
    flash(_("The second factor is reset. This person is logged out and sets up an "
            "authenticator app again at the next log-in."), "success")
    return redirect(url_for("admin.person", user_id=user_id), code=303)


@bp.post("/people/<int:user_id>/move")
@admin_only
def move(user_id: int) -> Page | Response:
    """Give a client (their open modules) to another therapist of the organisation."""
    user = _person(user_id)
    if user.role != Role.CLIENT:
        abort(404)
    form = MoveForm()
    if not form.validate_on_submit():
        return _person_page(user, form, 422)
    try:
        moved = people_service.move_client(me(), user.id, form.therapist.data,
                                           address=address())
    except people_service.TherapistNotFound:
        form.therapist.errors = [_("Choose a therapist from the list.")]
        return _person_page(user, form, 422)
    except people_service.NothingToMove:
        form.therapist.errors = [_("Nothing changed: this client is already with this "
                                   "therapist.")]
        return _person_page(user, form, 422)
    if moved:
        flash(ngettext("Done: %(num)d open module of this client moved to the new therapist.",
                       "Done: %(num)d open modules of this client moved to the new therapist.",
                       moved), "success")
    else:
        flash(_("Done: this client now belongs to the new therapist."), "success")
    return redirect(url_for("admin.person", user_id=user_id), code=303)
