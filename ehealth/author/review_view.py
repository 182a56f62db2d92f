"""How the review and history pages show a module diff: names, texts and values for people.

A diff (``content.diff``) holds raw content: a draft's texts may be a plain string or one entry
per language, a step may not pass the checker yet. These helpers read whatever is there and
never fail on it; the templates escape everything they return.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ehealth.content.diff import ADDED, CHANGED, REMOVED, REORDERED, UNCHANGED, FieldChange
from ehealth.content.fields import TextField
from ehealth.content.walk import lesson_documents, module_document, path_text, step_values
from ehealth.i18n import LANGUAGE_NAMES

STATUS_LABELS = {
    ADDED: _l("added"),
    REMOVED: _l("removed"),
    CHANGED: _l("changed"),
    UNCHANGED: _l("unchanged"),
    REORDERED: _l("new order"),
}
LEVEL_LABELS = {
    "none": _l("no change"),
    "patch": _l("wording only (patch)"),
    "minor": _l("content added or changed (minor)"),
    "major": _l("answers may no longer fit (major)"),
}
MAX_SHOWN = 400  # characters of a value shown in the diff; longer ones are cut with "…"


def raw_text(value: Any, language: str) -> str:
    """A text as stored in raw content, in ``language`` (else its first language), or ""."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if isinstance(value.get(language), str):
            return str(value[language])
        return next((text for text in value.values() if isinstance(text, str)), "")
    return ""


def step_title(step: Any, language: str, fallback: str = "") -> str:
    """How to name a raw step: its title, question or prompt, else its id."""
    if isinstance(step, dict):
        for key in ("title", "question", "prompt"):
            text = raw_text(step.get(key), language)
            if text.strip():
                return text
        if isinstance(step.get("id"), str):
            return str(step["id"])
    return fallback


def lesson_title(content: Any, lesson_id: str, language: str) -> str:
    """A lesson's title in raw content, else its id."""
    lesson = lesson_documents(content).get(lesson_id)
    text = raw_text(lesson.get("title"), language) if isinstance(lesson, dict) else ""
    return text.strip() or lesson_id


def module_title(content: Any, language: str) -> str:
    """A module's title in raw content, else its id."""
    module = module_document(content)
    text = raw_text(module.get("title"), language)
    return text.strip() or str(module.get("id") or "")


def step_texts(step: Any, languages: tuple[str, ...]) -> list[tuple[str, dict[str, str]]]:
    """Every translated text of a raw step: (JSON path, {language: text}), in schema order.

    For a step that was added or removed: its texts are shown whole, one column per language.
    """
    found: list[tuple[str, dict[str, str]]] = []
    for path, field, value in step_values(step):
        if not isinstance(field, TextField):
            continue
        if isinstance(value, str):
            found.append((path_text(path), {languages[0] if languages else "nl": value}))
        elif isinstance(value, dict):
            order = sorted(value, key=lambda k: languages.index(k) if k in languages
                           else len(languages))
            found.append((path_text(path), {k: value[k] for k in order
                                            if isinstance(value[k], str)}))
    return found


def value_shown(value: Any) -> str:
    """A value that is not a text (a number, a list, a condition), written as JSON."""
    if value is None:
        return ""
    shown = json.dumps(value, ensure_ascii=False, sort_keys=False)
    return shown if len(shown) <= MAX_SHOWN else shown[:MAX_SHOWN - 1] + "…"


def change_path(change: FieldChange) -> str:
    """The JSON path of a change without the checker's leading ``$.``."""
    return change.path.removeprefix("$.").removeprefix("$") or "$"


def language_name(code: str) -> str:
    """A language by its own name ("Nederlands", "English"), else its code."""
    return LANGUAGE_NAMES.get(code, code)


def register(bp: Blueprint) -> None:
    """Make the helpers available in the templates of ``bp``."""

    @bp.context_processor
    def _review_helpers() -> dict[str, Any]:
        return {
            "raw_text": raw_text, "step_title": step_title, "lesson_title": lesson_title,
            "module_title": module_title, "step_texts": step_texts, "value_shown": value_shown,
            "change_path": change_path, "language_name": language_name,
            "status_label": lambda status: str(STATUS_LABELS.get(status, status)),
            "level_label": lambda level: str(LEVEL_LABELS.get(level, level)),
        }
