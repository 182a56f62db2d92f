"""Template helpers that turn module content into words for the page, in both languages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from flask_babel import format_date, get_locale, lazy_gettext
from flask_babel import gettext as _
from flask_login import current_user

from ehealth.content.fields import Text
from ehealth.content.loader import Module
from ehealth.content.steps import STEP_TYPES
from ehealth.content.steps.base import numbered
from ehealth.content.steps.questionnaire import score
from ehealth.content.steps.questions import Scale

STEP_LABELS = {
    "opening": lazy_gettext("Opening"),
    "text": lazy_gettext("Information"),
    "strengths": lazy_gettext("Strengths"),
    "reflection": lazy_gettext("Reflection"),
    "scale": lazy_gettext("Scaling question"),
    "choice": lazy_gettext("Choice"),
    "questionnaire": lazy_gettext("Questionnaire"),
    "experience": lazy_gettext("Tip from experience"),
    "goal": lazy_gettext("Goal"),
    "summary": lazy_gettext("Summary"),
}

AUDIENCE_LABELS = {
    "adults": lazy_gettext("adults"),
    "youth": lazy_gettext("young people"),
    "parents": lazy_gettext("parents"),
}


def step_label(step_type: str) -> str:
    """The name of a step type for people."""
    return str(STEP_LABELS.get(step_type, step_type))


def audience_label(audience: list[str]) -> str:
    """"For adults and parents"."""
    names = [str(AUDIENCE_LABELS.get(a, a)) for a in audience]
    joined = names[0] if len(names) == 1 else (
        ", ".join(names[:-1]) + " " + _("and") + " " + names[-1]
    )
    return _("for %(audience)s", audience=joined)


def step_name(step: dict[str, Any], language: str) -> str:
    """How to refer to a step: its title, else its question or prompt, else its id."""
    for key in ("title", "question", "prompt"):
        value = step.get(key)
        if isinstance(value, Text):
            return value.in_language(language)
    return str(step["id"])


def _format_value(step: dict[str, Any], value: Any, language: str) -> str:
    if step["type"] == "choice":
        labels = {o["id"]: o["label"].in_language(language) for o in step["options"]}
        return f"“{labels.get(value, value)}”"
    if step["type"] == "strengths":
        for category in step["categories"]:
            for suggestion in category["suggestions"]:
                if suggestion["id"] == value:
                    return f"“{suggestion['label'].in_language(language)}”"
    return str(value)


def condition_text(condition: dict[str, Any], module: Module, language: str) -> str:
    """``show_if`` in words: 'Shown only when the answer to "…" is at least 4.'"""
    target = module.steps_by_id[condition["step"]]
    name = step_name(target, language)
    operator = next(op for op in condition if op != "step")
    value = condition[operator]
    if operator == "one_of":
        shown = ", ".join(_format_value(target, v, language) for v in value)
    else:
        shown = _format_value(target, value, language)
    texts = {
        "equals": _("Shown only when the answer to “%(step)s” is %(value)s.", step=name,
                    value=shown),
        "one_of": _("Shown only when the answer to “%(step)s” is one of %(value)s.", step=name,
                    value=shown),
        "contains": _("Shown only when the answer to “%(step)s” includes %(value)s.",
                      step=name, value=shown),
        "at_least": _("Shown only when the answer to “%(step)s” is at least %(value)s.",
                      step=name, value=shown),
        "at_most": _("Shown only when the answer to “%(step)s” is at most %(value)s.",
                     step=name, value=shown),
    }
    return texts[operator]


def scale_question(text: Text, step: dict[str, Any], language: str, value: int | None = None
                   ) -> str:
    """A scale follow-up with its placeholders filled in (or shown as "…" in a preview)."""
    if value is None:
        filled = {"value": "…", "next": "…"}
    else:
        filled = {"value": str(value), "next": str(min(value + 1, step["max"]))}
    filled.update({"min": str(step["min"]), "max": str(step["max"])})
    result = text.in_language(language)
    for name, replacement in filled.items():
        result = result.replace("{" + name + "}", replacement)
    return result


# The main menu per role: (endpoint, label). Entries whose endpoint does not exist are skipped.
NAV: dict[str, list[tuple[str, Any]]] = {
    "client": [
        ("client.home", lazy_gettext("My modules")),
        ("client.strengths", lazy_gettext("My strengths")),
        ("client.goals", lazy_gettext("My goals")),
        ("client.access_log", lazy_gettext("Who looked at my data")),
        ("auth.account", lazy_gettext("My account")),
    ],
    "therapist": [
        ("therapist.caseload", lazy_gettext("My clients")),
        ("auth.account", lazy_gettext("My account")),
    ],
    "admin": [
        ("admin.people", lazy_gettext("People")),
        ("admin.library", lazy_gettext("Module library")),
        ("admin.figures", lazy_gettext("Figures")),
        ("admin.audit_log", lazy_gettext("Access log")),
        ("auth.account", lazy_gettext("My account")),
    ],
    "author": [("auth.account", lazy_gettext("My account"))],
    "anonymous": [("auth.login", lazy_gettext("Log in"))],
}

# Where each role starts after logging in (first existing endpoint wins).
HOME = {
    "client": ["client.home"],
    "therapist": ["therapist.caseload"],
    "admin": ["admin.people"],
    "author": ["public.home"],
}


def home_endpoint(role: str) -> str:
    """The page a user of ``role`` starts on."""
    endpoints = current_app.view_functions
    return next((e for e in HOME.get(role, []) if e in endpoints), "public.home")


def nav_items() -> list[tuple[str, str]]:
    """The menu for the signed-in user's role (or for visitors)."""
    role = current_user.role if current_user.is_authenticated else "anonymous"
    endpoints = current_app.view_functions
    return [(endpoint, str(label)) for endpoint, label in NAV.get(role, [])
            if endpoint in endpoints]


def field_id(step_id: str, name: str) -> str:
    """A stable, valid HTML id for a form field of a step."""
    return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", f"{step_id}-{name}")


def field_value(fields: dict[str, list[str]], name: str) -> str:
    """The first value of a form field, or ""."""
    values = fields.get(name) or [""]
    return values[0]


def _numbered(fields: dict[str, list[str]], prefix: str) -> list[tuple[int, str]]:
    filled = [(n, text) for n, text in numbered(fields, prefix) if text.strip()]
    # Renumber, and leave one empty slot for a new entry.
    return [(i, text) for i, (_, text) in enumerate(filled)] + [(len(filled), "")]


def own_items(fields: dict[str, list[str]], category_id: str) -> list[tuple[int, str]]:
    """The client's own items in a strengths category, plus an empty slot for a new one."""
    return _numbered(fields, f"own.{category_id}.")


def own_steps(fields: dict[str, list[str]]) -> list[tuple[int, str]]:
    """The client's own goal steps, plus an empty slot for a new one."""
    return _numbered(fields, "own-step.")


def goal_step_options(step: dict[str, Any], fields: dict[str, list[str]], language: str
                      ) -> list[tuple[str, str]]:
    """The steps chosen or written so far, as (key, label), to pick the first step from."""
    chosen = set(fields.get("step", []))
    options = [(f"s:{s['id']}", s["label"].in_language(language))
               for s in step["suggested_steps"] if f"s:{s['id']}" in chosen]
    options += [(f"o:{n}", text) for n, text in own_steps(fields) if text.strip()]
    return options


def asked_follow_ups(step: dict[str, Any], value: int) -> list[dict[str, Any]]:
    """The follow-up questions of a scale step that apply to ``value``."""
    scale = STEP_TYPES["scale"]
    assert isinstance(scale, Scale)
    return scale.asked_follow_ups(step, value)


def questionnaire_scores(step: dict[str, Any], value: dict[str, Any]) -> dict[str, Any]:
    """Scores of a questionnaire answer (total and per subscale)."""
    return score(step, value.get("responses", {}))


def error_messages(messages: Any, prefix: str = "") -> list[str]:
    """marshmallow error messages as readable lines."""
    lines: list[str] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            label = prefix if key == "_schema" else (f"{prefix} {key}".strip())
            lines.extend(error_messages(value, label))
    elif isinstance(messages, list):
        for value in messages:
            lines.extend(error_messages(value, prefix))
    else:
        lines.append(f"{prefix}: {messages}" if prefix else str(messages))
    return lines


def register(app: Flask) -> None:
    """Make the helpers available in every template."""
    app.jinja_env.globals.update(
        error_messages=error_messages,
        field_id=field_id,
        field_value=field_value,
        own_items=own_items,
        own_steps=own_steps,
        goal_step_options=goal_step_options,
        asked_follow_ups=asked_follow_ups,
        questionnaire_scores=questionnaire_scores,
        nav_items=nav_items,
        view_functions=app.view_functions,
        area_stylesheets=sorted(
            f"css/{path.name}" for path in (Path(app.static_folder or "") / "css").glob("*.css")
            if path.name != "app.css"
        ),
        step_label=step_label,
        audience_label=audience_label,
        step_name=step_name,
        condition_text=condition_text,
        scale_question=scale_question,
    )

    app.jinja_env.filters["format_date"] = lambda value: format_date(value) if value else ""

    @app.context_processor
    def _language() -> dict[str, str]:
        return {"ui_lang": str(get_locale() or app.config["DEFAULT_LANGUAGE"])}
