"""marshmallow schemas of the JSON API: they check what comes in, shape what goes out, and are
the same schemas the OpenAPI document (``GET /api/v1/openapi.json``) is generated from.

Times are UTC, written as ISO 8601 with an offset (``2026-03-01T09:30:00+00:00``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import INCLUDE, Schema, fields, post_dump, validate

from ehealth.content.fields import StrictInteger
from ehealth.models import AssignmentStatus

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_IDEMPOTENCY_KEY = 64


class UtcDateTime(fields.DateTime):
    """A stored (naive UTC) time, written with its offset so browsers read it as UTC."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return super()._serialize(value, attr, obj, **kwargs)


# --- progress ---------------------------------------------------------------------------------

class ProgressSummarySchema(Schema):
    """Steps done among the steps the client sees."""

    done = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "Visible steps."})
    percent = fields.Integer(required=True, metadata={"description": "Whole percent, 0-100."})


class ProgressSchema(ProgressSummarySchema):
    """Progress with the visible steps (after ``show_if``) and the done ones among them."""

    visible_step_ids = fields.List(
        fields.String(), required=True,
        metadata={"description": "Ids of the steps the client sees now, in module order."},
    )
    done_step_ids = fields.List(
        fields.String(), required=True,
        metadata={"description": "Ids of the visible steps counted as done, in module order."},
    )


# --- assignments ------------------------------------------------------------------------------

class ModuleSummarySchema(Schema):
    """The module version an assignment is on."""

    id = fields.String(required=True)
    version = fields.String(required=True)
    title = fields.String(required=True, metadata={"description": "In ``language``."})
    language = fields.String(
        required=True,
        metadata={"description": "The language texts are given in: the client's, when the "
                  "module offers it, else the module's first language."},
    )


class AssignmentSummarySchema(Schema):
    """One of the client's assignments, as listed."""

    id = fields.Integer(required=True)
    status = fields.String(required=True,
                           metadata={"enum": list(AssignmentStatus.ALL)})
    module = fields.Nested(ModuleSummarySchema, required=True)
    progress = fields.Nested(ProgressSummarySchema, required=True)
    last_step_id = fields.String(allow_none=True, required=True,
                                 metadata={"description": "The step last visited or saved."})
    assigned_at = UtcDateTime(required=True)
    started_at = UtcDateTime(allow_none=True, required=True)
    completed_at = UtcDateTime(allow_none=True, required=True)


class AssignmentListSchema(Schema):
    """The signed-in client's assignments, newest first."""

    assignments = fields.List(fields.Nested(AssignmentSummarySchema), required=True)


CONTENT_RULES = (
    "Step content as the module defines it (see docs/module-format), with every text resolved "
    "to the module language: plain texts become strings under their own name; Markdown texts "
    "become sanitised HTML under the name with ``_html`` appended (``body`` → ``body_html``, "
    "``tip`` → ``tip_html``, ``prompt`` → ``prompt_html``); media paths (``src``, ``captions``, "
    "``poster``) keep their value and gain a ``<name>_url``."
)


class StepContentSchema(Schema):
    """One step of the module, texts resolved (see the description of ``LessonContent``)."""

    class Meta:
        unknown = INCLUDE  # documents additionalProperties: the step type's own fields

    id = fields.String(required=True)
    type = fields.String(required=True)
    visible = fields.Boolean(
        required=True,
        metadata={"description": "Whether the client sees this step now, given the answers "
                  "(``show_if``)."},
    )
    show_if = fields.Dict(metadata={"description": "The condition, as in the module."})

    @post_dump(pass_original=True)
    def _keep_step_fields(self, data: dict[str, Any], original: dict[str, Any],
                          **kwargs: Any) -> dict[str, Any]:
        return {**original, **data}


class LessonContentSchema(Schema):
    """A lesson with all its steps (hidden ones too, marked ``visible: false``)."""

    id = fields.String(required=True)
    title = fields.String(required=True)
    summary = fields.String(allow_none=True, required=True)
    steps = fields.List(fields.Nested(StepContentSchema), required=True,
                        metadata={"description": CONTENT_RULES})


class ModuleContentSchema(ModuleSummarySchema):
    """The module version's content in ``language``."""

    summary = fields.String(required=True)
    estimated_minutes = fields.Integer(required=True)
    audience = fields.List(fields.String(), required=True)
    cover = fields.Dict(required=True,
                        metadata={"description": "``src``, ``src_url``, ``alt``, ``caption``."})
    lessons = fields.List(fields.Nested(LessonContentSchema), required=True)


class ResumeSchema(Schema):
    """Where the client continues: the last visited step, else the first not done."""

    step_id = fields.String(required=True)
    lesson_id = fields.String(required=True)
    lesson_number = fields.Integer(required=True, metadata={"description": "1-based."})
    number_in_lesson = fields.Integer(required=True,
                                      metadata={"description": "1-based, visible steps."})
    steps_in_lesson = fields.Integer(required=True,
                                     metadata={"description": "Visible steps in the lesson."})
    index = fields.Integer(required=True,
                           metadata={"description": "0-based among all visible steps."})


class AssignmentDetailSchema(AssignmentSummarySchema):
    """One assignment with its module content, visible steps, progress and resume step."""

    module = fields.Nested(ModuleContentSchema, required=True)
    progress = fields.Nested(ProgressSchema, required=True)
    resume = fields.Nested(ResumeSchema, allow_none=True, required=True,
                           metadata={"description": "null only for a module without steps."})


# --- answers ----------------------------------------------------------------------------------

class AnswerSchema(Schema):
    """The client's answer to one step, with the revision the next save must name."""

    step_id = fields.String(required=True)
    revision = fields.Integer(
        required=True,
        metadata={"description": "Raised by one on each save; 0 while the step has no answer."},
    )
    value = fields.Dict(
        allow_none=True, required=True,
        metadata={"description": "The answer as stored (its step type's answer schema, without "
                  "``private``); null while the step has no answer."},
    )
    private = fields.Boolean(
        required=True,
        metadata={"description": "Kept to the client: never shown to their therapist."},
    )
    updated_at = UtcDateTime(allow_none=True, required=True)


class AnswerListSchema(Schema):
    """Every answer of the assignment, in module order."""

    answers = fields.List(fields.Nested(AnswerSchema), required=True)


class AnswerSaveSchema(Schema):
    """A save: the new answer and the revision the client's text was based on."""

    value = fields.Dict(
        keys=fields.String(), required=True,
        metadata={"description": "The answer in its step type's answer schema: reflection "
                  '``{"answers": {qid: text}, "private": bool}``, scale ``{"value": int|null, '
                  '"follow_ups": {id: text}}``, choice ``{"selected": [ids]}``, strengths '
                  '``{"items": [{"category", "suggestion"|"text", "follow_up"}]}``, '
                  'questionnaire ``{"responses": {item: int}}``, goal ``{"goal", "steps": '
                  '[{"suggestion"|"text"}], "first_step": int|null, "date": "YYYY-MM-DD"|null}``.'},
    )
    revision = StrictInteger(
        required=True, validate=validate.Range(min=0),
        metadata={"description": "The revision this answer is based on: 0 for a first answer."},
    )


class IdempotencyKeySchema(Schema):
    """The optional ``Idempotency-Key`` header: a save sent again with it is applied once."""

    key = fields.String(
        data_key=IDEMPOTENCY_HEADER,
        validate=[validate.Length(min=1, max=MAX_IDEMPOTENCY_KEY),
                  validate.Regexp(r"^[\x21-\x7e]+$",
                                  error="Use visible ASCII characters only.")],
    )


class CsrfTokenSchema(Schema):
    """A fresh CSRF token: send it as the ``X-CSRFToken`` header on every PUT and POST."""

    csrf_token = fields.String(required=True)


class OpenApiDocumentSchema(Schema):
    """An OpenAPI 3 document."""

    class Meta:
        unknown = INCLUDE

    openapi = fields.String(required=True)
    info = fields.Dict(required=True)
    paths = fields.Dict(required=True)
    components = fields.Dict()


# --- errors -----------------------------------------------------------------------------------

class ErrorSchema(Schema):
    """Every error: a stable code to branch on and an English message for developers."""

    error = fields.String(
        required=True,
        metadata={"description": "unauthorized, forbidden, not_found, method_not_allowed, "
                  "unsupported_media_type, bad_request, csrf_failed, invalid, "
                  "stale_revision, assignment_closed, internal_error, …"},
    )
    message = fields.String(required=True)
    reference = fields.String(metadata={"description": "With 500 only: quote it to support."})


class ValidationErrorSchema(ErrorSchema):
    """422: each wrong field with its messages (list indexes as keys: ``items.0.category``)."""

    errors = fields.Dict(required=True)


class ConflictSchema(ErrorSchema):
    """409: ``stale_revision`` (with ``current``) or ``assignment_closed`` (without)."""

    current = fields.Nested(
        AnswerSchema, allow_none=True,
        metadata={"description": "With stale_revision: the stored answer (null when there is "
                  "none). Show both versions; save again based on current.revision."},
    )


class StoredFormAnswerSchema(Schema):
    """The stored answer as a form's conflict shows it."""

    revision = fields.Integer(required=True, metadata={"description": "0: nothing stored."})
    html = fields.String(
        required=True,
        metadata={"description": "The stored answer as the client reads it, as HTML (client "
                  "text escaped); a \"not answered yet\" line when nothing is stored."},
    )


class FormConflictSchema(ErrorSchema):
    """409 of a form save: ``stale_revision`` (with ``current``) or ``assignment_closed``."""

    current = fields.Nested(
        StoredFormAnswerSchema,
        metadata={"description": "With stale_revision: the stored revision and the stored "
                  "answer as HTML, to show next to the form; save again based on "
                  "current.revision."},
    )
