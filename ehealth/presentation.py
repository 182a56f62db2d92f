"""Template helpers that turn module content into words for the page, in both languages."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from flask_babel import format_date, format_decimal, lazy_gettext
from flask_babel import gettext as _
from flask_login import current_user

from ehealth.content.fields import Text
from ehealth.content.loader import Module
from ehealth.content.steps import STEP_TYPES, type_of
from ehealth.i18n import page_language

AUDIENCE_LABELS = {
    "adults": lazy_gettext("adults"),
    "youth": lazy_gettext("young people"),
    "parents": lazy_gettext("parents"),
}


def step_label(step_type: str) -> str:
    """The name of a step type for people (each type has its own, in both languages)."""
    known = STEP_TYPES.get(step_type)
    return str(known.label) if known is not None else step_type


def answer_template(step: dict[str, Any]) -> str:
    """The template that shows a stored answer to ``step`` (its type's answer template)."""
    template = type_of(step).answer_template
    if template is None:
        raise LookupError(f'Step type "{step["type"]}" takes no answer: it has no answer '
                          "template.")
    return template


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
    return type_of(step).value_text(step, value, language)


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
        ("author.modules", lazy_gettext("Write modules")),
        ("admin.figures", lazy_gettext("Figures")),
        ("admin.audit_log", lazy_gettext("Access log")),
        ("auth.account", lazy_gettext("My account")),
    ],
    "author": [
        ("author.modules", lazy_gettext("Write modules")),
        ("author.media_library", lazy_gettext("Media library")),
        ("auth.account", lazy_gettext("My account")),
    ],
    "anonymous": [("auth.login", lazy_gettext("Log in"))],
}

# Where each role starts after logging in (first existing endpoint wins).
HOME = {
    "client": ["client.home"],
    "therapist": ["therapist.caseload"],
    "admin": ["admin.people"],
    "author": ["author.modules", "public.home"],
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
        type_of=type_of,
        answer_template=answer_template,
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
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["number"] = number

    @app.context_processor
    def _language() -> dict[str, str]:
        return {"ui_lang": page_language()}


# --- numbers and dates in the page's locale ----------------------------------------------------

def number(value: Any) -> str:
    """A score or count as the page's locale writes it ("1,85" in Dutch, "1.85" in English).

    Whole numbers lose a trailing ".0"; anything else keeps at most two decimals, as scores are
    stored. None (no score yet) is empty.
    """
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(format_decimal(value, format="#,##0.##"))


def long_date(value: Any) -> str:
    """A date (or a UTC time, shown on the Dutch clock) written out: "9 december 2026".

    An ISO date as stored in an answer ("2026-12-09") is read first; anything else that is not
    a date is shown as it is rather than breaking the page.
    """
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return str(format_date(value, "long"))
