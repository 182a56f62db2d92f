"""The goal step: the client's own goal, broken into small steps, with a first step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ehealth.content.fields import MarkdownField, StrictBoolean, StrictInteger, TextField
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
from ehealth.models import Assignment, GoalStep, utcnow
from ehealth.models import Goal as GoalRecord


class GoalSchema(AnswerableStepSchema):
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
    label = _l("Goal")
    answerable = True
    answer_schema = GoalAnswerSchema
    narrowing_flags = ("allow_own_steps", "ask_date")  # own steps and dates given before
    help_texts = {
        "prompt": _l("Ask for the client's own goal: a life goal, not only a treatment goal. "
                     "Light Markdown."),
        "goal_hint": _l("An example goal, shown as a hint."),
        "suggested_steps": _l("Small steps to choose from, small enough to start this week."),
        "allow_own_steps": _l("Let the client write steps of their own."),
        "ask_date": _l("Ask when the client takes the first step."),
    }

    def sample_step(self, answered: Sequence[str] = ()) -> dict[str, Any]:
        return {"id": "sample-goal", "type": self.name,
                "prompt": sample_texts("Wat wil je bereiken?"),
                "suggested_steps": [{"id": "wandelen", "label": sample_texts("Wandelen")}]}

    def sample_answer(self, step: dict[str, Any], text: str = "Voorbeeld") -> dict[str, Any]:
        steps: list[dict[str, Any]] = [{"suggestion": s["id"]} for s in step["suggested_steps"]]
        if step["allow_own_steps"]:
            steps.append({"text": text})
        return {"goal": text, "steps": steps, "first_step": 0 if steps else None,
                "date": "2030-01-15" if step["ask_date"] else None}

    def after_save(self, assignment: Assignment, step: dict[str, Any],
                   data: dict[str, Any]) -> None:
        # The goal on "Mijn doelen" follows its answer.
        sync_goal(assignment, step, data)

    def own_steps(self, form: FormFields) -> list[tuple[int, str]]:
        """The client's own steps in the player's form, plus an empty slot for a new one."""
        return numbered_with_slot(form, "own-step.")

    def first_step_options(self, step: dict[str, Any], form: FormFields, language: str
                           ) -> list[tuple[str, str]]:
        """The steps chosen or written so far, as (key, label), to pick the first step from."""
        chosen = set(form.get("step", []))
        options = [(f"s:{s['id']}", s["label"].in_language(language))
                   for s in step["suggested_steps"] if f"s:{s['id']}" in chosen]
        options += [(f"o:{n}", text) for n, text in self.own_steps(form) if text.strip()]
        return options

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


def goal_step_text(step: dict[str, Any], item: dict[str, Any], language: str) -> str:
    """The words of one chosen step of a goal answer: a suggestion's label, or the client's."""
    if "suggestion" in item:
        for suggestion in step["suggested_steps"]:
            if suggestion["id"] == item["suggestion"]:
                return str(suggestion["label"].in_language(language))
    return str(item.get("text", "")).strip()


def sync_goal(assignment: Assignment, step: dict[str, Any], data: dict[str, Any]) -> None:
    """Create or update the goal behind a goal step (inside the answer's transaction).

    Saving the step again updates that goal: steps keep their ticks, steps no longer chosen go
    unless they were done, the first step and its date follow the answer.
    """
    text = data["goal"].strip()
    language = assignment.client.language
    goal = GoalRecord.get_or_none((GoalRecord.assignment == assignment)
                                  & (GoalRecord.step_id == step["id"]))
    if goal is None and not text:
        return
    target = dt.date.fromisoformat(data["date"]) if data["date"] else None
    if goal is None:
        goal = GoalRecord.create(client=assignment.client, assignment=assignment,
                                 step_id=step["id"], text=text, target_date=target)
    else:
        goal.text = text or goal.text
        if step["ask_date"]:  # else the date was set on "Mijn doelen": keep it
            goal.target_date = target
        goal.updated_at = utcnow()
        goal.save()
    existing = {(s.suggestion_id or s.text): s for s in GoalStep.select()
                .where(GoalStep.goal == goal).order_by(GoalStep.position, GoalStep.id)}
    keep: set[int] = set()
    for position, item in enumerate(data["steps"]):
        label = goal_step_text(step, item, language)
        if not label:
            continue
        key = item.get("suggestion") or label
        first_step = data["first_step"] == position
        record = existing.get(key)
        if record is None:
            record = GoalStep.create(goal=goal, text=label, suggestion_id=item.get("suggestion"),
                                     position=position, is_first=first_step,
                                     planned_for=target if first_step else None)
        else:
            record.text, record.position, record.is_first = label, position, first_step
            record.planned_for = target if first_step else None
            record.save()
        keep.add(record.get_id())
    for record in existing.values():
        if record.get_id() not in keep and not record.done:
            record.delete_instance()
