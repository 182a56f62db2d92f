"""The registry of step types. Adding a type: a class here and a template ``steps/<type>.html``."""

from __future__ import annotations

from ehealth.content.steps.base import OPERATORS, StepSchema, StepType
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
    )
}

__all__ = ["OPERATORS", "STEP_TYPES", "STRENGTH_KINDS", "StepSchema", "StepType"]
