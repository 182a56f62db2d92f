"""Routes of the therapist area: the caseload, inviting, a client's record, assigning, feedback.

Each route parses its input, checks access, calls a service, writes exactly one audit event
(NEN 7513: who, which client, what, from where, with what outcome) and renders or redirects.
Access is ``services.care.client_for``: a client not in the therapist's care is "not found"
(404), never "forbidden". The attempt on a real client is logged as denied in the log of the
client's own organisation; an id of another organisation is a plain 404 that tells the
therapist's organisation nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import format_date, format_time, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from ehealth import rate_limits
from ehealth.access import role_required
from ehealth.auth.mails import send_invitation
from ehealth.i18n import page_language
from ehealth.models import Assignment, AuditOutcome, Role, User, utcnow
from ehealth.module_library import modules as library_modules
from ehealth.services import accounts, assigning, audit, care
from ehealth.services import feedback as feedback_service
from ehealth.services.caseload import DEFAULT_INACTIVE_DAYS, CaseloadQuery, caseload
from ehealth.services.client_record import client_record
from ehealth.services.mail import MailError
from ehealth.services.people import care_role_label
from ehealth.therapist.blueprint import bp
from ehealth.therapist.charts import draw
from ehealth.therapist.forms import InviteClientForm

F = TypeVar("F", bound=Callable[..., Any])
Page = str | tuple[str, int]

# Seed 002 (ik ben, ik kan, ik heb, ik wil) and seed 000 (pleasant memories), as the client's
# own "Mijn krachten" names them.
KIND_HEADINGS = {
    "qualities": _l("I am…"),
    "skills": _l("I can…"),
    "memories": _l("Pleasant memories"),
    "resources": _l("I have… / around me"),
    "ambitions": _l("I want…"),
}
STATUS_LABELS = {
    "assigned": _l("Not started yet"),
    "active": _l("Working on it"),
    "paused": _l("Paused"),
    "completed": _l("Completed"),
    "withdrawn": _l("Withdrawn"),
}


@bp.record_once
def _defaults(state: BlueprintSetupState) -> None:
    # After how many quiet days a client with an open module shows as inactive.
    state.app.config.setdefault("THERAPIST_INACTIVE_DAYS", DEFAULT_INACTIVE_DAYS)


@bp.before_request
def _personal_data() -> None:
    g.personal_data = True  # no-store: every page here shows clients' data


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "day": lambda value: format_date(value, "medium") if value else "",
        "moment": lambda value: (f"{format_date(value, 'medium')}, {format_time(value, 'short')}"
                                 if value else ""),
        "days_text": lambda num: ngettext("%(num)d day", "%(num)d days", num),
        "status_label": lambda status: str(STATUS_LABELS.get(status, status)),
        "kind_headings": KIND_HEADINGS,
        "care_role_label": care_role_label,
        "draw_chart": draw,
    }


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


def _language() -> str:
    return page_language()  # the one rule for interface and module texts


def _log(action: str, client: User | None = None, object_type: str | None = None,
         object_id: object = None, outcome: str = AuditOutcome.SUCCESS) -> None:
    audit.record(_me(), action, client, object_type, object_id, request.remote_addr, outcome)


# --- access ------------------------------------------------------------------------------------

def _subject(kwargs: dict[str, Any]) -> tuple[User | None, str | None, str | None]:
    """The real client a request is about (or None), and the object, for the audit log.

    Only for logging another role's refused attempt: the event is filed in the client's own
    organisation (``services.audit.record``), never in the actor's.
    """
    if "client_id" in kwargs:
        client = User.get_or_none((User.id == kwargs["client_id"]) & (User.role == Role.CLIENT))
        return client, "client", str(kwargs["client_id"])
    if "assignment_id" in kwargs:
        assignment = (Assignment.select(Assignment, User)
                      .join(User, on=(Assignment.client == User.id))
                      .where(Assignment.id == kwargs["assignment_id"]).first())
        client = assignment.client if assignment is not None else None
        if "step_id" in kwargs:
            return client, "answer", f"{kwargs['assignment_id']}/{kwargs['step_id']}"[:64]
        return client, "assignment", str(kwargs["assignment_id"])
    return None, None, None


def therapist_only(action: str | None = None) -> Callable[[F], F]:
    """Therapists only (403 for other roles, the log-in page for visitors).

    With ``action``, another role's attempt on a real client is logged as denied (in the
    client's organisation).
    """

    def decorator(view: F) -> F:
        guarded = role_required(Role.THERAPIST)(view)

        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if action and current_user.is_authenticated and current_user.role != Role.THERAPIST:
                client, object_type, object_id = _subject(kwargs)
                if client is not None:
                    _log(action, client, object_type, object_id, AuditOutcome.DENIED)
            return guarded(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def _refused(action: str, client: User | None, object_type: str, object_id: object) -> None:
    """A refused attempt on a real client: logged as denied (in the client's organisation)."""
    if client is not None:
        _log(action, client, object_type, object_id, AuditOutcome.DENIED)


def _own_client(client_id: int, action: str) -> User:
    """The client in the therapist's care, else 404 (logged as denied when the client exists)."""
    try:
        return care.client_for(_me(), client_id, care.View.RECORD)
    except care.NotInCare as refused:
        _refused(action, refused.client, "client", client_id)
    except care.ClientNotFound as missing:
        _refused(action, missing.elsewhere, "client", client_id)
    abort(404)


def _own_assignment(assignment_id: int, action: str, object_type: str = "assignment",
                    object_id: object = None) -> Assignment:
    """The assignment of a client in the therapist's care, else 404 (logged as denied when it
    exists)."""
    try:
        return assigning.own_assignment(_me(), assignment_id)
    except care.NotInCare as refused:
        _refused(action, refused.client, object_type, object_id or assignment_id)
    except assigning.AssignmentNotFound as missing:
        _refused(action, missing.elsewhere, object_type, object_id or assignment_id)
    abort(404)


# --- the caseload ------------------------------------------------------------------------------

@bp.get("/", endpoint="caseload")
@therapist_only()
def caseload_page() -> str:
    """My clients: progress, last activity, who is inactive, answers awaiting feedback."""
    query = CaseloadQuery.from_args(request.args.to_dict())
    view = caseload(_me(), query, int(current_app.config["THERAPIST_INACTIVE_DAYS"]))
    _log(audit.CASELOAD_VIEWED, None, "caseload", _me().id)
    return render_template("therapist/caseload.html", caseload=view, query=view.query)


# --- inviting ----------------------------------------------------------------------------------

@bp.route("/clients/invite", methods=["GET", "POST"])
@therapist_only()
def invite() -> Page | Response:
    """Invite a client by e-mail: a link, valid 7 days, to set up their account."""
    me = _me()
    form = InviteClientForm()
    if request.method == "GET":
        form.language.data = _language()
    status = 200
    if form.is_submitted():
        status = 422
        over_limit = rate_limits.invitation_refused()
        if over_limit:
            form.email.errors = [over_limit]
            status = 429
        elif form.validate():
            try:
                invitation, token = assigning.invite_client(me, form.email.data,
                                                            form.language.data)
            except accounts.EmailInvalid:
                form.email.errors = [_("Enter an e-mail address, like name@example.com.")]
            except accounts.EmailInUse:
                form.email.errors = [_("There is already an account with this e-mail address.")]
            except accounts.DetailsInvalid:
                form.language.errors = [_("Choose a language.")]
            else:
                _log(audit.CLIENT_INVITED, None, "invitation", invitation.id)
                try:
                    send_invitation(current_app.config, invitation, token,
                                    form.language.data, name=form.name.data or "")
                except MailError:
                    current_app.logger.exception("Invitation %s: the e-mail was not sent",
                                                 invitation.id)
                    flash(_("The invitation is made, but the e-mail could not be sent. Try "
                            "again later."), "error")
                else:
                    flash(_("We sent an invitation to %(email)s. The link works once and for 7 "
                            "days.", email=invitation.email), "success")
                return redirect(url_for("therapist.invite"), code=303)
    return render_template("therapist/invite.html", form=form, errors=form.error_list(),
                           invitations=assigning.open_invitations(me), now=utcnow()), status


# --- a client's record -------------------------------------------------------------------------

@bp.get("/clients/<int:client_id>")
@therapist_only(audit.CLIENT_VIEWED)
def client_page(client_id: int) -> str:
    """The client's modules step by step, shared answers, scores, goals and strengths."""
    me = _me()
    client = _own_client(client_id, audit.CLIENT_VIEWED)
    record = client_record(me, client, _language())
    _log(audit.CLIENT_VIEWED, client, "client", client.id)
    return render_template(
        "therapist/client.html", record=record, client=client,
        library=assigning.assignable_modules(me, library_modules(current_app)),
        today=dt.date.today(), max_message=assigning.MAX_MESSAGE,
        max_feedback=feedback_service.MAX_FEEDBACK,
    )


def _back_to(client: User, anchor: str | None = None) -> Response:
    return redirect(url_for("therapist.client_page", client_id=client.id, _anchor=anchor),
                    code=303)


ASSIGN_ERRORS: dict[type[Exception], Any] = {
    assigning.ModuleNotAvailable: _l("Choose a module from the library."),
    assigning.AlreadyAssigned: _l("This client already has this module. Resume it, or withdraw "
                                  "it first."),
    assigning.MessageTooLong: _l("The message is too long."),
    assigning.DueDateInvalid: _l("Choose a due date from today on."),
    assigning.StatusChangeNotAllowed: _l("That is not possible with this module now."),
}


def _problem(error: Exception) -> str:
    return str(ASSIGN_ERRORS.get(type(error), _l("That did not work. Please try again.")))


@bp.post("/clients/<int:client_id>/assignments")
@therapist_only(audit.MODULE_ASSIGNED)
def assign(client_id: int) -> Response:
    """Give the client a module of the library, with a personal message and a due date."""
    client = _own_client(client_id, audit.MODULE_ASSIGNED)
    module_id = request.form.get("module_id", "")[:64]
    try:
        due = request.form.get("due_date", "").strip()
        due_date = dt.date.fromisoformat(due) if due else None
        assignment = assigning.assign_module(
            _me(), client, module_id, library_modules(current_app),
            message=request.form.get("message", ""), due_date=due_date)
    except (assigning.AssigningError, ValueError) as error:
        if isinstance(error, ValueError):
            error = assigning.DueDateInvalid()
        _log(audit.MODULE_ASSIGNED, client, "module", module_id or None, AuditOutcome.FAILED)
        flash(_problem(error), "error")
        return _back_to(client, "assign")
    _log(audit.MODULE_ASSIGNED, client, "assignment", assignment.id)
    flash(_("The module is assigned. %(name)s sees it on “My modules”.",
            name=client.name or client.email), "success")
    return _back_to(client, f"assignment-{assignment.id}")


def _change_status(assignment_id: int, action: str,
                   change: Callable[[Assignment], Assignment], done: str) -> Response:
    assignment = _own_assignment(assignment_id, action)
    client: User = assignment.client
    try:
        change(assignment)
    except assigning.StatusChangeNotAllowed as error:
        _log(action, client, "assignment", assignment.id, AuditOutcome.FAILED)
        flash(_problem(error), "error")
    else:
        _log(action, client, "assignment", assignment.id)
        flash(done, "success")
    return _back_to(client, f"assignment-{assignment.id}")


@bp.post("/assignments/<int:assignment_id>/pause")
@therapist_only(audit.ASSIGNMENT_PAUSED)
def pause(assignment_id: int) -> Response:
    """Pause a module: the client sees it as paused and cannot change answers."""
    return _change_status(assignment_id, audit.ASSIGNMENT_PAUSED, assigning.pause,
                          _("The module is paused."))


@bp.post("/assignments/<int:assignment_id>/resume")
@therapist_only(audit.ASSIGNMENT_RESUMED)
def resume(assignment_id: int) -> Response:
    """Resume a paused module."""
    return _change_status(assignment_id, audit.ASSIGNMENT_RESUMED, assigning.resume,
                          _("The module is resumed."))


@bp.post("/assignments/<int:assignment_id>/withdraw")
@therapist_only(audit.ASSIGNMENT_WITHDRAWN)
def withdraw(assignment_id: int) -> Response:
    """Withdraw a module: the client no longer sees it; their answers are kept."""
    return _change_status(assignment_id, audit.ASSIGNMENT_WITHDRAWN, assigning.withdraw,
                          _("The module is withdrawn. The answers stay in the record."))


# --- feedback ----------------------------------------------------------------------------------

FEEDBACK_ERRORS: dict[type[Exception], Any] = {
    feedback_service.FeedbackEmpty: _l("Write your feedback first."),
    feedback_service.FeedbackTooLong: _l("Your feedback is too long."),
    feedback_service.AssignmentWithdrawn: _l("This module is withdrawn: the client would not "
                                             "see your feedback."),
}


@bp.post("/assignments/<int:assignment_id>/steps/<step_id>/feedback")
@therapist_only(audit.FEEDBACK_GIVEN)
def give_feedback(assignment_id: int, step_id: str) -> Response:
    """Reply to the client's shared answer on one step; they see it on that step."""
    answer_ref = f"{assignment_id}/{step_id}"[:64]
    assignment = _own_assignment(assignment_id, audit.FEEDBACK_GIVEN, "answer", answer_ref)
    client: User = assignment.client
    anchor = f"step-{assignment.id}-{step_id}"
    try:
        note = feedback_service.give_feedback(_me(), assignment, step_id,
                                              request.form.get("body", ""))
    except feedback_service.AnswerNotShared:
        _log(audit.FEEDBACK_GIVEN, client, "answer", answer_ref, AuditOutcome.FAILED)
        abort(404)
    except feedback_service.FeedbackError as error:
        _log(audit.FEEDBACK_GIVEN, client, "answer", answer_ref, AuditOutcome.FAILED)
        flash(str(FEEDBACK_ERRORS.get(type(error), _l("That did not work. Please try again."))),
              "error")
        return _back_to(client, anchor)
    _log(audit.FEEDBACK_GIVEN, client, "feedback", note.id)
    flash(_("Your feedback is sent. %(name)s sees it with the answer.",
            name=client.name or client.email), "success")
    return _back_to(client, anchor)
