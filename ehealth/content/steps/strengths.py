"""The strengths reflection: pick and add qualities, skills, memories, resources, wishes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ehealth.content.fields import MarkdownField, Slug, StrictBoolean, StrictInteger, TextField
from ehealth.content.problems import show_value
from ehealth.content.steps.base import (
    MAX_ANSWER_ITEMS,
    AnswerableStepSchema,
    FormFields,
    OptionSchema,
    StepType,
    answer_text,
    first,
    numbered,
    numbered_with_slot,
    sample_texts,
    unique_ids,
)

# The kinds group a client's strengths across modules on "Mijn krachten" (seed 002: ik ben,
# ik kan, ik heb, ik wil; seed 000: qualities, knowledge and skills, pleasant memories,
# resources around me).
STRENGTH_KINDS = ("qualities", "skills", "memories", "resources", "ambitions")


class CategorySchema(Schema):
    """One group of strengths with suggested items."""

    id = Slug(required=True)
    kind = fields.String(
        required=True,
        validate=validate.OneOf(STRENGTH_KINDS),
        metadata={"description": "qualities (ik ben), skills (ik kan), memories, "
                  "resources (ik heb), ambitions (ik wil)."},
    )
    label = TextField(required=True)
    hint = TextField()
    suggestions = fields.List(fields.Nested(OptionSchema), load_default=list)
    follow_up = TextField(
        metadata={"description": "Asked for every item picked in this category, instead of "
                  "the step's follow_up."}
    )

    @validates_schema
    def _unique(self, data: dict[str, Any], **kwargs: Any) -> None:
        unique_ids(data.get("suggestions"), "suggestions", "suggestion id")


class StrengthsSchema(AnswerableStepSchema):
    """The client picks suggested items, adds their own, and may answer a follow-up per item."""

    title = TextField()
    prompt = MarkdownField(required=True)
    categories = fields.List(
        fields.Nested(CategorySchema),
        required=True,
        validate=validate.Length(min=1, error="Give at least one category."),
    )
    allow_own = StrictBoolean(
        load_default=True, metadata={"description": "The client may add items of their own."}
    )
    follow_up = TextField(
        metadata={"description": 'Asked for every picked item, e.g. "Wanneer gebruikte je dit '
                  'voor het laatst?"'}
    )
    min_items = StrictInteger(load_default=None, validate=validate.Range(min=0))
    max_items = StrictInteger(load_default=None, validate=validate.Range(min=1))

    @validates_schema
    def _consistent(self, data: dict[str, Any], **kwargs: Any) -> None:
        categories = data.get("categories") or []
        unique_ids(categories, "categories", "category id")
        seen: dict[str, int] = {}
        errors: dict[int, Any] = {}
        for c_index, category in enumerate(categories):
            for s_index, suggestion in enumerate(category["suggestions"]):
                if suggestion["id"] in seen:
                    errors.setdefault(c_index, {"suggestions": {}})["suggestions"][s_index] = {
                        "id": [f'Duplicate suggestion id "{suggestion["id"]}" in this step '
                               f"(also in categories[{seen[suggestion['id']]}])."]
                    }
                seen.setdefault(suggestion["id"], c_index)
            if not category["suggestions"] and not data.get("allow_own", True):
                errors.setdefault(c_index, {})["suggestions"] = [
                    "Give suggestions, or set allow_own so the client can add items."
                ]
        if errors:
            raise ValidationError({"categories": errors})
        low, high = data.get("min_items"), data.get("max_items")
        if low is not None and high is not None and high < low:
            raise ValidationError("Must be at least min_items.", field_name="max_items")


class StrengthItemSchema(Schema):
    """One picked suggestion (``suggestion``) or own item (``text``), with a follow-up answer."""

    category = fields.String(required=True)
    suggestion = fields.String()
    text = answer_text()
    follow_up = answer_text()

    @validates_schema
    def _one_source(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("suggestion" in data) == ("text" in data):
            raise ValidationError('Give either "suggestion" or "text".')


class StrengthsAnswerSchema(Schema):
    """``{"items": [{"category": "…", "suggestion": "…", "follow_up": "…"}, …]}``."""

    items = fields.List(fields.Nested(StrengthItemSchema), load_default=list,
                        validate=validate.Length(max=MAX_ANSWER_ITEMS))


class Strengths(StepType):
    name = "strengths"
    schema = StrengthsSchema
    description = "Strength reflection: pick suggested items, add your own, answer a follow-up."
    label = _l("Strengths")
    answerable = True
    operators = frozenset({"contains"})
    answer_schema = StrengthsAnswerSchema
    narrowing_flags = ("allow_own",)  # the client's own strengths given before
    help_texts = {
        "prompt": _l("What the client is asked to pick and add. Light Markdown."),
        "categories": _l("Groups of strengths, each of one kind, with suggestions."),
        "categories.kind": _l("Groups strengths on “My strengths”: qualities (I am), skills "
                              "(I can), memories, resources (I have), ambitions (I want)."),
        "categories.label": _l("The group's name, for example “I am…”."),
        "categories.hint": _l("A short help text under the group's name."),
        "categories.suggestions": _l("Strengths to pick from."),
        "categories.follow_up": _l("Asked for every item picked in this group, instead of the "
                                   "step's question."),
        "allow_own": _l("Let the client add strengths of their own."),
        "follow_up": _l("Asked for every item picked, for example “When did you last use "
                        "this?”"),
        "min_items": _l("How many items the client picks at least before going on."),
        "max_items": _l("How many items the client can pick at most."),
    }

    def sample_step(self, answered: Sequence[str] = ()) -> dict[str, Any]:
        return {"id": "sample-strengths", "type": self.name,
                "prompt": sample_texts("Kies wat bij je past"),
                "categories": [{"id": "ik-ben", "kind": "qualities",
                                "label": sample_texts("Ik ben"),
                                "suggestions": [{"id": "grappig",
                                                 "label": sample_texts("grappig")}]}],
                "follow_up": sample_texts("Wanneer gebruikte je dit?")}

    def sample_answer(self, step: dict[str, Any], text: str = "Voorbeeld") -> dict[str, Any]:
        items: list[dict[str, Any]] = []
        for category in step["categories"]:
            for suggestion in category["suggestions"][:1]:
                items.append({"category": category["id"], "suggestion": suggestion["id"],
                              "follow_up": text})
            if step["allow_own"]:
                items.append({"category": category["id"], "text": text, "follow_up": text})
        return {"items": items[: step["max_items"] or len(items)]}

    def answer_shape_changes(self, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        reasons = super().answer_shape_changes(old, new)
        low, high = old["max_items"], new["max_items"]
        if high is not None and (low is None or high < low):
            reasons.append(f"max_items lowered to {high}: an answer with more items no longer "
                           "fits")
        return reasons

    def value_text(self, step: dict[str, Any], value: Any, language: str) -> str:
        for category in step["categories"]:
            for suggestion in category["suggestions"]:
                if suggestion["id"] == value:
                    return f"“{suggestion['label'].in_language(language)}”"
        return str(value)

    def own_items(self, form: FormFields, category_id: str) -> list[tuple[int, str]]:
        """The client's own items of a category in the player's form, plus an empty slot."""
        return numbered_with_slot(form, f"own.{category_id}.")

    def check_answer(self, step: dict[str, Any], data: dict[str, Any]) -> None:
        categories = {c["id"]: c for c in step["categories"]}
        errors: dict[int, Any] = {}
        picked: set[tuple[str, str]] = set()
        for index, item in enumerate(data["items"]):
            category = categories.get(item["category"])
            if category is None:
                errors[index] = {"category": ["Unknown category."]}
            elif "suggestion" in item:
                key = (item["category"], item["suggestion"])
                if item["suggestion"] not in [s["id"] for s in category["suggestions"]]:
                    errors[index] = {"suggestion": ["Unknown suggestion in this category."]}
                elif key in picked:
                    errors[index] = {"suggestion": ["This suggestion is picked twice."]}
                picked.add(key)
            elif not step["allow_own"]:
                errors[index] = {"text": ["This step offers only its suggestions."]}
        if errors:
            raise ValidationError({"items": errors})
        if step["max_items"] is not None and len(data["items"]) > step["max_items"]:
            raise ValidationError({"items": [f"Pick at most {step['max_items']} items."]})

    def to_form(self, step: dict[str, Any], answer: dict[str, Any] | None) -> FormFields:
        fields_: FormFields = {"pick": []}
        own_count: dict[str, int] = {}
        for item in (answer or {}).get("items", []):
            category = item["category"]
            if "suggestion" in item:
                key = f"{category}/{item['suggestion']}"
                fields_["pick"].append(key)
                follow_name = f"follow.{key}"
            else:
                number = own_count.get(category, 0)
                own_count[category] = number + 1
                fields_[f"own.{category}.{number}"] = [item.get("text", "")]
                follow_name = f"follow-own.{category}.{number}"
            if item.get("follow_up"):
                fields_[follow_name] = [item["follow_up"]]
        return fields_

    def from_form(self, step: dict[str, Any], form: FormFields) -> dict[str, Any]:
        picked = set(form.get("pick", []))
        items: list[dict[str, Any]] = []
        for category in step["categories"]:
            for suggestion in category["suggestions"]:
                key = f"{category['id']}/{suggestion['id']}"
                if key in picked:
                    item = {"category": category["id"], "suggestion": suggestion["id"]}
                    follow = first(form, f"follow.{key}")
                    if follow.strip():
                        item["follow_up"] = follow
                    items.append(item)
            for number, text in numbered(form, f"own.{category['id']}."):
                if text.strip():
                    item = {"category": category["id"], "text": text}
                    follow = first(form, f"follow-own.{category['id']}.{number}")
                    if follow.strip():
                        item["follow_up"] = follow
                    items.append(item)
        # Picks the step does not know stay in, so validation can name them.
        known = {f"{c['id']}/{s['id']}" for c in step["categories"] for s in c["suggestions"]}
        for key in sorted(picked - known):
            category, _, suggestion = key.partition("/")
            items.append({"category": category, "suggestion": suggestion})
        return {"items": items}

    def shortfall(self, step: dict[str, Any], answer: dict[str, Any] | None) -> int:
        if not step["min_items"]:
            return 0
        items = [i for i in (answer or {}).get("items", [])
                 if "suggestion" in i or str(i.get("text", "")).strip()]
        return max(0, step["min_items"] - len(items))

    def condition_problem(self, step: dict[str, Any], operator: str, value: Any) -> str | None:
        problem = super().condition_problem(step, operator, value)
        if problem:
            return problem
        ids = [s["id"] for category in step["categories"] for s in category["suggestions"]]
        if value not in ids:
            return f'Step "{step["id"]}" has no suggestion "{show_value(value)}".'
        return None

    def evaluate(self, step: dict[str, Any], operator: str, value: Any, answer: Any) -> bool:
        items = answer.get("items") if isinstance(answer, dict) else None
        if not isinstance(items, list):
            return False
        return any(isinstance(item, dict) and item.get("suggestion") == value for item in items)
