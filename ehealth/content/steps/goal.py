"""The goal step: the client's own goal, broken into small steps, with a first step."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validates_schema

from ehealth.content.fields import MarkdownField, StrictBoolean, TextField
from ehealth.content.steps.base import OptionSchema, StepSchema, StepType, unique_ids


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


class Goal(StepType):
    name = "goal"
    schema = GoalSchema
    description = "The client's goal with small steps, a first step and optionally a date."
    answerable = True
