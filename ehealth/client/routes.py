"""The client's home ("Mijn modules") and the step-by-step player.

Without JavaScript every step is a plain form: Back, Save and Next post it. With JavaScript the
same form also autosaves through the JSON API; the server stays the single source of truth.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from ehealth.access import role_required
from ehealth.client.blueprint import bp
from ehealth.content.steps import STEP_TYPES
from ehealth.content.steps.base import first
from ehealth.i18n import module_language
from ehealth.input_guard import revision_number
from ehealth.models import Answer, Assignment, AssignmentStatus, Role
from ehealth.player_page import PlayerFrame, render_step
from ehealth.services import answers as answer_service
from ehealth.services import assignments as assignment_service
from ehealth.services import feedback as feedback_service
from ehealth.services.assignment_state import AssignmentClosed, is_closed
from ehealth.services.assignments import (
    Action,
    NotAssigned,
    Outcome,
    StepHidden,
    StepResult,
    client_assignment,
    client_assignments,
    overview,
    record_visit,
)
from ehealth.services.progress import Place, find_place

client_only = role_required(Role.CLIENT)


@bp.before_request
def _personal_data() -> None:
    g.personal_data = True  # no-store: these pages show the client's own answers


def _own(assignment_id: int) -> Assignment:
    """The client's assignment to read (withdrawn ones are not found)."""
    try:
        return client_assignment(current_user, assignment_id)
    except NotAssigned:
        abort(404)


CLOSED_NOTICES = {
    AssignmentStatus.PAUSED: _l("This module is paused by your therapist. You can read it, and "
                                "your answers are kept; you can go on once it is resumed."),
    AssignmentStatus.WITHDRAWN: _l("This module is no longer available. Your answers are kept."),
}


def _closed(error: AssignmentClosed) -> Response:
    """A change in a paused or withdrawn module: nothing is saved, the client is told why."""
    flash(str(CLOSED_NOTICES.get(error.status, CLOSED_NOTICES[AssignmentStatus.WITHDRAWN])))
    return redirect(url_for("client.home"), code=303)


@bp.get("/my-modules")
@client_only
def home() -> str:
    """Assigned modules with progress, where to continue, completed ones, feedback waiting."""
    overviews = [overview(a) for a in client_assignments(current_user)]
    active = [o for o in overviews if o.assignment.status != "completed"]
    completed = [o for o in overviews if o.assignment.status == "completed"]
    return render_template("client/home.html", active=active, completed=completed,
                           feedback_steps=feedback_service.unread_steps(current_user))


@bp.get("/assignments/<int:assignment_id>")
@client_only
def open_assignment(assignment_id: int) -> Response:
    """Continue where the client left off."""
    view = overview(_own(assignment_id))
    return redirect(url_for("client.step", assignment_id=assignment_id,
                            step_id=view.resume.step["id"]))


def _frame(assignment: Assignment, step_id: str) -> PlayerFrame:
    """The client's own player around a step: it posts and autosaves to their assignment."""
    views = current_app.view_functions
    return PlayerFrame(
        action=url_for("client.submit_step", assignment_id=assignment.id, step_id=step_id),
        home_url=url_for("client.home"), home_label=_("My modules"),
        save_url=(url_for("api.save_form", assignment_id=assignment.id, step_id=step_id)
                  if "api.save_form" in views else ""),
        csrf_url=url_for("api.csrf_token") if "api.csrf_token" in views else "",
        due_date=assignment.due_date)


def _render_step(view: Any, place: Place, fields: dict[str, list[str]], revision: int,
                 errors: Any = None, status: int = 200, notice: str | None = None,
                 messages: list[feedback_service.Message] | None = None) -> tuple[str, int]:
    stored = view.answers
    if messages is None:
        messages = feedback_service.messages_on_step(view.assignment, place.step["id"])
    return render_step(
        view, place, _frame(view.assignment, place.step["id"]), fields, revision,
        answers={k: a.value for k, a in stored.items()}, lang=module_language(view.module),
        errors=errors, notice=notice, messages=messages,
        closed=is_closed(view.assignment.status),
        closed_notice=str(CLOSED_NOTICES[AssignmentStatus.PAUSED]),
    ), status


@bp.get("/assignments/<int:assignment_id>/steps/<step_id>")
@client_only
def step(assignment_id: int, step_id: str) -> Any:
    """One step of the module, as a form."""
    assignment = _own(assignment_id)
    view = overview(assignment)
    place = find_place(view.places, step_id)
    if place is None:  # hidden by a condition, or not in this version
        return redirect(url_for("client.step", assignment_id=assignment_id,
                                step_id=view.resume.step["id"]))
    if not is_closed(assignment.status):  # a paused module is read, not visited
        record_visit(assignment, step_id)
    answer = view.answers.get(step_id)
    step_type = STEP_TYPES[place.step["type"]]
    fields = step_type.to_form(place.step, _stored_value(answer))
    # The therapist's feedback on this step counts as read once the client sees it here.
    messages = feedback_service.messages_on_step(assignment, step_id)
    feedback_service.mark_read(messages)
    return _render_step(view, place, fields, answer.revision if answer else 0,
                        messages=messages)


def _stored_value(answer: Answer | None) -> dict[str, Any] | None:
    if answer is None:
        return None
    return {**answer.value, "private": answer.private}


ACTIONS = {"back": Action.BACK, "save": Action.SAVE}  # the form's "action"; else Next


@bp.post("/assignments/<int:assignment_id>/steps/<step_id>")
@client_only
def submit_step(assignment_id: int, step_id: str) -> Any:
    """Save the step's answer (when it changed) and go back, stay, or go on.

    Parses the form and shows what ``services.assignments.submit_step`` did.
    """
    try:
        assignment = client_assignment(current_user, assignment_id, for_change=True)
    except NotAssigned:
        abort(404)
    except AssignmentClosed as closed:
        return _closed(closed)
    form = request.form.to_dict(flat=False)
    definition = answer_service.module_of(assignment).steps_by_id.get(step_id)
    value, revision = None, 0
    if (definition is not None and STEP_TYPES[definition["type"]].answerable
            and "revision" in form):
        value = STEP_TYPES[definition["type"]].from_form(definition, form)
        revision = revision_number(first(form, "revision", "0") or "0")  # BadInput: 400
    try:
        result = assignment_service.submit_step(
            assignment, step_id, ACTIONS.get(first(form, "action", "next"), Action.NEXT),
            value, revision, first(form, "save_key") or None,
            follow_ups_shown_for=first(form, "shown_value"))
    except StepHidden:
        return redirect(url_for("client.open_assignment", assignment_id=assignment_id))
    except AssignmentClosed as closed:
        return _closed(closed)
    return _show_result(result, form, value or {}, revision)


def _show_result(result: StepResult, form: dict[str, list[str]], value: dict[str, Any],
                 revision: int) -> Any:
    """The page or redirect for what a submitted step came to."""
    view, place = result.view, result.place
    if result.outcome == Outcome.INVALID:
        return _render_step(view, place, form, revision, errors=result.errors, status=422)
    if result.outcome == Outcome.STALE:
        return _render_conflict(view, place, form, value, result.answer)
    if result.outcome == Outcome.TOO_FEW:
        notice = _("Pick at least %(num)d more to go on.", num=result.missing)
        fields = STEP_TYPES[place.step["type"]].to_form(place.step,
                                                        _stored_value(result.answer))
        return _render_step(view, place, fields,
                            result.answer.revision if result.answer else 0,
                            notice=notice, status=422)
    if result.outcome == Outcome.FINISHED:
        return redirect(url_for("client.finished", assignment_id=view.assignment.id))
    target = result.target or place  # STAY: this step again
    return redirect(url_for("client.step", assignment_id=view.assignment.id,
                            step_id=target.step["id"]))


def _render_conflict(view: Any, place: Place, form: dict[str, list[str]],
                     mine: dict[str, Any], current: Answer | None) -> tuple[str, int]:
    return render_template(
        "client/conflict.html", view=view, place=place, step=place.step, form=form,
        mine=mine, theirs=current.value if current else None,
        revision=current.revision if current else 0,
        lang=module_language(view.module),
        save_key=secrets.token_urlsafe(16),
    ), 409


@bp.get("/assignments/<int:assignment_id>/done")
@client_only
def finished(assignment_id: int) -> str:
    """The end of a module: the achievement, and everything the client wrote."""
    assignment = _own(assignment_id)
    view = overview(assignment)
    stored = view.answers
    return render_template("client/finished.html", view=view,
                           answers={k: a.value for k, a in stored.items()},
                           lang=module_language(view.module))
