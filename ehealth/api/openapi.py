"""The OpenAPI 3 document of ``/api/v1``, generated from the routes and their marshmallow schemas.

Each view declares what it takes and gives with ``@documented``; its docstring gives the
summary (first line) and description (the rest). The document walks the app's URL map, so a
route cannot be left out: one without ``@documented`` makes building the document fail.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from marshmallow import Schema
from werkzeug.routing import Rule

from ehealth.api.schemas import ConflictSchema, ErrorSchema, ValidationErrorSchema

F = TypeVar("F", bound=Callable[..., Any])

OPENAPI_VERSION = "3.0.3"
_DOC_ATTRIBUTE = "__openapi__"
_ARGUMENT = re.compile(r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\([^)]*\))?:)?"
                       r"(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>")
_CONVERTER_TYPES = {"int": {"type": "integer"}, "float": {"type": "number"}}

ERRORS: dict[int, tuple[type[Schema], str]] = {
    400: (ErrorSchema, "bad_request: the address or the body holds something no operation can "
                       "use — a NUL character or a lone surrogate, JSON that is not valid, "
                       "nested too deeply or with a number that is not finite; csrf_failed "
                       "(writes): the CSRF token is missing, expired or wrong — fetch a new one "
                       "from GET /api/v1/csrf-token and send the request again."),
    401: (ErrorSchema, "unauthorized: not signed in (or the session ended). A visitor gets "
                       "this on writes too, whatever the CSRF token."),
    403: (ErrorSchema, "forbidden: signed in, but not as a client."),
    404: (ErrorSchema, "not_found: no such assignment of yours (reading a withdrawn one "
                       "too), no such step to answer, or, for visit and done, a step you do "
                       "not see now."),
    409: (ConflictSchema, "stale_revision: the answer changed since the revision this save "
                          "was based on (``current`` holds the stored one, or null); "
                          "assignment_closed: the assignment is paused or withdrawn, so "
                          "visits, saves and done steps are refused."),
    415: (ErrorSchema, "unsupported_media_type: send the body as application/json."),
    422: (ValidationErrorSchema, "invalid: ``errors`` names each wrong field with its messages, "
                                 "by its path in the answer (``value``, ``selected``, "
                                 "``items.0.category``, ``responses.<item>``, ``first_step``, "
                                 "``private``) or in the request (``revision``, "
                                 "``Idempotency-Key``)."),
    500: (ErrorSchema, "internal_error: with a ``reference`` to quote; no details."),
}

# Every operation can answer these: bad input is refused before any view runs
# (``ehealth.input_guard``), and anything unexpected is a 500 with a reference.
EVERY_OPERATION = (400, 500)


@dataclass(frozen=True)
class OperationDoc:
    """What a view takes and gives, for the document."""

    response: type[Schema]
    errors: Sequence[int] = ()
    body: type[Schema] | None = None
    headers: type[Schema] | None = None
    public: bool = False
    tags: Sequence[str] = field(default_factory=tuple)
    error_bodies: Mapping[int, type[Schema]] = field(default_factory=dict)


def documented(response: type[Schema], errors: Sequence[int] = (),
               body: type[Schema] | None = None, headers: type[Schema] | None = None,
               public: bool = False, tags: Sequence[str] = (),
               error_bodies: Mapping[int, type[Schema]] | None = None) -> Callable[[F], F]:
    """Declare a view's 200 response, its error statuses, JSON body and header parameters.

    ``error_bodies`` replaces the usual schema of an error status (``ERRORS``) for a view whose
    error carries other fields.
    """

    def decorator(view: F) -> F:
        setattr(view, _DOC_ATTRIBUTE, OperationDoc(response, tuple(errors), body, headers,
                                                   public, tuple(tags),
                                                   dict(error_bodies or {})))
        return view

    return decorator


def _response(schema: type[Schema], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _operation(view: Callable[..., Any], doc: OperationDoc, method: str) -> dict[str, Any]:
    text = inspect.getdoc(view) or ""
    summary, _, description = text.partition("\n")
    operation: dict[str, Any] = {
        "operationId": view.__name__,
        "summary": summary.strip(),
        "tags": list(doc.tags),
        "responses": {"200": _response(doc.response, "OK")},
    }
    if description.strip():
        operation["description"] = description.strip()
    for status in sorted({*doc.errors, *EVERY_OPERATION}):
        schema, meaning = ERRORS[status]
        operation["responses"][str(status)] = _response(doc.error_bodies.get(status, schema),
                                                        meaning)
    if doc.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": doc.body}},
        }
    if doc.headers is not None:
        operation["parameters"] = [{"in": "header", "schema": doc.headers}]
    if doc.public:
        operation["security"] = []
    elif method in {"POST", "PUT", "PATCH", "DELETE"}:
        operation["security"] = [{"session": [], "csrf": []}]
    return operation


def openapi_path(rule: Rule) -> tuple[str, list[dict[str, Any]]]:
    """The rule as an OpenAPI path (``<int:id>`` → ``{id}``) with its path parameters."""
    parameters = [
        {"name": match["name"], "in": "path", "required": True,
         "schema": _CONVERTER_TYPES.get(match["converter"] or "", {"type": "string"})}
        for match in _ARGUMENT.finditer(rule.rule)
    ]
    return _ARGUMENT.sub(lambda m: "{" + m["name"] + "}", rule.rule), parameters


def build_spec(app: Flask, blueprint: str = "api") -> dict[str, Any]:
    """The OpenAPI document of every route of ``blueprint``."""
    spec = APISpec(
        title="ehealth API",
        version="1",
        openapi_version=OPENAPI_VERSION,
        plugins=[MarshmallowPlugin()],
        security=[{"session": []}],
        info={"description": (
            "What the module player calls: a client's assignments, module content, answers "
            "(autosave with revisions and idempotency keys) and progress. Sign in through the "
            "web app; the session cookie authenticates. Every write (PUT, POST) sends the CSRF "
            "token in the X-CSRFToken header (GET /api/v1/csrf-token gives a fresh one). "
            'Errors are JSON: {"error": "<code>", "message": "…"}.'
        )},
    )
    spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": app.config["SESSION_COOKIE_NAME"]}
    )
    spec.components.security_scheme(
        "csrf", {"type": "apiKey", "in": "header", "name": "X-CSRFToken"}
    )
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith(f"{blueprint}.")]
    by_path: dict[str, tuple[list[dict[str, Any]], dict[str, Any]]] = {}
    for rule in sorted(rules, key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        doc = getattr(view, _DOC_ATTRIBUTE, None)
        if not isinstance(doc, OperationDoc):
            raise RuntimeError(f"{rule.endpoint} ({rule.rule}) has no @documented.")
        path, parameters = openapi_path(rule)
        operations = by_path.setdefault(path, (parameters, {}))[1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operations[method.lower()] = _operation(view, doc, method)
    for path, (parameters, operations) in by_path.items():
        spec.path(path=path, operations=operations, parameters=parameters or None)
    result: dict[str, Any] = spec.to_dict()
    _nested_null_is_only_null(result)
    return result


# apispec writes a nested schema that may be null (``allow_none``) as ``anyOf: [{$ref}, {type:
# object, nullable: true}]`` for OpenAPI 3.0; that second branch admits *any* object, so
# ``resume`` or a conflict's ``current`` could be anything. ``enum: [null]`` keeps it to null.
_ANY_OBJECT_OR_NULL = {"type": "object", "nullable": True}
_ONLY_NULL = {**_ANY_OBJECT_OR_NULL, "enum": [None]}


def _nested_null_is_only_null(node: Any) -> None:
    if isinstance(node, dict):
        branches = node.get("anyOf")
        if isinstance(branches, list):
            node["anyOf"] = [dict(_ONLY_NULL) if branch == _ANY_OBJECT_OR_NULL else branch
                             for branch in branches]
        for value in node.values():
            _nested_null_is_only_null(value)
    elif isinstance(node, list):
        for value in node:
            _nested_null_is_only_null(value)
