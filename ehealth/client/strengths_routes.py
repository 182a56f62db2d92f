"""Routes of "Mijn krachten": every strength of the client in one place, to change and to print.

Plain forms, post-redirect-get. When a save cannot go through (a mistake in the form, or the
module answer changed somewhere else) the page is shown again with the client's words still in
the form: nothing they typed is lost, and none of it travels in a URL or a cookie.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user
from werkzeug.wrappers import Response

from ehealth.access import role_required
from ehealth.client.blueprint import bp
from ehealth.content.steps.strengths import STRENGTH_KINDS
from ehealth.i18n import page_language
from ehealth.models import Role, User, utcnow
from ehealth.services import strengths as service
from ehealth.services.answers import AssignmentClosed, InvalidAnswer, StaleRevision

client_only = role_required(Role.CLIENT)

# Seed 002 (ik ben, ik kan, ik heb, ik wil) and seed 000 (pleasant memories).
KIND_HEADINGS = {
    "qualities": lazy_gettext("I am…"),
    "skills": lazy_gettext("I can…"),
    "memories": lazy_gettext("Pleasant memories"),
    "resources": lazy_gettext("I have… / around me"),
    "ambitions": lazy_gettext("I want…"),
}
KIND_HINTS = {
    "qualities": lazy_gettext("Your qualities: the kind of person you are."),
    "skills": lazy_gettext("What you know and what you are good at."),
    "memories": lazy_gettext("Moments that make you smile when you think of them."),
    "resources": lazy_gettext("People, animals, places and things that support you."),
    "ambitions": lazy_gettext("What you hope for and dream of, big or small."),
}


@dataclass
class FormState:
    """A form shown again: which one (``"add"`` or an item key), what was typed, and why."""

    key: str = ""
    values: dict[str, str] = field(default_factory=dict)
    error: str = ""


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


def _page(form: FormState | None = None, status: int = 200, notice: str = "",
          overview: service.StrengthsOverview | None = None) -> tuple[str, int]:
    g.personal_data = True  # no-store: the page shows the client's own answers
    me = _me()
    return render_template(
        "client/strengths.html",
        overview=overview or service.strengths_of(me, page_language()),
        kinds=STRENGTH_KINDS, headings=KIND_HEADINGS, hints=KIND_HINTS,
        form=form or FormState(), notice=notice, today=utcnow(),
    ), status


def _back(kind: str, message: str) -> Response:
    """Back to the page, at the group that changed, with a word of what happened there."""
    if kind not in STRENGTH_KINDS:
        flash(message)
        return redirect(url_for("client.strengths"), code=303)
    flash(message, f"kind-{kind}")
    return redirect(url_for("client.strengths", _anchor=f"kind-{kind}"), code=303)


def _input_message(error: Exception) -> str:
    if isinstance(error, service.UnknownKind):
        return _("Choose which kind of strength this is.")
    if isinstance(error, service.TextTooLong):
        return _("This is rather long. Can you make it a little shorter?")
    return _("Write a few words, so you know later what you meant.")


def _fields(*names: str) -> dict[str, str]:
    return {name: request.form.get(name, "") for name in names}


@bp.get("/strengths")
@client_only
def strengths() -> tuple[str, int]:
    """"Mijn krachten": the client's strengths from every module and their own, by kind."""
    return _page()


@bp.post("/strengths")
@client_only
def add_strength() -> Any:
    """Add a strength of the client's own."""
    values = _fields("kind", "text", "note")
    try:
        service.add_strength(_me(), values["kind"], values["text"], values["note"])
    except service.StrengthInputError as error:
        return _page(FormState("add", values, _input_message(error)), 422)
    return _back(values["kind"], _("Added to your strengths."))


@bp.post("/strengths/<int:strength_id>")
@client_only
def update_strength(strength_id: int) -> Any:
    """Change one of the client's own strengths."""
    values = _fields("kind", "text", "note")
    try:
        service.update_strength(_me(), strength_id, values["kind"], values["text"],
                                values["note"])
    except service.StrengthNotFound:
        abort(404)
    except service.StrengthInputError as error:
        return _page(FormState(f"s{strength_id}", values, _input_message(error)), 422)
    return _back(values["kind"], _("Your change is saved."))


@bp.post("/strengths/<int:strength_id>/remove")
@client_only
def remove_strength(strength_id: int) -> Any:
    """Remove one of the client's own strengths."""
    kind = request.form.get("kind", "")
    try:
        service.remove_strength(_me(), strength_id)
    except service.StrengthNotFound:
        abort(404)
    return _back(kind, _("Removed from your strengths."))


def _revision() -> int:
    try:
        return int(request.form.get("revision", ""))
    except ValueError:
        abort(400)


MODULE_ITEM = "/strengths/modules/<int:assignment_id>/<step_id>/<int:index>"


@bp.post(MODULE_ITEM)
@client_only
def update_module_strength(assignment_id: int, step_id: str, index: int) -> Any:
    """Change a strength from a module: saved as a new revision of the module answer."""
    ref = service.ItemRef(assignment_id, step_id, index)
    values = _fields("text", "follow_up")
    revision = _revision()
    text = values["text"] if "text" in request.form else None
    key = f"m{assignment_id}-{step_id}-{index}"
    try:
        service.update_module_item(_me(), ref, revision, values["follow_up"], text)
    except service.StrengthNotFound:
        abort(404)
    except StaleRevision:
        return _conflict(ref, values)
    except AssignmentClosed:
        return _page(FormState(key, values, _(
            "This module is closed for now, so this cannot be changed here. "
            "Your words are still in the form.")), 409)
    except service.StrengthInputError as error:
        return _page(FormState(key, values, _input_message(error)), 422)
    except InvalidAnswer:
        return _page(FormState(key, values, _(
            "This could not be saved. Please check what you wrote.")), 422)
    return _back(request.form.get("kind", ""), _(
        "Your change is saved. You will see it in the module too."))


def _conflict(ref: service.ItemRef, values: dict[str, str]) -> tuple[str, int]:
    """The answer changed elsewhere: show it as it is now, with the client's words kept."""
    me = _me()
    overview = service.strengths_of(me, page_language())
    suggestion = request.form.get("suggestion") or None
    moved = service.find_moved_item(overview, ref, request.form.get("category", ""), suggestion)
    if moved is not None:
        return _page(FormState(moved.key, values, _(
            "This changed somewhere else (perhaps in the module) while you were busy here. "
            "Your words are still in the form: check them and save again.")), 409,
            overview=overview)
    kept = {
        "kind": request.form.get("kind", ""),
        "text": values["text"] or request.form.get("label", ""),
        "note": values["follow_up"],
    }
    return _page(FormState("add", kept, _(
        "This is no longer in the module: it changed somewhere else. So that nothing is lost, "
        "your words are in the form “Add a strength yourself”. Save them there if you like.")),
        409, overview=overview)


@bp.post(MODULE_ITEM + "/remove")
@client_only
def remove_module_strength(assignment_id: int, step_id: str, index: int) -> Any:
    """Take a strength out of a module answer (a new revision of that answer)."""
    ref = service.ItemRef(assignment_id, step_id, index)
    revision = _revision()
    try:
        service.remove_module_item(_me(), ref, revision)
    except service.StrengthNotFound:
        abort(404)
    except StaleRevision:
        return _page(notice=_(
            "This changed somewhere else (perhaps in the module) while you were busy here. "
            "Have a look at how it is now, and remove it again if you still want to."),
            status=409)
    except AssignmentClosed:
        return _page(notice=_("This module is closed for now, so this cannot be changed here."),
                     status=409)
    return _back(request.form.get("kind", ""), _(
        "Removed. It is gone from the module answer too."))
