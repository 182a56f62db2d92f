"""The client's home ("Mijn modules") and the step-by-step player.

Without JavaScript every step is a plain form: Back, Save and Next post it. With JavaScript the
same form also autosaves through the JSON API; the server stays the single source of truth.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from ehealth.access import role_required
from ehealth.client import bp
from ehealth.content.steps import STEP_TYPES
from ehealth.content.steps.base import first
from ehealth.content.steps.questions import Scale
from ehealth.input_guard import revision_number
from ehealth.models import Answer, Assignment, AssignmentStatus, Role
from ehealth.services import answers as answer_service
from ehealth.services import feedback as feedback_service
from ehealth.services.assignment_state import AssignmentClosed, is_closed
from ehealth.services.assignments import (
    NotAssigned,
    StepHidden,
    TooFewItems,
    client_assignment,
    client_assignments,
    finish_step,
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


def _render_step(view: Any, place: Place, fields: dict[str, list[str]], revision: int,
                 errors: Any = None, status: int = 200, notice: str | None = None,
                 messages: list[feedback_service.Message] | None = None) -> tuple[str, int]:
    stored = answer_service.answers_of(view.assignment)
    if messages is None:
        messages = feedback_service.messages_on_step(view.assignment, place.step["id"])
    closed = is_closed(view.assignment.status)
    return render_template(
        "client/player.html", view=view, place=place, step=place.step,
        step_type=STEP_TYPES[place.step["type"]], fields=fields, revision=revision,
        errors=errors, notice=notice, answers={k: a.value for k, a in stored.items()},
        lang=view.module.language_for(current_user.language),
        save_key=secrets.token_urlsafe(16),
        previous=view.places[place.index - 1] if place.index > 0 else None,
        is_last=place.index == len(view.places) - 1, messages=messages, closed=closed,
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
    answer = answer_service.answers_of(assignment).get(step_id)
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


@bp.post("/assignments/<int:assignment_id>/steps/<step_id>")
@client_only
def submit_step(assignment_id: int, step_id: str) -> Any:
    """Save the step's answer (when it changed) and go back, stay, or go on."""
    try:
        assignment = client_assignment(current_user, assignment_id, for_change=True)
    except NotAssigned:
        abort(404)
    except AssignmentClosed as closed:
        return _closed(closed)
    view = overview(assignment)
    place = find_place(view.places, step_id)
    if place is None:
        return redirect(url_for("client.open_assignment", assignment_id=assignment_id))
    form = request.form.to_dict(flat=False)
    action = first(form, "action", "next")
    step_type = STEP_TYPES[place.step["type"]]
    stay_for_follow_ups = False
    if step_type.answerable and "revision" in form:
        value = step_type.from_form(place.step, form)
        revision = revision_number(first(form, "revision", "0") or "0")  # BadInput: 400
        current = answer_service.answers_of(assignment).get(step_id)
        try:
            if answer_service.differs(view.module, step_id, value, current):
                answer_service.save_answer(assignment, step_id, value, revision,
                                           first(form, "save_key") or None)
        except answer_service.InvalidAnswer as error:
            return _render_step(view, place, form, revision, errors=error.messages, status=422)
        except answer_service.StaleRevision as error:
            return _render_conflict(view, place, form, value, error.current)
        except AssignmentClosed as closed:
            return _closed(closed)
        if place.step["type"] == "scale":
            stay_for_follow_ups = _new_follow_ups(place.step, value, first(form, "shown_value"))
    if action == "save" or stay_for_follow_ups:
        return redirect(url_for("client.step", assignment_id=assignment_id, step_id=step_id))
    view = overview(assignment)  # conditions may have changed with this answer
    place = find_place(view.places, step_id) or place
    if action == "back":
        target = view.places[place.index - 1] if place.index > 0 else place
        return redirect(url_for("client.step", assignment_id=assignment_id,
                                step_id=target.step["id"]))
    try:
        following = finish_step(assignment, step_id)
    except AssignmentClosed as closed:
        return _closed(closed)
    except TooFewItems as short:
        answer = answer_service.answers_of(assignment).get(step_id)
        notice = _("Pick at least %(num)d more to go on.", num=short.missing)
        fields = step_type.to_form(place.step, _stored_value(answer))
        return _render_step(view, place, fields, answer.revision if answer else 0,
                            notice=notice, status=422)
    except StepHidden:
        return redirect(url_for("client.open_assignment", assignment_id=assignment_id))
    if following is not None:
        return redirect(url_for("client.step", assignment_id=assignment_id,
                                step_id=following.step["id"]))
    return redirect(url_for("client.finished", assignment_id=assignment_id))


def _new_follow_ups(step: dict[str, Any], value: dict[str, Any], shown: str) -> bool:
    """A score was chosen whose follow-up questions the client has not seen yet."""
    score = value.get("value")
    if not isinstance(score, int) or str(score) == shown:
        return False
    scale = STEP_TYPES["scale"]
    assert isinstance(scale, Scale)
    return bool(scale.asked_follow_ups(step, score))


def _render_conflict(view: Any, place: Place, form: dict[str, list[str]],
                     mine: dict[str, Any], current: Answer | None) -> tuple[str, int]:
    return render_template(
        "client/conflict.html", view=view, place=place, step=place.step, form=form,
        mine=mine, theirs=current.value if current else None,
        revision=current.revision if current else 0,
        lang=view.module.language_for(current_user.language),
        save_key=secrets.token_urlsafe(16),
    ), 409


@bp.get("/assignments/<int:assignment_id>/done")
@client_only
def finished(assignment_id: int) -> str:
    """The end of a module: the achievement, and everything the client wrote."""
    assignment = _own(assignment_id)
    view = overview(assignment)
    stored = answer_service.answers_of(assignment)
    return render_template("client/finished.html", view=view,
                           answers={k: a.value for k, a in stored.items()},
                           lang=view.module.language_for(current_user.language))
