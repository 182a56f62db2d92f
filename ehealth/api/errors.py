"""Every error under ``/api/`` is JSON: ``{"error": "<code>", "message": "…", …}``.

The HTML app keeps its own error pages. Handlers on the blueprint cover every request that
reached an API route (CSRF failures raised before the view included); requests under ``/api/``
that matched no route (404, 405) are answered by a before-request hook, because Flask hands
those to the app's handlers, not the blueprint's.

``error`` is the stable code the player's script branches on; ``message`` is English for
developers, never shown to clients as it is. Nothing from the request body is logged.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, Unauthorized
from werkzeug.routing import RequestRedirect

from ehealth.api.schemas import AnswerSchema
from ehealth.models import Answer
from ehealth.services.answers import AssignmentClosed, InvalidAnswer, StaleRevision, StepNotFound

log = logging.getLogger(__name__)

API_PREFIX = "/api/"


def error_response(status: int, error: str, message: str, **extra: Any) -> Response:
    """A JSON error body with ``status``."""
    response = jsonify({"error": error, "message": message, **extra})
    response.status_code = status
    return response


def invalid(errors: dict[str, Any] | list[Any], message: str = "The request is invalid."
            ) -> Response:
    """422 naming each wrong field: ``{"error": "invalid", "errors": {field: [messages]}}``."""
    return error_response(422, "invalid", message, errors=field_errors(errors))


def field_errors(messages: dict[Any, Any] | list[Any]) -> dict[str, Any]:
    """marshmallow messages as JSON: list indexes become string keys ("items" → "0" → …).

    Messages not tied to a field (a bare list) go under ``_schema``, as marshmallow does.
    """
    if isinstance(messages, list):
        return {"_schema": messages}
    return {str(key): field_errors(value) if isinstance(value, dict) else value
            for key, value in messages.items()}


def answer_state(answer: Answer | None) -> dict[str, Any] | None:
    """The stored answer as the API shows it (the ``current`` of a conflict)."""
    if answer is None:
        return None
    result: dict[str, Any] = AnswerSchema().dump(answer)
    return result


def _code(error: HTTPException) -> str:
    """``Not Found`` → ``not_found``."""
    return (error.name or "error").lower().replace(" ", "_").replace("'", "")


def http_error(error: HTTPException) -> Response:
    """Any HTTP error (401, 403, 404, 405, 413, 415, …) as JSON, keeping headers like Allow."""
    status = error.code or 500
    if status >= 500:
        return _server_error(error)
    response = error_response(status, _code(error), error.description or error.name)
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _server_error(error: BaseException) -> Response:
    reference = secrets.token_hex(6)
    # Path and method only: the body may hold answers, and answers are never logged.
    log.error("API error (reference %s) on %s %s", reference, request.method, request.path,
              exc_info=error)
    return error_response(500, "internal_error",
                          "Something went wrong on our side. Quote the reference if you "
                          "report it.", reference=reference)


def register(bp: Blueprint) -> None:
    """Attach the JSON error handlers to the API blueprint."""

    @bp.errorhandler(CSRFError)
    def _csrf_failed(error: CSRFError) -> Response:
        # The CSRF check runs before the view's sign-in check. A visitor (never signed in, or
        # the session ended) gets 401 as documented: a fresh token would not help them, and
        # the player then says "signed out" instead of retrying.
        if not current_user.is_authenticated:
            return http_error(Unauthorized())
        # The script refreshes its token (GET /api/v1/csrf-token) and sends the save again.
        return error_response(400, "csrf_failed", error.description or "CSRF check failed.")

    @bp.errorhandler(StaleRevision)
    def _stale(error: StaleRevision) -> Response:
        return error_response(409, "stale_revision",
                              "The answer changed since the revision this save was based on.",
                              current=answer_state(error.current))

    @bp.errorhandler(AssignmentClosed)
    def _closed(error: AssignmentClosed) -> Response:
        return error_response(409, "assignment_closed",
                              "The assignment is paused or withdrawn; answers cannot change now.")

    @bp.errorhandler(InvalidAnswer)
    def _invalid(error: InvalidAnswer) -> Response:
        return invalid(error.messages, "The answer does not fit this step.")

    @bp.errorhandler(ValidationError)
    def _invalid_request(error: ValidationError) -> Response:
        return invalid(error.messages)

    @bp.errorhandler(StepNotFound)
    def _no_step(error: StepNotFound) -> Response:
        return error_response(404, "not_found", "This module has no such step to answer.")

    bp.register_error_handler(HTTPException, http_error)

    @bp.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        return _server_error(error)

    @bp.before_app_request
    def _unrouted_api_paths() -> Response | None:
        # A path under /api/ that matched no route (or not with this method) never reaches the
        # blueprint's handlers; answer it here, in JSON, before Flask raises the routing error.
        error = request.routing_exception
        if (error is None or isinstance(error, RequestRedirect)
                or not request.path.startswith(API_PREFIX)
                or not isinstance(error, HTTPException)):
            return None
        return http_error(error)
