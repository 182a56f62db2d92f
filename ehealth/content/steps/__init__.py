"""The registry of step types: every kind of step the module format knows, by name.

Adding a type is a module here with its ``StepType`` subclass, one line in the tuple below, its
templates (``steps/<type>.html``, ``player/steps/<type>.html``, ``steps/answers/<type>.html``)
and the Dutch of its texts; ``docs/step-types.md`` walks through it. Nothing else in the product
names a type: every surface asks the registry.
"""

from __future__ import annotations

from typing import Any

from ehealth.content.steps.base import (
    ANSWER_CONTEXTS,
    OPERATORS,
    AnswerableStepSchema,
    Score,
    StepSchema,
    StepType,
)
from ehealth.content.steps.diary import Diary
from ehealth.content.steps.goal import Goal
from ehealth.content.steps.info import Experience, Opening, Summary, Text
from ehealth.content.steps.questionnaire import Questionnaire
from ehealth.content.steps.questions import Choice, Reflection, Scale
from ehealth.content.steps.strengths import STRENGTH_KINDS, Strengths

STEP_TYPES: dict[str, StepType] = {
    step_type.name: step_type
    for step_type in (
        Opening(),
        Text(),
        Strengths(),
        Reflection(),
        Scale(),
        Choice(),
        Questionnaire(),
        Experience(),
        Goal(),
        Summary(),
        Diary(),
    )
}


def type_of(step: dict[str, Any]) -> StepType:
    """The step type of a (loaded) step definition."""
    return STEP_TYPES[step["type"]]


def feedback_moments(steps: Any) -> frozenset[str]:
    """Ids of the steps among ``steps`` that are feedback moments (``"feedback": true``)."""
    return frozenset(step["id"] for step in steps if step.get("feedback"))


__all__ = [
    "ANSWER_CONTEXTS",
    "OPERATORS",
    "STEP_TYPES",
    "STRENGTH_KINDS",
    "AnswerableStepSchema",
    "Score",
    "StepSchema",
    "StepType",
    "feedback_moments",
    "type_of",
]
