"""The base of every step type: everything the product knows about one kind of step.

A step type is one class in the registry (``ehealth.content.steps.STEP_TYPES``). It owns its
definition schema and answer schema, the player's form parsing, the ``show_if`` operators its
answer offers, the templates that show it (preview, player form, stored answer), its name for
people, the scores its answers yield, what happens after a save, and the authoring form. Every
surface (player, finish page, therapist record, conflict panel, print) asks the type; none of
them names one. ``docs/step-types.md`` shows how to add a type.

Templates are found by name:

- ``steps/<type>.html``: the step in the public preview (and in the player for steps that take
  no answer);
- ``player/steps/<type>.html``: the player's form, for steps that take an answer (and those
  that set ``own_player_template``);
- ``steps/answers/<type>.html``: a stored answer, given ``step``, ``value``, ``lang`` and a
  ``context`` (one of ``ANSWER_CONTEXTS``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ehealth.content.fields import (
    Slug,
    StrictBoolean,
    StrictNumber,
    StrictString,
    Text,
    TextField,
    require_unique,
)
from ehealth.content.steps.authoring import AuthoringField, authoring_fields

if TYPE_CHECKING:
    from ehealth.models import Assignment

OPERATORS = ("equals", "one_of", "contains", "at_least", "at_most")

# Where a stored answer is shown: the summary step in the player, the finish page, the
# therapist's record, the conflict panel (two versions side by side), and on paper.
ANSWER_CONTEXTS = ("summary", "finished", "record", "conflict", "print")

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


def numbered_with_slot(form: FormFields, prefix: str) -> list[tuple[int, str]]:
    """The filled-in fields ``<prefix><n>``, numbered afresh, plus an empty slot for a new one
    (the player's "add your own" without JavaScript)."""
    filled = [text for _, text in numbered(form, prefix) if text.strip()]
    return [*enumerate(filled), (len(filled), "")]


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


class AnswerableStepSchema(StepSchema):
    """Fields every step that takes an answer has, besides those of every step."""

    feedback = StrictBoolean(
        load_default=False,
        metadata={"description": "A feedback moment: the therapist is asked to respond to the "
                  "answer (it counts as awaiting feedback on the caseload)."},
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


@dataclass(frozen=True)
class Score:
    """A number an answer yields, on a known range: what the therapist's record charts.

    ``key`` tells the scores of one step apart ("" for its main score, else e.g. a subscale
    id) and ``label`` names what a non-main score measures. ``on`` is the day the score belongs
    to when the answer itself dates it (a diary entry); otherwise it counts from the answer's
    last save.
    """

    value: float
    low: float
    high: float
    key: str = ""
    label: Text | None = None
    on: dt.date | None = None


def sample_text(language: str, what: str) -> str:
    """A short example text for ``sample_step``, in Dutch or English."""
    return f"{what} (voorbeeld)" if language == "nl" else f"{what} (example)"


def sample_texts(what: str) -> dict[str, str]:
    """``{"nl": …, "en": …}``: an example text in both languages of the samples."""
    return {language: sample_text(language, what) for language in ("nl", "en")}


class StepType:
    """One kind of step. Subclasses set ``name``, ``schema``, ``label`` and what they offer."""

    name: ClassVar[str]
    schema: ClassVar[type[Schema]]
    description: ClassVar[str]  # for authors, in English (the JSON Schema's description)
    label: ClassVar[Any]  # the name for people: a lazy_gettext string, so in both languages
    answerable: ClassVar[bool] = False
    operators: ClassVar[frozenset[str]] = frozenset()
    answer_schema: ClassVar[type[Schema] | None] = None
    # The player shows steps without an answer with their preview template, unless the type
    # has a player template of its own (the summary does: it shows the client's answers).
    own_player_template: ClassVar[bool] = False
    # Help texts of the authoring form by field path ("questions.hint"); fields every type
    # shares (id, title, media, …) have theirs in ``authoring.SHARED_HELP``.
    help_texts: ClassVar[Mapping[str, Any]] = {}
    # Switches of the definition that, turned off, refuse answers given while they were on
    # (an answer kept private, several options chosen): see ``answer_shape_changes``.
    narrowing_flags: ClassVar[tuple[str, ...]] = ()

    # -- templates ---------------------------------------------------------------------------

    @property
    def template(self) -> str:
        """The Jinja template that renders this step in the preview."""
        return f"steps/{self.name}.html"

    @property
    def player_template(self) -> str:
        """The Jinja template of this step in the player (a form, for steps with an answer)."""
        if self.answerable or self.own_player_template:
            return f"player/steps/{self.name}.html"
        return self.template

    @property
    def answer_template(self) -> str | None:
        """The Jinja template that shows a stored answer (None: the type takes no answer).

        It gets ``step``, ``value`` (never None), ``lang`` and ``context``.
        """
        return f"steps/answers/{self.name}.html" if self.answerable else None

    # -- what the answer means ---------------------------------------------------------------

    def scores(self, step: dict[str, Any], value: Any) -> list[Score]:
        """The scores a stored answer yields, for the record's "scores over time"."""
        return []

    def value_text(self, step: dict[str, Any], value: Any, language: str) -> str:
        """A value of a ``show_if`` condition on this step, in words (an option's label)."""
        return str(value)

    def after_save(self, assignment: Assignment, step: dict[str, Any],
                   data: dict[str, Any]) -> None:
        """Called inside the save's transaction, after a new revision of the answer is stored.

        ``data`` is the answer as stored (without ``private``). Nothing by default.
        """

    def shows_more_after_save(self, step: dict[str, Any], value: dict[str, Any],
                              form: FormFields) -> bool:
        """After a save from the player's form: whether the step now asks something the client
        has not seen yet (so the player stays on the step instead of going on)."""
        return False

    # -- the editor and the tests ------------------------------------------------------------

    def authoring_fields(self) -> list[AuthoringField]:
        """The fields of the authoring form: one per field of the definition schema."""
        return authoring_fields(self.schema, self.help_texts)

    def sample_step(self, answered: Sequence[str] = ()) -> dict[str, Any]:
        """A small valid definition (as written in a lesson file, in Dutch and English).

        ``answered`` holds the ids of earlier steps that take an answer, for types that refer
        to them (the summary). Used by the registry tests and, later, as the editor's
        starting point.
        """
        raise NotImplementedError(self.name)

    def sample_answer(self, step: dict[str, Any], text: str = "Voorbeeld") -> dict[str, Any] | None:
        """A valid, complete answer to ``step`` (loaded) with ``text`` in every written field;
        None for types that take no answer."""
        return None

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

    def check_change(self, step: dict[str, Any], previous: dict[str, Any] | None,
                     data: dict[str, Any]) -> None:
        """Checks of a new revision against the stored one (None: the first answer); raise
        ValidationError. Called while saving, once the revision is known to be current."""

    def answer_shape_changes(self, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        """Why answers given to the ``old`` definition of a step may not fit the ``new`` one, or
        may mean something else: one short reason each (empty: every answer still fits).

        Both are loaded definitions of this type. A module version with such a change is a
        major one (``ehealth.content.diff.propose_version``). By default, for a type that takes
        an answer: an item with an id (an option, a question, a suggestion, …) that is gone,
        and a switch of ``narrowing_flags`` turned off. A type with more rules adds them.
        """
        if not self.answerable:
            return []
        now = set(item_ids(new))
        reasons = [f'{where}: "{item}" removed' for where, item in item_ids(old)
                   if (where, item) not in now]
        reasons += [f"{flag} switched off: answers given with it no longer fit"
                    for flag in self.narrowing_flags if old.get(flag) and not new.get(flag)]
        return reasons

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


def item_ids(definition: Any, within: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Every item with an id in a step definition, as (where, id), in order.

    ``where`` names the list and the items it is inside: ``options``, or
    ``categories "ik-ben" → suggestions`` for a suggestion, so an item moved to another
    category counts as gone from the first.
    """
    found: list[tuple[str, str]] = []
    if not isinstance(definition, dict):
        return found
    for key, value in definition.items():
        if isinstance(value, dict):
            found.extend(item_ids(value, (*within, key)))
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    found.append((" → ".join((*within, key)), item["id"]))
                    found.extend(item_ids(item, (*within, f'{key} "{item["id"]}"')))
    return found


def _has_content(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, dict | list):
        return any(_has_content(v) for v in (value.values() if isinstance(value, dict) else value))
    return value is not None and value is not False


__all__ = [
    "ANSWER_CONTEXTS",
    "OPERATORS",
    "AnswerableStepSchema",
    "AuthoringField",
    "OptionSchema",
    "QuestionSchema",
    "Score",
    "ShowIfSchema",
    "StepSchema",
    "StepType",
    "StrictBoolean",
    "item_ids",
    "unique_ids",
]
