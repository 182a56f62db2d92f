"""Moving through a module over the API, and the HTML player's autosave.

``visit`` and ``done`` are the API's Back/Next: ``done`` is the HTML player's Next, one service
function (``services.assignments.submit_step``), and the autosave saves as the player's Save
does (``save_step_answer``).
The autosave takes the player's form fields: without JavaScript the form posts the same fields,
with JavaScript they come here as JSON while the client types. One parser (the step type's
``from_form``) serves both.
"""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, render_template_string, request
from flask.wrappers import Response
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate

from ehealth.api.blueprint import bp
from ehealth.api.errors import error_response
from ehealth.api.openapi import documented
from ehealth.api.presenters import AssignmentState, progress_of
from ehealth.api.routes import CLIENT_ERRORS, _idempotency_key, _own, client_only
from ehealth.api.schemas import (
    IDEMPOTENCY_HEADER,
    FormConflictSchema,
    IdempotencyKeySchema,
    ProgressSchema,
)
from ehealth.content.fields import StrictInteger
from ehealth.content.steps import STEP_TYPES
from ehealth.i18n import module_language
from ehealth.models import Answer
from ehealth.services import answers as answer_service
from ehealth.services.assignments import (
    Action,
    Outcome,
    StepHidden,
    overview,
    record_visit,
    save_step_answer,
    submit_step,
)
from ehealth.services.progress import find_place

_ANSWER_HTML = ('{% from "player/_answer.html" import render_answer %}'
                "{{ render_answer(step, value, lang, 'conflict') }}")


class FormSaveSchema(Schema):
    """The player form's fields (name → values) and the revision the form was based on."""

    form_fields = fields.Dict(
        data_key="fields",
        keys=fields.String(validate=validate.Length(max=200)),
        values=fields.List(fields.String(), validate=validate.Length(max=500)),
        required=True,
        metadata={"description": "Form field name → list of values, as the browser submits."},
    )
    revision = StrictInteger(required=True, validate=validate.Range(min=0))


class FormSavedSchema(Schema):
    """Where the answer stands after the save."""

    step_id = fields.String(required=True)
    revision = fields.Integer(required=True, metadata={"description": "0: nothing stored yet."})
    changed = fields.Boolean(required=True, metadata={"description": "A new revision was made."})


def _answer_html(step: dict[str, Any], answer: Answer | None, language: str) -> str:
    """The stored answer as the client reads it (escaped), for the conflict panel."""
    return render_template_string(_ANSWER_HTML, step=step, lang=language,
                                  value=answer.value if answer is not None else None)


@bp.put("/assignments/<int:assignment_id>/steps/<step_id>/form")
@client_only
@documented(FormSavedSchema, errors=(400, *CLIENT_ERRORS, 409, 415, 422),
            body=FormSaveSchema, headers=IdempotencyKeySchema, tags=["player"],
            error_bodies={409: FormConflictSchema})
def save_form(assignment_id: int, step_id: str) -> Response:
    """Save a step from the player's form fields (the HTML player's autosave).

    An unchanged form makes no new revision. A form based on an older revision is refused with
    409 ``stale_revision``; ``current`` then carries the stored revision and, in ``html``, the
    stored answer as the client reads it, so the player can show both versions.
    """
    assignment = _own(assignment_id, for_change=True)
    module = answer_service.module_of(assignment)
    step = answer_service.answerable_step(module, step_id)
    body = FormSaveSchema().load(request.get_json())
    value = STEP_TYPES[step["type"]].from_form(step, body["form_fields"])
    current = answer_service.answers_of(assignment).get(step_id)
    # The conflict panel is HTML shown inside the player page: in the page's language.
    language = module_language(module)
    try:
        # The same save as the player's Save and Next (services.assignments).
        answer, changed = save_step_answer(assignment, step_id, value, body["revision"],
                                           _idempotency_key(), current=current)
    except answer_service.StaleRevision as stale:
        return error_response(
            409, "stale_revision", "The answer was saved elsewhere since this form was loaded.",
            current={"revision": stale.current.revision if stale.current else 0,
                     "html": _answer_html(step, stale.current, language)})
    if not changed or answer is None:
        return _saved(step_id, current.revision if current else 0, changed=False)
    if answer.step_id != step_id:
        raise ValidationError({IDEMPOTENCY_HEADER: ["Already used for a save of another step."]})
    return _saved(step_id, answer.revision, changed=True)


def _saved(step_id: str, revision: int, changed: bool) -> Response:
    return jsonify(FormSavedSchema().dump(
        {"step_id": step_id, "revision": revision, "changed": changed}))


class StepDoneSchema(Schema):
    """Where the client goes after finishing a step."""

    status = fields.String(required=True, metadata={"description": "The assignment's status; "
                           "completed after the last step."})
    next_step_id = fields.String(allow_none=True, required=True,
                                 metadata={"description": "null when the module is done."})
    progress = fields.Nested(ProgressSchema, required=True)


class VisitSchema(Schema):
    """The step the client is on now (they resume there)."""

    last_step_id = fields.String(required=True)


@bp.post("/assignments/<int:assignment_id>/steps/<step_id>/visit")
@client_only
@documented(VisitSchema, errors=(400, *CLIENT_ERRORS, 409), tags=["player"])
def visit_step(assignment_id: int, step_id: str) -> Response:
    """Record that the client opened a step, so they resume there next time.

    404 for a step the client does not see now (hidden by a condition, or unknown).
    """
    assignment = _own(assignment_id, for_change=True)
    view = overview(assignment)
    if find_place(view.places, step_id) is None:
        abort(404)
    record_visit(assignment, step_id)
    return jsonify(VisitSchema().dump({"last_step_id": step_id}))


@bp.post("/assignments/<int:assignment_id>/steps/<step_id>/done")
@client_only
@documented(StepDoneSchema, errors=(400, *CLIENT_ERRORS, 409, 422), tags=["player"])
def finish(assignment_id: int, step_id: str) -> Response:
    """The client is done with a step (Next): it counts as done; returns the next step.

    After the last visible step the module is completed and ``next_step_id`` is null. A step
    that asks for more (a strengths minimum) answers 422 naming ``items``.
    """
    assignment = _own(assignment_id, for_change=True)
    try:
        # The player's Next, without an answer: the same service function.
        result = submit_step(assignment, step_id, Action.NEXT)
    except StepHidden:
        abort(404)
    if result.outcome == Outcome.TOO_FEW:
        return error_response(422, "invalid", "The step asks for more items.",
                              errors={"items": [f"Pick at least {result.missing} more."]})
    view = result.view  # as it stands after the step is done: no need to read it again
    state = AssignmentState(assignment, view.module,
                            view.module.language_for(current_user.language), view.answers,
                            view.places, view.progress, view.resume)
    return jsonify(StepDoneSchema().dump({
        "status": assignment.status,
        "next_step_id": result.target.step["id"] if result.target is not None else None,
        "progress": progress_of(state),
    }))
