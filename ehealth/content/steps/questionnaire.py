"""Questionnaires: items on one answer scale, scored per subscale and in total."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ehealth.content.fields import (
    MarkdownField,
    Slug,
    StrictBoolean,
    StrictInteger,
    TextField,
    require_unique,
)
from ehealth.content.problems import show_value
from ehealth.content.steps.base import (
    AnswerableStepSchema,
    FormFields,
    Score,
    StepType,
    first,
    form_number,
    sample_texts,
    unique_ids,
)


class ScalePointSchema(Schema):
    """One answer on the questionnaire's scale: 0 = zeer ontevreden … 4 = zeer tevreden."""

    value = StrictInteger(required=True)
    label = TextField(required=True)


class SubscaleSchema(Schema):
    """A dimension the items are grouped into and scored by."""

    id = Slug(required=True)
    label = TextField(required=True)


class ItemSchema(Schema):
    """One statement or question."""

    id = Slug(required=True)
    text = TextField(required=True)
    subscale = Slug(metadata={"description": "Id of a declared subscale."})
    reverse = StrictBoolean(
        load_default=False, metadata={"description": "Score from the other end of the scale."}
    )


class ScoringSchema(Schema):
    """How the answers become scores."""

    method = fields.String(load_default="sum", validate=validate.OneOf(("sum", "mean")))


class QuestionnaireSchema(AnswerableStepSchema):
    """Items with ids, optionally in subscales, on one answer scale."""

    title = TextField(required=True)
    intro = MarkdownField()
    scale = fields.List(
        fields.Nested(ScalePointSchema),
        required=True,
        validate=validate.Length(min=2, error="The answer scale needs at least two points."),
    )
    subscales = fields.List(fields.Nested(SubscaleSchema), load_default=list)
    items = fields.List(
        fields.Nested(ItemSchema),
        required=True,
        validate=validate.Length(min=1, error="Give at least one item."),
    )
    scoring = fields.Nested(ScoringSchema, load_default=lambda: {"method": "sum"})

    @validates_schema
    def _consistent(self, data: dict[str, Any], **kwargs: Any) -> None:
        duplicate_values = require_unique(data.get("scale") or [], "value", "scale value")
        if duplicate_values:
            raise ValidationError({"scale": duplicate_values})
        unique_ids(data.get("subscales"), "subscales", "subscale id")
        unique_ids(data.get("items"), "items", "item id")
        declared = [s["id"] for s in data.get("subscales") or []]
        errors: dict[int, Any] = {}
        for index, item in enumerate(data.get("items") or []):
            subscale = item.get("subscale")
            if subscale is not None and subscale not in declared:
                errors[index] = {"subscale": [
                    f'Subscale "{subscale}" is not declared in "subscales"'
                    + (f" ({', '.join(declared)})." if declared else " (none are declared).")
                ]}
        if errors:
            raise ValidationError({"items": errors})


def score(step: dict[str, Any], responses: dict[str, int]) -> dict[str, Any]:
    """Scores of a questionnaire answer: ``{"total": x, "subscales": {id: x}}``.

    A score is None until every item it covers has an answer; reversed items count from the
    other end of the scale; ``mean`` rounds to two decimals.
    """
    values = [point["value"] for point in step["scale"]]
    low, high = min(values), max(values)

    def combine(items: list[dict[str, Any]]) -> float | int | None:
        points = []
        for item in items:
            value = responses.get(item["id"])
            if not isinstance(value, int) or isinstance(value, bool) or value not in values:
                return None
            points.append(low + high - value if item["reverse"] else value)
        if not points:
            return None
        if step["scoring"]["method"] == "mean":
            return round(sum(points) / len(points), 2)
        return sum(points)

    subscales = {
        sub["id"]: combine([i for i in step["items"] if i.get("subscale") == sub["id"]])
        for sub in step["subscales"]
    }
    return {"total": combine(step["items"]), "subscales": subscales}


def score_range(step: dict[str, Any], subscale: str | None = None) -> tuple[float, float]:
    """The lowest and highest possible total score (or score of ``subscale``)."""
    values = [point["value"] for point in step["scale"]]
    if step["scoring"]["method"] == "mean":
        return min(values), max(values)
    items = step["items"] if subscale is None else [
        item for item in step["items"] if item.get("subscale") == subscale]
    return min(values) * len(items), max(values) * len(items)


class QuestionnaireAnswerSchema(Schema):
    """``{"responses": {"<item id>": <scale value>}}``."""

    responses = fields.Dict(keys=fields.String(), values=StrictInteger(), load_default=dict)


class Questionnaire(StepType):
    name = "questionnaire"
    schema = QuestionnaireSchema
    description = "Items on one answer scale, scored per subscale and in total (sum or mean)."
    label = _l("Questionnaire")
    answerable = True
    operators = frozenset({"at_least", "at_most"})
    answer_schema = QuestionnaireAnswerSchema
    help_texts = {
        "title": _l("The questionnaire's name."),
        "scale": _l("The answer scale: at least two points, each a value and its words, for "
                    "example 0 = very dissatisfied … 4 = very satisfied."),
        "scale.value": _l("The number this answer scores."),
        "subscales": _l("Parts the items are grouped into and scored by (optional)."),
        "items": _l("The statements or questions, each answered on the scale."),
        "items.text": _l("The statement or question."),
        "items.subscale": _l("The id of the part this item counts in (optional)."),
        "items.reverse": _l("Score from the other end of the scale."),
        "scoring": _l("How answers become scores."),
        "scoring.method": _l("sum adds the scores; mean averages them (to two decimals)."),
    }

    def sample_step(self, answered: Sequence[str] = ()) -> dict[str, Any]:
        return {"id": "sample-questionnaire", "type": self.name,
                "title": sample_texts("Hoe tevreden ben je?"),
                "scale": [{"value": value, "label": sample_texts(f"punt {value}")}
                          for value in range(5)],
                "subscales": [{"id": "wie", "label": sample_texts("Wie je kent")}],
                "items": [{"id": "steun", "subscale": "wie", "text": sample_texts("Steun")},
                          {"id": "alleen", "reverse": True, "text": sample_texts("Alleen")}]}

    def sample_answer(self, step: dict[str, Any], text: str = "Voorbeeld") -> dict[str, Any]:
        top = max(point["value"] for point in step["scale"])
        return {"responses": {item["id"]: top for item in step["items"]}}

    def answer_shape_changes(self, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        # Responses are scale values by item id; the scores add them up per subscale. So the
        # scale's values, the items, where they count and how: all of it is the answer's shape.
        reasons = super().answer_shape_changes(old, new)
        before = sorted(point["value"] for point in old["scale"])
        after = sorted(point["value"] for point in new["scale"])
        if before != after:
            reasons.append(f"the answer scale changed from {', '.join(map(str, before))} to "
                           f"{', '.join(map(str, after))}: responses given before may be off "
                           "it")
        old_items = {item["id"]: item for item in old["items"]}
        for item in new["items"]:
            was = old_items.get(item["id"])
            if was is None:
                reasons.append(f'items: "{item["id"]}" added: scores of answers given before '
                               "would be incomplete")
            elif was.get("subscale") != item.get("subscale"):
                reasons.append(f'item "{item["id"]}" counts in another subscale')
            elif was["reverse"] != item["reverse"]:
                reasons.append(f'item "{item["id"]}" is scored the other way round')
        old_subscales = {subscale["id"] for subscale in old["subscales"]}
        reasons += [f'subscales: "{subscale["id"]}" added' for subscale in new["subscales"]
                    if subscale["id"] not in old_subscales]
        if old["scoring"]["method"] != new["scoring"]["method"]:
            reasons.append(f"scoring changed from {old['scoring']['method']} to "
                           f"{new['scoring']['method']}")
        return reasons

    def scores(self, step: dict[str, Any], value: Any) -> list[Score]:
        responses = value.get("responses") if isinstance(value, dict) else None
        if not isinstance(responses, dict):
            return []
        result = score(step, responses)
        found = []
        if result["total"] is not None:
            found.append(Score(result["total"], *score_range(step)))
        for subscale in step["subscales"]:
            number = result["subscales"].get(subscale["id"])
            if number is not None:
                found.append(Score(number, *score_range(step, subscale["id"]),
                                   key=subscale["id"], label=subscale["label"]))
        return found

    def check_answer(self, step: dict[str, Any], data: dict[str, Any]) -> None:
        items = [item["id"] for item in step["items"]]
        values = [point["value"] for point in step["scale"]]
        errors: dict[str, list[str]] = {}
        for item, value in data["responses"].items():
            if item not in items:
                errors[item] = ["Unknown item."]
            elif value not in values:
                errors[item] = [f"Not on the answer scale ({', '.join(map(str, values))})."]
        if errors:
            raise ValidationError({"responses": errors})

    def to_form(self, step: dict[str, Any], answer: dict[str, Any] | None) -> FormFields:
        responses = (answer or {}).get("responses", {})
        return {f"r.{item}": [str(value)] for item, value in responses.items()}

    def from_form(self, step: dict[str, Any], form: FormFields) -> dict[str, Any]:
        responses: dict[str, Any] = {}
        for item in step["items"]:
            raw = first(form, f"r.{item['id']}").strip()
            if raw:
                responses[item["id"]] = form_number(raw)
        return {"responses": responses}

    def condition_problem(self, step: dict[str, Any], operator: str, value: Any) -> str | None:
        problem = super().condition_problem(step, operator, value)
        if problem:
            return problem
        low, high = score_range(step)
        if not low <= value <= high:
            return f'{show_value(value)} is outside the total score range of step "{step["id"]}" ' \
                   f"({low}-{high})."
        return None

    def evaluate(self, step: dict[str, Any], operator: str, value: Any, answer: Any) -> bool:
        responses = answer.get("responses") if isinstance(answer, dict) else None
        if not isinstance(responses, dict):
            return False
        total = score(step, responses)["total"]
        if total is None:
            return False
        return total >= value if operator == "at_least" else total <= value
