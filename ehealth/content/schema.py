"""The one schema of the module format: ``module.json`` and the lesson files.

The loader, the command-line checker, the JSON Schema export and (later) the authoring screens
all use these classes, so a mistake reads the same everywhere.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ehealth.content.fields import (
    LANGUAGE,
    ImageSchema,
    Slug,
    StrictInteger,
    TextField,
)
from ehealth.content.problems import show_value
from ehealth.content.steps import STEP_TYPES

VERSION = re.compile(r"^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$")
AUDIENCES = ("adults", "youth", "parents")


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of a ``MAJOR.MINOR.PATCH`` version."""
    return tuple(int(part) for part in version.split("."))


class StepField(fields.Field):
    """A step: dispatched on its ``type`` to that step type's schema in the registry."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, dict):
            raise ValidationError('Not a valid step: expected an object with "id" and "type".')
        kind = value.get("type")
        if kind is None:
            raise ValidationError({"type": ["Missing data for required field."]})
        if not isinstance(kind, str) or kind not in STEP_TYPES:
            raise ValidationError({"type": [
                f"Unknown step type {show_value(kind)!r}. Known types: {', '.join(STEP_TYPES)}."
            ]})
        step_type = STEP_TYPES[kind]
        try:
            return step_type.schema().load(value)
        except ValidationError as error:
            messages = error.messages
            if not step_type.answerable and isinstance(messages, dict) and "feedback" in messages:
                # Only answerable schemas have the field: say why rather than "Unknown field."
                messages["feedback"] = [
                    f"Only a step that takes an answer can be a feedback moment; a {kind} "
                    "step takes none."]
            raise ValidationError(messages) from None


class ModuleSchema(Schema):
    """``modules/<id>/module.json``: what the module is and the order of its lessons."""

    schema_ref = fields.String(data_key="$schema", load_only=True)
    id = Slug(required=True, metadata={"description": "Equal to the module's folder name."})
    version = fields.String(
        required=True,
        validate=validate.Regexp(
            VERSION, error='Not a valid version: write MAJOR.MINOR.PATCH, for example "1.0.0".'
        ),
        metadata={"pattern": VERSION.pattern,
                  "description": "Raise it whenever the content changes."},
    )
    languages = fields.List(
        fields.String(validate=validate.Regexp(LANGUAGE, error="Not a two-letter language code.")),
        required=True,
        validate=validate.Length(min=1, error="Declare at least one language."),
        metadata={"description": 'The first is the main language, e.g. ["nl", "en"].'},
    )
    title = TextField(required=True)
    summary = TextField(required=True)
    audience = fields.List(
        fields.String(validate=validate.OneOf(AUDIENCES)),
        required=True,
        validate=validate.Length(min=1),
    )
    estimated_minutes = StrictInteger(required=True, validate=validate.Range(min=1, max=600))
    cover = fields.Nested(ImageSchema, required=True)
    lessons = fields.List(
        Slug(),
        required=True,
        validate=validate.Length(min=1, error="A module needs at least one lesson."),
        metadata={"description": "Lesson ids in order; each is lessons/<id>.json."},
    )

    @validates_schema
    def _unique_lists(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, dict[int, list[str]]] = {}
        for field in ("languages", "lessons"):
            seen: set[str] = set()
            for index, value in enumerate(data.get(field) or []):
                if value in seen:
                    errors.setdefault(field, {})[index] = [f'Duplicate entry "{value}".']
                seen.add(value)
        if errors:
            raise ValidationError(errors)


class LessonSchema(Schema):
    """``modules/<id>/lessons/<lesson-id>.json``: a lesson and its ordered steps."""

    schema_ref = fields.String(data_key="$schema", load_only=True)
    id = Slug(required=True, metadata={"description": "Equal to the file name without .json."})
    title = TextField(required=True)
    summary = TextField()
    steps = fields.List(
        StepField(),
        required=True,
        validate=validate.Length(min=1, error="A lesson needs at least one step."),
    )


def declared_languages(raw: Any) -> list[str] | None:
    """The languages a raw ``module.json`` declares, if they are usable for checking texts."""
    languages = raw.get("languages") if isinstance(raw, dict) else None
    if (
        isinstance(languages, list)
        and languages
        and all(isinstance(lang, str) and LANGUAGE.match(lang) for lang in languages)
        and len(set(languages)) == len(languages)
    ):
        return list(languages)
    return None
