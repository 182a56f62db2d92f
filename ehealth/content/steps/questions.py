"""Steps that ask: open reflection, scaling question, single or multiple choice."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ehealth.content.fields import MarkdownField, StrictBoolean, StrictInteger, TextField
from ehealth.content.problems import show_value
from ehealth.content.steps.base import (
    AnswerableStepSchema,
    FormFields,
    OptionSchema,
    QuestionSchema,
    Score,
    StepType,
    first,
    form_number,
    sample_texts,
    texts_by_id,
    unique_ids,
    unknown_keys,
)

SCALE_PLACEHOLDERS = frozenset({"value", "min", "max", "next"})
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class ReflectionSchema(AnswerableStepSchema):
    """One or more open questions."""

    title = TextField()
    intro = MarkdownField()
    questions = fields.List(
        fields.Nested(QuestionSchema),
        required=True,
        validate=validate.Length(min=1, error="Ask at least one question."),
    )
    allow_private = StrictBoolean(
        load_default=False,
        metadata={"description": 'Offer "keep this to myself": the therapist never sees it.'},
    )

    @validates_schema
    def _unique(self, data: dict[str, Any], **kwargs: Any) -> None:
        unique_ids(data.get("questions"), "questions", "question id")


class FollowUpSchema(QuestionSchema):
    """A question after the score, optionally only for scores in a range."""

    min_value = StrictInteger(
        load_default=None,
        metadata={"description": "Ask only when the score is at least this (e.g. 1 for "
                  '"what makes it a {value} and not a {min}?").'}
    )
    max_value = StrictInteger(
        load_default=None,
        metadata={"description": "Ask only when the score is at most this (e.g. 9 for "
                  '"what would a {next} look like?").'}
    )


class ScaleSchema(AnswerableStepSchema):
    """A scaling question with follow-ups such as "what makes it a {value} and not a {min}?"."""

    title = TextField()
    intro = MarkdownField()
    question = TextField(required=True)
    min = StrictInteger(load_default=0)
    max = StrictInteger(load_default=10)
    min_label = TextField(required=True)
    max_label = TextField(required=True)
    follow_ups = fields.List(
        fields.Nested(FollowUpSchema),
        load_default=list,
        metadata={
            "description": "Questions after the score; {value}, {min}, {max} and {next} "
            "are replaced by the chosen score, the ends and one point higher."
        },
    )

    @validates_schema
    def _range_and_placeholders(self, data: dict[str, Any], **kwargs: Any) -> None:
        low, high = data.get("min", 0), data.get("max", 10)
        if high <= low:
            raise ValidationError("Must be greater than min.", field_name="max")
        if high - low > 20:
            raise ValidationError("A scale has at most 21 points.", field_name="max")
        unique_ids(data.get("follow_ups"), "follow_ups", "follow-up id")
        errors: dict[int, Any] = {}
        for index, follow_up in enumerate(data.get("follow_ups") or []):
            bounds = [follow_up.get("min_value"), follow_up.get("max_value")]
            for key, bound in zip(("min_value", "max_value"), bounds, strict=True):
                if bound is not None and not low <= bound <= high:
                    errors.setdefault(index, {})[key] = [f"Must lie on the scale ({low}-{high})."]
            if None not in bounds and bounds[0] > bounds[1]:
                errors.setdefault(index, {})["max_value"] = ["Must be at least min_value."]
            for lang, text in follow_up["question"].items():
                unknown = set(_PLACEHOLDER.findall(text)) - SCALE_PLACEHOLDERS
                if unknown:
                    errors.setdefault(index, {})["question"] = {lang: [
                        f"Unknown placeholder {{{sorted(unknown)[0]}}}: use "
                        f"{', '.join('{' + p + '}' for p in sorted(SCALE_PLACEHOLDERS))}."
                    ]}
        if errors:
            raise ValidationError({"follow_ups": errors})


class ChoiceSchema(AnswerableStepSchema):
    """Single or multiple choice between options with ids."""

    title = TextField()
    intro = MarkdownField()
    question = TextField(required=True)
    multiple = StrictBoolean(load_default=False)
    options = fields.List(
        fields.Nested(OptionSchema),
        required=True,
        validate=validate.Length(min=2, error="Offer at least two options."),
    )

    @validates_schema
    def _unique(self, data: dict[str, Any], **kwargs: Any) -> None:
        unique_ids(data.get("options"), "options", "option id")


class ReflectionAnswerSchema(Schema):
    """``{"answers": {"<question id>": "text"}, "private": false}``."""

    answers = texts_by_id(load_default=dict)
    private = StrictBoolean(load_default=False)


class ScaleAnswerSchema(Schema):
    """``{"value": 4, "follow_ups": {"<follow-up id>": "text"}}``."""

    value = StrictInteger(load_default=None, allow_none=True)
    follow_ups = texts_by_id(load_default=dict)


class ChoiceAnswerSchema(Schema):
    """``{"selected": ["<option id>", …]}``."""

    selected = fields.List(fields.String(), load_default=list)


class Reflection(StepType):
    name = "reflection"
    schema = ReflectionSchema
    description = "Open questions with optional hints; may be kept private."
    label = _l("Reflection")
    answerable = True
    answer_schema = ReflectionAnswerSchema
    narrowing_flags = ("allow_private",)
    help_texts = {
        "questions": _l("One or more open questions. Ask what goes well before what bothers "
                        "the client."),
        "allow_private": _l("Offer “keep this to myself”: the therapist never sees the answer."),
    }

    def sample_step(self, answered: Sequence[str] = ()) -> dict[str, Any]:
        return {"id": "sample-reflection", "type": self.name, "allow_private": True,
                "questions": [{"id": "trots", "question": sample_texts("Waar ben je trots op?"),
                               "hint": sample_texts("Iets kleins mag ook")}]}

    def sample_answer(self, step: dict[str, Any], text: str = "Voorbeeld") -> dict[str, Any]:
        return {"answers": {q["id"]: text for q in step["questions"]}, "private": False}

    def check_answer(self, step: dict[str, Any], data: dict[str, Any]) -> None:
        errors: dict[str, Any] = {}
        unknown = unknown_keys(data["answers"], [q["id"] for q in step["questions"]], "question")
        if unknown:
            errors["answers"] = unknown
        if data["private"] and not step["allow_private"]:
            errors["private"] = ["This step does not offer keeping the answer private."]
        if errors:
            raise ValidationError(errors)

    def to_form(self, step: dict[str, Any], answer: dict[str, Any] | None) -> FormFields:
        answer = answer or {}
        fields_ = {f"q.{qid}": [text] for qid, text in answer.get("answers", {}).items()}
        if answer.get("private"):
            fields_["private"] = ["1"]
        return fields_

    def from_form(self, step: dict[str, Any], form: FormFields) -> dict[str, Any]:
        value: dict[str, Any] = {"answers": {
            q["id"]: first(form, f"q.{q['id']}") for q in step["questions"]
        }}
        if step["allow_private"]:
            value["private"] = first(form, "private") == "1"
        return value


class Scale(StepType):
    name = "scale"
    schema = ScaleSchema
    description = "A scaling question (default 0-10) with follow-up questions."
    label = _l("Scaling question")
    answerable = True
    operators = frozenset({"equals", "one_of", "at_least", "at_most"})
    answer_schema = ScaleAnswerSchema
    help_texts = {
        "min": _l("The low end of the scale (default 0)."),
        "max": _l("The high end of the scale (default 10); at most 21 points."),
        "min_label": _l("What the low end means, for example “very bad”."),
        "max_label": _l("What the high end means, for example “very good”."),
        "follow_ups": _l("Questions after the score. {value}, {min}, {max} and {next} are "
                         "filled in: “What makes it a {value} and not a {min}?”"),
        "follow_ups.question": _l("The follow-up question, with {value}, {min}, {max} or "
                                  "{next} if you like."),
        "follow_ups.min_value": _l("Ask only when the score is at least this."),
        "follow_ups.max_value": _l("Ask only when the score is at most this."),
    }

    def sample_step(self, answered: Sequence[str] = ()) -> dict[str, Any]:
        return {"id": "sample-scale", "type": self.name,
                "question": sample_texts("Hoe gaat het, van 0 tot 10?"),
                "min_label": sample_texts("heel slecht"), "max_label": sample_texts("heel goed"),
                "follow_ups": [{"id": "waarom", "question": {
                    "nl": "Wat maakt dat het een {value} is?", "en": "What makes it a {value}?"}}]}

    def sample_answer(self, step: dict[str, Any], text: str = "Voorbeeld") -> dict[str, Any]:
        value = min(step["max"], step["min"] + 6)
        return {"value": value,
                "follow_ups": {f["id"]: text for f in self.asked_follow_ups(step, value)}}

    def scores(self, step: dict[str, Any], value: Any) -> list[Score]:
        number = value.get("value") if isinstance(value, dict) else None
        if isinstance(number, bool) or not isinstance(number, int):
            return []
        return [Score(number, step["min"], step["max"])]

    def answer_shape_changes(self, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        reasons = super().answer_shape_changes(old, new)
        if (old["min"], old["max"]) != (new["min"], new["max"]):
            reasons.append(f"the scale changed from {old['min']}-{old['max']} to "
                           f"{new['min']}-{new['max']}: a score given before means something "
                           "else, or is off the scale")
        return reasons

    def shows_more_after_save(self, step: dict[str, Any], value: dict[str, Any],
                              form: FormFields) -> bool:
        # Follow-up questions depend on the score: a newly chosen score may bring new ones.
        score = value.get("value")
        if not isinstance(score, int) or str(score) == first(form, "shown_value"):
            return False
        return bool(self.asked_follow_ups(step, score))

    def check_answer(self, step: dict[str, Any], data: dict[str, Any]) -> None:
        errors: dict[str, Any] = {}
        value = data["value"]
        if value is not None and not step["min"] <= value <= step["max"]:
            errors["value"] = [f"Must be between {step['min']} and {step['max']}."]
        unknown = unknown_keys(data["follow_ups"], [f["id"] for f in step["follow_ups"]],
                               "follow-up question")
        if unknown:
            errors["follow_ups"] = unknown
        if errors:
            raise ValidationError(errors)

    def to_form(self, step: dict[str, Any], answer: dict[str, Any] | None) -> FormFields:
        answer = answer or {}
        fields_ = {f"f.{fid}": [text] for fid, text in answer.get("follow_ups", {}).items()}
        if answer.get("value") is not None:
            fields_["value"] = [str(answer["value"])]
        return fields_

    def from_form(self, step: dict[str, Any], form: FormFields) -> dict[str, Any]:
        raw = first(form, "value").strip()
        value: Any = form_number(raw) if raw else None
        return {"value": value,
                "follow_ups": {f["id"]: first(form, f"f.{f['id']}") for f in step["follow_ups"]}}

    def asked_follow_ups(self, step: dict[str, Any], value: int | None) -> list[dict[str, Any]]:
        """The follow-up questions that apply to a chosen score."""
        if value is None:
            return []
        return [f for f in step["follow_ups"]
                if (f["min_value"] is None or value >= f["min_value"])
                and (f["max_value"] is None or value <= f["max_value"])]

    def condition_problem(self, step: dict[str, Any], operator: str, value: Any) -> str | None:
        problem = super().condition_problem(step, operator, value)
        if problem:
            return problem
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, bool) or not isinstance(item, int | float):
                return f'Step "{step["id"]}" is a scale: compare with a number.'
            if not step["min"] <= item <= step["max"]:
                return (
                    f"{show_value(item)} is outside the scale of step \"{step['id']}\" "
                    f"({step['min']}-{step['max']})."
                )
        return None

    def evaluate(self, step: dict[str, Any], operator: str, value: Any, answer: Any) -> bool:
        score = answer.get("value") if isinstance(answer, dict) else None
        if isinstance(score, bool) or not isinstance(score, int | float):
            return False
        return _compare_number(operator, value, score)


class Choice(StepType):
    name = "choice"
    schema = ChoiceSchema
    description = "Single or multiple choice between options with ids."
    label = _l("Choice")
    answerable = True
    operators = frozenset({"equals", "one_of", "contains"})
    answer_schema = ChoiceAnswerSchema
    narrowing_flags = ("multiple",)  # several options chosen no longer fit a single choice
    help_texts = {
        "multiple": _l("Let the client choose more than one option."),
        "options": _l("At least two options to choose from."),
    }

    def sample_step(self, answered: Sequence[str] = ()) -> dict[str, Any]:
        return {"id": "sample-choice", "type": self.name,
                "question": sample_texts("Wil je een tip?"),
                "options": [{"id": "ja", "label": sample_texts("Ja")},
                            {"id": "nee", "label": sample_texts("Nee")}]}

    def sample_answer(self, step: dict[str, Any], text: str = "Voorbeeld") -> dict[str, Any]:
        return {"selected": [step["options"][0]["id"]]}

    def value_text(self, step: dict[str, Any], value: Any, language: str) -> str:
        labels = {o["id"]: o["label"].in_language(language) for o in step["options"]}
        return f"“{labels.get(value, value)}”"

    def check_answer(self, step: dict[str, Any], data: dict[str, Any]) -> None:
        options = [option["id"] for option in step["options"]]
        selected = data["selected"]
        errors = {i: ["Unknown option."] for i, item in enumerate(selected) if item not in options}
        if errors:
            raise ValidationError({"selected": errors})
        if len(set(selected)) != len(selected):
            raise ValidationError({"selected": ["An option is chosen twice."]})
        if not step["multiple"] and len(selected) > 1:
            raise ValidationError({"selected": ["Choose one option."]})

    def to_form(self, step: dict[str, Any], answer: dict[str, Any] | None) -> FormFields:
        return {"selected": list((answer or {}).get("selected", []))}

    def from_form(self, step: dict[str, Any], form: FormFields) -> dict[str, Any]:
        return {"selected": [value for value in form.get("selected", []) if value]}

    def condition_problem(self, step: dict[str, Any], operator: str, value: Any) -> str | None:
        allowed = {"contains"} if step["multiple"] else {"equals", "one_of"}
        if operator not in allowed:
            kind = "multiple" if step["multiple"] else "single"
            return (
                f'"{operator}" cannot test the {kind} choice step "{step["id"]}"; use '
                f"{', '.join(sorted(allowed))}."
            )
        options = [option["id"] for option in step["options"]]
        for item in value if isinstance(value, list) else [value]:
            if item not in options:
                return (
                    f'Step "{step["id"]}" has no option "{show_value(item)}" (options: '
                    f"{', '.join(options)})."
                )
        return None

    def evaluate(self, step: dict[str, Any], operator: str, value: Any, answer: Any) -> bool:
        selected = answer.get("selected") if isinstance(answer, dict) else None
        if not isinstance(selected, list):
            return False
        if operator == "contains":
            return value in selected
        if operator == "equals":
            return selected == [value]
        if operator == "one_of":
            return len(selected) == 1 and selected[0] in value
        return False


def _compare_number(operator: str, expected: Any, actual: float) -> bool:
    """Apply a numeric condition operator."""
    if operator == "equals":
        return bool(actual == expected)
    if operator == "one_of":
        return actual in expected
    if operator == "at_least":
        return bool(actual >= expected)
    if operator == "at_most":
        return bool(actual <= expected)
    return False
