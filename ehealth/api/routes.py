"""Routes of the JSON API. Thin: check access, parse with a schema, call a service, dump.

Only the client who owns an assignment reaches it; anyone else gets 404 for it, as if it did
not exist. Staff get 403 on these client endpoints, visitors 401. Every response is marked
``Cache-Control: no-store`` (personal data). Errors are JSON (``ehealth.api.errors``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, g, jsonify, request
from flask.wrappers import Response
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from marshmallow import ValidationError

from ehealth.api.blueprint import bp
from ehealth.api.openapi import build_spec, documented
from ehealth.api.presenters import (
    AssignmentState,
    detail_of,
    in_module_order,
    progress_of,
    state_of,
    summary_of,
    unanswered,
)
from ehealth.api.schemas import (
    IDEMPOTENCY_HEADER,
    AnswerListSchema,
    AnswerSaveSchema,
    AnswerSchema,
    AssignmentDetailSchema,
    AssignmentListSchema,
    CsrfTokenSchema,
    IdempotencyKeySchema,
    OpenApiDocumentSchema,
    ProgressSchema,
)
from ehealth.models import Answer, Assignment, Role
from ehealth.services import answers as answer_service
from ehealth.services.assignments import NotAssigned, client_assignment, client_assignments

F = TypeVar("F", bound=Callable[..., Any])

CLIENT_ERRORS = (401, 403, 404)


@bp.before_request
def _personal_data() -> None:
    g.personal_data = True  # app.py then sends Cache-Control: no-store


def signed_in(view: F) -> F:
    """Visitors get 401."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            abort(401)
        return view(*args, **kwargs)

    return cast(F, wrapped)


def client_only(view: F) -> F:
    """Visitors get 401, staff 403: these endpoints are the client's own."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if getattr(current_user, "role", None) != Role.CLIENT:
            abort(403)
        return view(*args, **kwargs)

    return signed_in(cast(F, wrapped))


def _own(assignment_id: int, for_change: bool = False) -> Assignment:
    """The signed-in client's assignment, or 404 (whether it is someone else's or none).

    The rule is ``services.assignments.client_assignment``, as in the HTML player: withdrawn
    assignments are not found; with ``for_change`` a paused or withdrawn one raises
    AssignmentClosed (409 ``assignment_closed``).
    """
    try:
        return client_assignment(current_user._get_current_object(), assignment_id,
                                 for_change=for_change)
    except NotAssigned:
        abort(404)


def _state(assignment: Assignment) -> AssignmentState:
    # JSON for programs: module texts in the account's language, the same answer for every
    # request (no cookie or browser decides). HTML the player puts into a page follows the
    # page instead (``player.save_form``).
    return state_of(assignment, current_user.language)


def _dump(schema: Any, data: Any) -> Response:
    return jsonify(schema.dump(data))


@bp.get("/assignments")
@client_only
@documented(AssignmentListSchema, errors=(401, 403), tags=["assignments"])
def list_assignments() -> Response:
    """The signed-in client's assignments, newest first.

    Each with its module (title in the client's language), status, progress and times.
    """
    assignments = client_assignments(current_user._get_current_object())
    return _dump(AssignmentListSchema(),
                 {"assignments": [summary_of(_state(a)) for a in assignments]})


@bp.get("/assignments/<int:assignment_id>")
@client_only
@documented(AssignmentDetailSchema, errors=CLIENT_ERRORS, tags=["assignments"])
def get_assignment(assignment_id: int) -> Response:
    """One assignment with its module content, visible steps, progress and resume step.

    Every lesson lists all its steps; ``visible`` says whether the client sees a step now,
    given their answers. Texts are in ``module.language``; Markdown texts are sanitised HTML
    in fields ending in ``_html``.
    """
    return _dump(AssignmentDetailSchema(), detail_of(_state(_own(assignment_id))))


@bp.get("/assignments/<int:assignment_id>/progress")
@client_only
@documented(ProgressSchema, errors=CLIENT_ERRORS, tags=["assignments"])
def get_progress(assignment_id: int) -> Response:
    """Steps done of the visible steps, and which steps are visible now.

    Fetch it again after a save: an answer can show or hide later steps (``show_if``).
    """
    return _dump(ProgressSchema(), progress_of(_state(_own(assignment_id))))


@bp.get("/assignments/<int:assignment_id>/answers")
@client_only
@documented(AnswerListSchema, errors=CLIENT_ERRORS, tags=["answers"])
def list_answers(assignment_id: int) -> Response:
    """Every answer of the assignment (private ones included: they are the client's own).

    Only steps with an answer are listed, in module order.
    """
    assignment = _own(assignment_id)
    module = answer_service.module_of(assignment)
    answers = in_module_order(module, answer_service.answers_of(assignment))
    return _dump(AnswerListSchema(), {"answers": answers})


@bp.get("/assignments/<int:assignment_id>/answers/<step_id>")
@client_only
@documented(AnswerSchema, errors=CLIENT_ERRORS, tags=["answers"])
def get_answer(assignment_id: int, step_id: str) -> Response:
    """The answer to one step; revision 0 and value null while it has none.

    404 for a step that does not exist or takes no answer.
    """
    assignment = _own(assignment_id)
    answer_service.answerable_step(answer_service.module_of(assignment), step_id)
    answer = Answer.get_or_none((Answer.assignment == assignment) & (Answer.step_id == step_id))
    return _dump(AnswerSchema(), answer if answer is not None else unanswered(step_id))


@bp.put("/assignments/<int:assignment_id>/answers/<step_id>")
@client_only
@documented(AnswerSchema, errors=(400, *CLIENT_ERRORS, 409, 415, 422),
            body=AnswerSaveSchema, headers=IdempotencyKeySchema, tags=["answers"])
def save_answer(assignment_id: int, step_id: str) -> Response:
    """Save a new revision of the answer to one step (the player's autosave).

    ``revision`` is the revision the client's text was based on (0 for a first answer). A save
    based on an older revision is refused with 409 ``stale_revision`` carrying the stored
    answer, never applied over it. With the same ``Idempotency-Key`` a retried save is applied
    once and answers with the answer as it is now.
    """
    assignment = _own(assignment_id, for_change=True)
    answer_service.answerable_step(answer_service.module_of(assignment), step_id)
    body = AnswerSaveSchema().load(request.get_json())
    key = _idempotency_key()
    answer = answer_service.save_answer(assignment, step_id, body["value"], body["revision"],
                                        key)
    if answer.step_id != step_id:
        raise ValidationError({IDEMPOTENCY_HEADER: ["Already used for a save of another step."]})
    return _dump(AnswerSchema(), answer)


def _idempotency_key() -> str | None:
    raw = request.headers.get(IDEMPOTENCY_HEADER)
    if raw is None:
        return None
    key: str = IdempotencyKeySchema().load({IDEMPOTENCY_HEADER: raw})["key"]
    return key


@bp.get("/csrf-token")
@signed_in
@documented(CsrfTokenSchema, errors=(401,), tags=["session"])
def csrf_token() -> Response:
    """A fresh CSRF token for the X-CSRFToken header.

    When a save answers 400 ``csrf_failed`` (the token expired), fetch this and send the same
    save again, with the same Idempotency-Key.
    """
    return _dump(CsrfTokenSchema(), {"csrf_token": generate_csrf()})


@bp.get("/openapi.json")
@documented(OpenApiDocumentSchema, public=True, tags=["documentation"])
def openapi_document() -> Response:
    """This document: the OpenAPI 3 description of the API."""
    spec = current_app.extensions.get("ehealth.openapi")
    if spec is None:
        spec = current_app.extensions["ehealth.openapi"] = build_spec(current_app)
    return jsonify(spec)
