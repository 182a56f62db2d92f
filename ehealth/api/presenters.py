"""What the API shows of an assignment: its module in the client's language, visible steps,
progress and resume step, and its answers. The routes dump these through ``api.schemas``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for

from ehealth.content.fields import MarkdownText, Text
from ehealth.content.loader import Module
from ehealth.models import Answer, Assignment
from ehealth.services.answers import answers_of, module_of
from ehealth.services.progress import Place, Progress, progress, resume_place, visible_places

# Fields holding a path under the media folder (ehealth.content.fields.MediaPath).
MEDIA_KEYS = frozenset({"src", "captions", "poster"})


def localised(value: Any, language: str) -> Any:
    """Module content with every text in ``language``.

    A plain text becomes a string under its own key; a Markdown text becomes sanitised HTML
    under ``<key>_html``, so the player never mistakes one for the other. A media path keeps
    its value and gains ``<key>_url``.
    """
    if isinstance(value, MarkdownText):
        return value.html(language)
    if isinstance(value, Text):
        return value.in_language(language)
    if isinstance(value, dict):
        result: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(item, MarkdownText):
                result[f"{key}_html"] = item.html(language)
                continue
            result[key] = localised(item, language)
            if key in MEDIA_KEYS and isinstance(item, str):
                result[f"{key}_url"] = url_for("public.media", filename=item)
        return result
    if isinstance(value, list):
        return [localised(item, language) for item in value]
    return value


@dataclass(frozen=True)
class AssignmentState:
    """An assignment with its module version, answers and where the client is."""

    assignment: Assignment
    module: Module
    language: str
    answers: dict[str, Answer]
    places: list[Place]
    progress: Progress
    resume: Place | None


def state_of(assignment: Assignment, preferred_language: str) -> AssignmentState:
    """Read the assignment's module, answers, visible steps and progress once."""
    module = module_of(assignment)
    answers = answers_of(assignment)
    places = visible_places(module, {step_id: a.value for step_id, a in answers.items()})
    done = list(assignment.done_steps or [])
    return AssignmentState(
        assignment=assignment,
        module=module,
        language=module.language_for(preferred_language),
        answers=answers,
        places=places,
        progress=progress(places, done),
        resume=resume_place(places, assignment.last_step_id, done) if places else None,
    )


def progress_of(state: AssignmentState) -> dict[str, Any]:
    """Done, total, percent, and the visible and done step ids (in module order)."""
    done = set(state.assignment.done_steps or [])
    visible = [place.step["id"] for place in state.places]
    return {
        "done": state.progress.done,
        "total": state.progress.total,
        "percent": state.progress.percent,
        "visible_step_ids": visible,
        "done_step_ids": [step_id for step_id in visible if step_id in done],
    }


def summary_of(state: AssignmentState) -> dict[str, Any]:
    """The assignment as listed."""
    assignment, module = state.assignment, state.module
    return {
        "id": assignment.id,
        "status": assignment.status,
        "module": {
            "id": module.id,
            "version": module.version,
            "title": module.title.in_language(state.language),
            "language": state.language,
        },
        "progress": progress_of(state),
        "last_step_id": assignment.last_step_id,
        "assigned_at": assignment.assigned_at,
        "started_at": assignment.started_at,
        "completed_at": assignment.completed_at,
    }


def _resume(place: Place | None) -> dict[str, Any] | None:
    if place is None:
        return None
    return {
        "step_id": place.step["id"],
        "lesson_id": place.lesson.id,
        "lesson_number": place.lesson_number,
        "number_in_lesson": place.number_in_lesson,
        "steps_in_lesson": place.steps_in_lesson,
        "index": place.index,
    }


def detail_of(state: AssignmentState) -> dict[str, Any]:
    """The assignment with its module content in the client's language."""
    module, language = state.module, state.language
    visible = {place.step["id"] for place in state.places}
    summary = summary_of(state)
    content = {
        **summary["module"],
        "summary": module.summary.in_language(language),
        "estimated_minutes": module.estimated_minutes,
        "audience": list(module.audience),
        "cover": localised(module.cover, language),
        "lessons": [
            {
                "id": lesson.id,
                "title": lesson.title.in_language(language),
                "summary": lesson.summary.in_language(language) if lesson.summary else None,
                "steps": [{**localised(step, language), "visible": step["id"] in visible}
                          for step in lesson.steps],
            }
            for lesson in module.lessons
        ],
    }
    return {**summary, "module": content, "resume": _resume(state.resume)}


def unanswered(step_id: str) -> dict[str, Any]:
    """An answerable step without an answer yet: revision 0, the base of a first save."""
    return {"step_id": step_id, "revision": 0, "value": None, "private": False,
            "updated_at": None}


def in_module_order(module: Module, answers: dict[str, Answer]) -> list[Answer]:
    """Answers in the order of the module's steps; answers to steps this version lacks last."""
    order = {step_id: index for index, step_id in enumerate(module.steps_by_id)}
    return sorted(answers.values(), key=lambda a: (order.get(a.step_id, len(order)), a.step_id))
