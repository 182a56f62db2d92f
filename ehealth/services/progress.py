"""Where a client is in a module: which steps show, the position, and how much is done.

Conditions (``show_if``) are applied in module order: a step whose condition refers to a hidden
or unanswered step stays hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ehealth.content.loader import Lesson, Module
from ehealth.content.steps import STEP_TYPES


@dataclass(frozen=True)
class Place:
    """One visible step and where it sits."""

    lesson: Lesson
    lesson_number: int  # 1-based
    step: dict[str, Any]
    number_in_lesson: int  # 1-based, counting visible steps
    steps_in_lesson: int  # visible steps in this lesson
    index: int  # 0-based among all visible steps


def condition_met(condition: dict[str, Any], module: Module, answers: dict[str, Any]) -> bool:
    """Whether a ``show_if`` condition holds for these answers."""
    target = module.steps_by_id[condition["step"]]
    answer = answers.get(condition["step"])
    if answer is None:
        return False
    operator = next(op for op in condition if op != "step")
    return STEP_TYPES[target["type"]].evaluate(target, operator, condition[operator], answer)


def visible_places(module: Module, answers: dict[str, Any]) -> list[Place]:
    """Every step the client sees, given their answers (by step id), in order."""
    shown: dict[str, Any] = {}
    per_lesson: list[tuple[int, Lesson, list[dict[str, Any]]]] = []
    for number, lesson in enumerate(module.lessons, start=1):
        steps = []
        for step in lesson.steps:
            condition = step.get("show_if")
            if condition is None or condition_met(condition, module, shown):
                steps.append(step)
                if step["id"] in answers:
                    shown[step["id"]] = answers[step["id"]]
        per_lesson.append((number, lesson, steps))
    places: list[Place] = []
    for number, lesson, steps in per_lesson:
        for position, step in enumerate(steps, start=1):
            places.append(Place(lesson, number, step, position, len(steps), len(places)))
    return places


@dataclass(frozen=True)
class Progress:
    """How far a client is: steps done of the steps they see."""

    done: int
    total: int

    @property
    def percent(self) -> int:
        """Whole percent done (0 for an empty module)."""
        return round(100 * self.done / self.total) if self.total else 0


def progress(places: list[Place], done_steps: list[str]) -> Progress:
    """Steps done among the visible ones."""
    done = set(done_steps)
    return Progress(sum(1 for place in places if place.step["id"] in done), len(places))


def find_place(places: list[Place], step_id: str | None) -> Place | None:
    """The visible place of ``step_id``, or None when it is hidden or unknown."""
    return next((place for place in places if place.step["id"] == step_id), None)


def resume_place(places: list[Place], last_step_id: str | None,
                 done_steps: list[str]) -> Place:
    """Where to continue: the last visited step, else the first step not yet done."""
    place = find_place(places, last_step_id)
    if place is not None:
        return place
    done = set(done_steps)
    return next((p for p in places if p.step["id"] not in done), places[0])
