"""The goal step: the client's own goal, broken into small steps, with a first step."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ehealth.content.fields import MarkdownField, StrictBoolean, StrictInteger, TextField
from ehealth.content.steps.base import (
    MAX_ANSWER_ITEMS,
    FormFields,
    OptionSchema,
    StepSchema,
    StepType,
    answer_text,
    first,
    numbered,
    unique_ids,
)


class GoalSchema(StepSchema):
    """A prompt, suggested small steps; the client writes the goal and chooses a first step."""

    title = TextField()
    prompt = MarkdownField(required=True)
    goal_hint = TextField(metadata={"description": "An example goal, shown as a hint."})
    suggested_steps = fields.List(fields.Nested(OptionSchema), load_default=list)
    allow_own_steps = StrictBoolean(load_default=True)
    ask_date = StrictBoolean(
        load_default=True, metadata={"description": "Ask when the client takes the first step."}
    )

    @validates_schema
    def _steps_possible(self, data: dict[str, Any], **kwargs: Any) -> None:
        unique_ids(data.get("suggested_steps"), "suggested_steps", "step id")
        if not data.get("suggested_steps") and not data.get("allow_own_steps", True):
            raise ValidationError(
                "Suggest steps, or allow the client to write their own.",
                field_name="suggested_steps",
            )


class GoalStepAnswerSchema(Schema):
    """A chosen suggested step (``suggestion``) or one the client wrote (``text``)."""

    suggestion = fields.String()
    text = answer_text()

    @validates_schema
    def _one_source(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("suggestion" in data) == ("text" in data):
            raise ValidationError('Give either "suggestion" or "text".')


class GoalAnswerSchema(Schema):
    """``{"goal": "…", "steps": [...], "first_step": 0, "date": "2026-12-01"}``."""

    goal = answer_text(load_default="")
    steps = fields.List(fields.Nested(GoalStepAnswerSchema), load_default=list,
                        validate=validate.Length(max=MAX_ANSWER_ITEMS))
    first_step = StrictInteger(load_default=None, allow_none=True)
    date = fields.Date(load_default=None, allow_none=True)


class Goal(StepType):
    name = "goal"
    schema = GoalSchema
    description = "The client's goal with small steps, a first step and optionally a date."
    answerable = True
    answer_schema = GoalAnswerSchema

    def validate_answer(self, step: dict[str, Any], value: Any) -> dict[str, Any]:
        data = super().validate_answer(step, value)
        if data["date"] is not None:
            data["date"] = data["date"].isoformat()  # stored as JSON
        return data

    def check_answer(self, step: dict[str, Any], data: dict[str, Any]) -> None:
        suggestions = [s["id"] for s in step["suggested_steps"]]
        errors: dict[str, Any] = {}
        step_errors: dict[int, Any] = {}
        for index, item in enumerate(data["steps"]):
            if "suggestion" in item and item["suggestion"] not in suggestions:
                step_errors[index] = {"suggestion": ["Unknown suggested step."]}
            elif "text" in item and not step["allow_own_steps"]:
                step_errors[index] = {"text": ["Choose from the suggested steps."]}
        if step_errors:
            errors["steps"] = step_errors
        first = data["first_step"]
        if first is not None and not 0 <= first < len(data["steps"]):
            errors["first_step"] = ["Must point at one of the chosen steps."]
        if data["date"] is not None and not step["ask_date"]:
            errors["date"] = ["This step does not ask for a date."]
        if errors:
            raise ValidationError(errors)

    def to_form(self, step: dict[str, Any], answer: dict[str, Any] | None) -> FormFields:
        answer = answer or {}
        fields_: FormFields = {"goal": [answer.get("goal", "")], "step": []}
        keys: list[str] = []
        own = 0
        for item in answer.get("steps", []):
            if "suggestion" in item:
                key = f"s:{item['suggestion']}"
                fields_["step"].append(key)
            else:
                key = f"o:{own}"
                fields_[f"own-step.{own}"] = [item.get("text", "")]
                own += 1
            keys.append(key)
        first_step = answer.get("first_step")
        if first_step is not None and 0 <= first_step < len(keys):
            fields_["first"] = [keys[first_step]]
        if answer.get("date"):
            fields_["date"] = [answer["date"]]
        return fields_

    def from_form(self, step: dict[str, Any], form: FormFields) -> dict[str, Any]:
        chosen = set(form.get("step", []))
        steps: list[dict[str, Any]] = []
        keys: list[str] = []
        for suggestion in step["suggested_steps"]:
            if f"s:{suggestion['id']}" in chosen:
                steps.append({"suggestion": suggestion["id"]})
                keys.append(f"s:{suggestion['id']}")
        for number, text in numbered(form, "own-step."):
            if text.strip():
                steps.append({"text": text})
                keys.append(f"o:{number}")
        first_key = first(form, "first")
        date = first(form, "date").strip()
        return {
            "goal": first(form, "goal"),
            "steps": steps,
            "first_step": keys.index(first_key) if first_key in keys else None,
            "date": date or None,
        }
