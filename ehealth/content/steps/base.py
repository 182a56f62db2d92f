"""The base of every step type: its definition schema and what it offers conditions.

A step type is one class in the registry (``ehealth.content.steps.STEP_TYPES``). It knows how to
check its definition (a marshmallow schema), which ``show_if`` operators make sense on its
answer, and how to evaluate them. Templates are found by name: ``steps/<type>.html``.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ehealth.content.fields import (
    Slug,
    StrictBoolean,
    StrictNumber,
    StrictString,
    TextField,
    require_unique,
)

OPERATORS = ("equals", "one_of", "contains", "at_least", "at_most")

# A submitted form as field name -> list of values (what request.form.to_dict(flat=False) gives).
FormFields = dict[str, list[str]]


def first(form: FormFields, name: str, default: str = "") -> str:
    """The first value of a form field."""
    values = form.get(name) or [default]
    return values[0]


# ASCII digits only: str.isdigit() also accepts "²", which int() refuses, and int() refuses more
# than 4300 digits. Longer numbers stay text, for validation to refuse with a message.
_FIELD_NUMBER = re.compile(r"[0-9]{1,6}")
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")


def numbered(form: FormFields, prefix: str) -> list[tuple[int, str]]:
    """Fields ``<prefix><n>`` in order of n, as (n, value)."""
    found = []
    for name, values in form.items():
        number = name[len(prefix):]
        if name.startswith(prefix) and _FIELD_NUMBER.fullmatch(number) and values:
            found.append((int(number), values[0]))
    return sorted(found)


def form_number(raw: str) -> int | str:
    """A whole number typed in a form as an int; anything else as typed, for validation."""
    return int(raw) if _WHOLE_NUMBER.fullmatch(raw) else raw


MAX_ANSWER_TEXT = 20_000  # characters in one written answer
MAX_ANSWER_ITEMS = 200


def answer_text(**kwargs: Any) -> fields.String:
    """A text the client writes: any string (empty too), within a sane length."""
    return fields.String(validate=validate.Length(max=MAX_ANSWER_TEXT), **kwargs)


def texts_by_id(**kwargs: Any) -> fields.Dict:
    """``{"<question id>": "<text>"}``: answers to open questions."""
    return fields.Dict(keys=fields.String(), values=answer_text(), **kwargs)


def unknown_keys(given: Any, known: list[str], what: str) -> dict[str, list[str]]:
    """Errors for keys of ``given`` that are not among ``known`` ids."""
    return {key: [f"Unknown {what}."] for key in given if key not in known}


class ScalarField(fields.Field):
    """A JSON string, number or boolean."""

    default_error_messages = {"invalid": "Expected a string, a number or true/false."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str | int | float | bool):
            raise self.make_error("invalid")
        return value


class ShowIfSchema(Schema):
    """``{"step": "<earlier step id>", "<operator>": value}`` with exactly one operator."""

    step = Slug(required=True, metadata={"description": "Id of an earlier step in this module."})
    equals = ScalarField(metadata={"description": "The answer is exactly this value or option id."})
    one_of = fields.List(
        ScalarField(), validate=validate.Length(min=1),
        metadata={"description": "The answer is one of these values or option ids."},
    )
    contains = StrictString(
        metadata={"description": "A multiple answer includes this option or suggestion id."}
    )
    at_least = StrictNumber(metadata={"description": "The answer (or total score) is at least."})
    at_most = StrictNumber(metadata={"description": "The answer (or total score) is at most."})

    @validates_schema
    def _one_operator(self, data: dict[str, Any], **kwargs: Any) -> None:
        used = [op for op in OPERATORS if op in data]
        if len(used) != 1:
            raise ValidationError(
                f"Give exactly one condition ({', '.join(OPERATORS)}); found "
                f"{', '.join(used) if used else 'none'}."
            )


class StepSchema(Schema):
    """Fields every step has."""

    id = Slug(required=True, metadata={"description": "Unique within the module."})
    type = fields.String(required=True)
    show_if = fields.Nested(
        ShowIfSchema,
        metadata={"description": "Show this step only when an earlier answer meets a condition."},
    )


class QuestionSchema(Schema):
    """An open question with an optional hint."""

    id = Slug(required=True)
    question = TextField(required=True)
    hint = TextField()


class OptionSchema(Schema):
    """A choice the client can pick, with an id that conditions and reports refer to."""

    id = Slug(required=True)
    label = TextField(required=True)


def unique_ids(items: list[dict[str, Any]] | None, field: str, what: str) -> None:
    """Raise a ValidationError naming every repeated id among ``items`` (under ``field``)."""
    errors = require_unique(items or [], "id", what)
    if errors:
        raise ValidationError({field: errors})


class StepType:
    """One kind of step. Subclasses set ``name``, ``schema`` and what conditions they allow."""

    name: ClassVar[str]
    schema: ClassVar[type[Schema]]
    description: ClassVar[str]
    answerable: ClassVar[bool] = False
    operators: ClassVar[frozenset[str]] = frozenset()
    answer_schema: ClassVar[type[Schema] | None] = None

    @property
    def template(self) -> str:
        """The Jinja template that renders this step."""
        return f"steps/{self.name}.html"

    def condition_problem(self, step: dict[str, Any], operator: str, value: Any) -> str | None:
        """Why ``show_if`` with ``operator`` and ``value`` cannot work on this step, or None."""
        if operator not in self.operators:
            if not self.operators:
                return (
                    f'Step "{step["id"]}" ({self.name}) has no answer a condition can test.'
                )
            return (
                f'"{operator}" cannot test a {self.name} step; use '
                f"{', '.join(sorted(self.operators))}."
            )
        return None

    def evaluate(self, step: dict[str, Any], operator: str, value: Any, answer: Any) -> bool:
        """Whether a stored answer meets the condition. Unanswered never meets it."""
        return False

    def validate_answer(self, step: dict[str, Any], value: Any) -> dict[str, Any]:
        """The answer as stored, or a ValidationError naming each wrong field."""
        if self.answer_schema is None:
            raise ValidationError(f"A {self.name} step takes no answer.")
        if not isinstance(value, dict):
            raise ValidationError("An answer is a JSON object.")
        data: dict[str, Any] = self.answer_schema().load(value)
        self.check_answer(step, data)
        return data

    def check_answer(self, step: dict[str, Any], data: dict[str, Any]) -> None:
        """Step-specific checks of an answer's ids and limits; raise ValidationError."""

    def to_form(self, step: dict[str, Any], answer: dict[str, Any] | None) -> FormFields:
        """The answer as the player's form fields (name -> values), to fill in the form."""
        return {}

    def from_form(self, step: dict[str, Any], form: FormFields) -> dict[str, Any]:
        """The answer a submitted player form stands for (validated afterwards)."""
        return {}

    def shortfall(self, step: dict[str, Any], answer: dict[str, Any] | None) -> int:
        """How many more items the step asks for before the client moves on (0: none)."""
        return 0

    def is_answered(self, answer: dict[str, Any] | None) -> bool:
        """Whether the answer holds anything the client wrote or chose."""
        return bool(answer) and any(_has_content(v) for v in (answer or {}).values())


def _has_content(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, dict | list):
        return any(_has_content(v) for v in (value.values() if isinstance(value, dict) else value))
    return value is not None and value is not False


__all__ = [
    "OPERATORS",
    "OptionSchema",
    "QuestionSchema",
    "ShowIfSchema",
    "StepSchema",
    "StepType",
    "StrictBoolean",
    "unique_ids",
]
