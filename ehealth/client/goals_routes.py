"""Routes of "Mijn doelen": the client's goals and small steps, to tick off, change and add to.

Plain forms, post-redirect-get. When a save cannot go through the page is shown again with the
client's words still in the form. Every goal and step is looked up as the signed-in client's
own (``GoalNotFound`` → 404), so no one can reach another client's goal by its number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ehealth.access import role_required
from ehealth.client.blueprint import bp
from ehealth.i18n import page_language
from ehealth.models import Role, User
from ehealth.services import goals as service
from ehealth.services.answers import AssignmentClosed, InvalidAnswer, StaleRevision

client_only = role_required(Role.CLIENT)

DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y")


@dataclass
class FormState:
    """A form shown again: which one, what was typed, and why."""

    key: str = ""
    values: dict[str, str] = field(default_factory=dict)
    error: str = ""


class UnclearDate(ValueError):
    """The date field holds something that is not a date."""


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


def _page(form: FormState | None = None, status: int = 200, notice: str = ""
          ) -> tuple[str, int]:
    g.personal_data = True  # no-store: the page shows the client's own goals
    me = _me()
    cards = service.goal_cards(me, page_language())
    return render_template(
        "client/goals.html",
        active=[card for card in cards if not card.is_reached],
        reached=[card for card in cards if card.is_reached],
        form=form or FormState(), notice=notice,
    ), status


def _back(message: str, goal_id: int | None = None) -> Response:
    """Back to the page, at the goal that changed, with a word of what happened."""
    if goal_id is None:
        flash(message)
        return redirect(url_for("client.goals"), code=303)
    flash(message, f"goal-{goal_id}")
    return redirect(url_for("client.goals", _anchor=f"goal-{goal_id}"), code=303)


def _date(value: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise UnclearDate(value)


def _problem(error: Exception) -> tuple[str, int]:
    """What to tell the client when a change could not be saved, and the status."""
    if isinstance(error, StaleRevision | AssignmentClosed):
        return _("This goal changed somewhere else (perhaps in the module) while you were busy "
                 "here. Your words are still in the form: check them and save again."), 409
    if isinstance(error, UnclearDate):
        return _("We could not read this date. Please pick it again, for example 25-03-2026."), 422
    if isinstance(error, service.TextTooLong):
        return _("This is rather long. Can you make it a little shorter?"), 422
    if isinstance(error, service.StepAlreadyThere):
        return _("This step is already on your list."), 422
    if isinstance(error, service.OwnStepsNotAllowed):
        return _("For this goal you choose steps in the module itself."), 422
    if isinstance(error, InvalidAnswer):
        return _("This could not be saved. Please check what you wrote."), 422
    return _("Write a few words, so you know later what you meant."), 422


CHANGE_ERRORS = (service.GoalInputError, UnclearDate, StaleRevision, AssignmentClosed,
                 InvalidAnswer)


def _again(key: str, values: dict[str, str], error: Exception) -> tuple[str, int]:
    message, status = _problem(error)
    # A conflict is also named at the top: the form it belongs to may have changed or gone.
    return _page(FormState(key, values, message), status,
                 notice=message if status == 409 else "")


def _fields(*names: str) -> dict[str, str]:
    return {name: request.form.get(name, "") for name in names}


@bp.get("/goals")
@client_only
def goals() -> tuple[str, int]:
    """"Mijn doelen": goals from modules and the client's own, with their steps."""
    return _page()


@bp.post("/goals")
@client_only
def add_goal() -> Any:
    """A goal of the client's own, with an optional date."""
    values = _fields("text", "date")
    try:
        goal = service.add_goal(_me(), values["text"], _date(values["date"]))
    except CHANGE_ERRORS as error:
        return _again("add-goal", values, error)
    return _back(_("Your goal is added. What is a small first step?"), goal.get_id())


@bp.post("/goals/<int:goal_id>")
@client_only
def update_goal(goal_id: int) -> Any:
    """Change a goal's words or date."""
    values = _fields("text", "date")
    try:
        service.update_goal(_me(), goal_id, values["text"], _date(values["date"]))
    except service.GoalNotFound:
        abort(404)
    except CHANGE_ERRORS as error:
        return _again(f"goal-{goal_id}", values, error)
    return _back(_("Your change is saved."), goal_id)


@bp.post("/goals/<int:goal_id>/reached")
@client_only
def set_goal_reached(goal_id: int) -> Any:
    """Mark a goal reached (it moves to the achievements) or open it again."""
    reached = request.form.get("reached") == "yes"
    try:
        service.set_reached(_me(), goal_id, reached)
    except service.GoalNotFound:
        abort(404)
    if reached:
        return _back(_("Well done! You reached this goal."), goal_id)
    return _back(_("The goal is open again. Take your time."), goal_id)


@bp.post("/goals/<int:goal_id>/remove")
@client_only
def remove_goal(goal_id: int) -> Any:
    """Remove a goal of the client's own (goals from a module stay)."""
    try:
        service.remove_goal(_me(), goal_id)
    except service.GoalNotFound:
        abort(404)
    except service.GoalFromModule:
        abort(409)
    return _back(_("The goal is removed."))


@bp.post("/goals/<int:goal_id>/steps")
@client_only
def add_goal_step(goal_id: int) -> Any:
    """A new small step for a goal."""
    values = _fields("text")
    try:
        service.add_step(_me(), goal_id, values["text"])
    except service.GoalNotFound:
        abort(404)
    except CHANGE_ERRORS as error:
        return _again(f"goal-{goal_id}-add-step", values, error)
    return _back(_("The step is added."), goal_id)


@bp.post("/goals/steps/<int:step_id>")
@client_only
def update_goal_step(step_id: int) -> Any:
    """Change the words of a step."""
    values = _fields("text")
    try:
        step = service.update_step(_me(), step_id, text=values["text"])
    except service.GoalNotFound:
        abort(404)
    except CHANGE_ERRORS as error:
        return _again(f"step-{step_id}", values, error)
    return _back(_("Your change is saved."), service.goal_id_of(step))


@bp.post("/goals/steps/<int:step_id>/done")
@client_only
def tick_goal_step(step_id: int) -> Any:
    """Tick a step off, or untick it."""
    done = request.form.get("done") == "yes"
    try:
        step = service.update_step(_me(), step_id, done=done)
    except service.GoalNotFound:
        abort(404)
    if done:
        return _back(_("Step done. Every step counts!"), service.goal_id_of(step))
    return _back(_("The step is open again."), service.goal_id_of(step))


@bp.post("/goals/steps/<int:step_id>/remove")
@client_only
def remove_goal_step(step_id: int) -> Any:
    """Remove a step from its goal."""
    try:
        goal_id = service.remove_step(_me(), step_id)
    except service.GoalNotFound:
        abort(404)
    except (StaleRevision, AssignmentClosed):
        return _page(notice=_(
            "This goal changed somewhere else (perhaps in the module) while you were busy "
            "here. Have a look at how it is now, and try again if you like."), status=409)
    return _back(_("The step is removed."), goal_id)
