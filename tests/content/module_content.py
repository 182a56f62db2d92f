"""Stored module content to compare, export and break: one module with every step type.

Content is what a ModuleVersion (and a draft) keeps: ``{"module": …, "lessons": {…}}``. The
steps are the registry's own ``sample_step()`` definitions, so a new step type is covered by
the diff, version and zip tests without a change here.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from ehealth.content.steps import STEP_TYPES

FIRST_LESSON = ("opening", "text", "strengths", "reflection", "scale", "choice")


def sample_content(version: str = "1.2.3") -> dict[str, Any]:
    """A valid module "proef" in Dutch and English: lesson "begin" and lesson "verder" hold
    one sample step of every registered type (the summary last)."""
    answered: list[str] = []
    lessons: dict[str, list[dict[str, Any]]] = {"begin": [], "verder": []}
    names = [*FIRST_LESSON, *(n for n in STEP_TYPES if n not in (*FIRST_LESSON, "summary")),
             "summary"]
    for name in names:
        step_type = STEP_TYPES[name]
        step = step_type.sample_step(answered)
        lessons["begin" if name in FIRST_LESSON else "verder"].append(step)
        if step_type.answerable:
            answered.append(step["id"])
    return {
        "module": {
            "id": "proef",
            "version": version,
            "languages": ["nl", "en"],
            "title": {"nl": "Een proef", "en": "A trial"},
            "summary": {"nl": "Alles op een rij.", "en": "Everything in a row."},
            "audience": ["adults"],
            "estimated_minutes": 20,
            "cover": {"src": "proef/cover.svg",
                      "alt": {"nl": "Een zonnig pad.", "en": "A sunny path."}},
            "lessons": ["begin", "verder"],
        },
        "lessons": {
            lesson_id: {"id": lesson_id,
                        "title": {"nl": f"Les {lesson_id}", "en": f"Lesson {lesson_id}"},
                        "steps": steps}
            for lesson_id, steps in lessons.items()
        },
    }


def changed(content: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``content``, to change."""
    return copy.deepcopy(content)


def steps_of(content: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every step of the content, lesson by lesson."""
    for lesson_id in content["module"]["lessons"]:
        yield from content["lessons"][lesson_id]["steps"]


def step(content: dict[str, Any], step_id: str) -> dict[str, Any]:
    """The step with ``step_id`` (to change in place)."""
    return next(s for s in steps_of(content) if s["id"] == step_id)


def lesson_steps(content: dict[str, Any], lesson_id: str) -> list[dict[str, Any]]:
    """The step list of one lesson (to change in place)."""
    steps: list[dict[str, Any]] = content["lessons"][lesson_id]["steps"]
    return steps
