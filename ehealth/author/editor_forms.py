"""The editor's forms: a step (or the module's or a lesson's details) as HTML form fields, and back.

Everything is driven by the authoring fields of the registry
(``STEP_TYPES[t].authoring_fields()``, ``ehealth/content/steps/authoring.py``): each kind of
field has one way to appear in a form and one way to be read back, so a new step type needs no
code here. The form data is a dict of lists (``request.form.to_dict(flat=False)``), with names
built from a prefix per part on the page and the field's JSON path:

- ``s3.title.nl`` / ``s3.title.en``: a translated text of the step in place 3 of the lesson;
- ``s3.questions.0.question.nl``: inside list items (``s3.questions.0._item`` marks an item);
- ``s3.show_if.step`` / ``.op`` / ``.value``: the condition editor;
- ``s3._key``, ``s3._type``, ``s3._base``, ``s3._shown``: which part it is, its type, and the
  fingerprints of the part as stored and as the form showed it (see ``page_edits``).

The module's details use the prefix ``m`` and each lesson's ``l<n>``. HTML ids are the names
with ``-`` for ``.`` and an ``ed-`` in front, so a problem's JSON path (``steps[3].title.en``)
leads to its field (``ed-s3-title-en``) through ``FieldIndex``.

Reading a form back is the exact inverse of writing it for everything the form can show:
``from_form(to_form(x))`` is stable, so a part the author did not touch is never saved.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from ehealth.content.fields import CheckContext, ImageSchema, ModuleContext, Text
from ehealth.content.loader import problem_location
from ehealth.content.markdown import render_markdown
from ehealth.content.problems import Problem, split_path
from ehealth.content.schema import AUDIENCES, StepField
from ehealth.content.steps import OPERATORS, STEP_TYPES
from ehealth.content.steps.authoring import AuthoringField, authoring_fields
from ehealth.content.steps.base import StepType, item_ids
from ehealth.services import authoring
from ehealth.services.draft_editing import (
    LESSON_MANAGED,
    MODULE_MANAGED,
    PartEdit,
    fingerprint,
    projection,
)

FormData = dict[str, list[str]]

# The languages the editor writes, side by side; the module's own ``languages`` say which of
# them are required.
EDITOR_LANGUAGES = ("nl", "en")
LANGUAGE_NAMES = {"nl": _l("Dutch"), "en": _l("English")}
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_INTEGER = re.compile(r"^-?[0-9]{1,15}$")
_NUMBER = re.compile(r"^-?[0-9]{1,15}(?:\.[0-9]{1,15})?$")
_PREFIX = re.compile(r"^(?:m|[ls][0-9]{1,4})$")

# -- words for people ------------------------------------------------------------------------
# Labels by field name, shared by every step type; a field without one is shown by its name
# ("min_items" → "Min items"), so a new step type's form works before anyone labels it.
FIELD_LABELS: dict[str, Any] = {
    "id": _l("Id"), "show_if": _l("Show only when"), "feedback": _l("Feedback moment"),
    "title": _l("Title"), "body": _l("Text"), "illustration": _l("Illustration"),
    "image": _l("Image"), "audio": _l("Audio"), "video": _l("Video"), "src": _l("File"),
    "alt": _l("Text alternative"), "caption": _l("Caption"), "transcript": _l("Transcript"),
    "captions": _l("Subtitles"), "poster": _l("Poster image"), "prompt": _l("Prompt"),
    "categories": _l("Categories"), "kind": _l("Kind"), "label": _l("Label"),
    "hint": _l("Hint"), "suggestions": _l("Suggestions"), "follow_up": _l("Follow-up question"),
    "allow_own": _l("The client may add their own"), "min_items": _l("At least this many"),
    "max_items": _l("At most this many"), "intro": _l("Introduction"),
    "questions": _l("Questions"), "question": _l("Question"),
    "allow_private": _l("Offer “keep this to myself”"), "min": _l("Lowest value"),
    "max": _l("Highest value"), "min_label": _l("Words for the lowest value"),
    "max_label": _l("Words for the highest value"), "follow_ups": _l("Follow-up questions"),
    "min_value": _l("Only from this score"), "max_value": _l("Only up to this score"),
    "multiple": _l("More than one choice"), "options": _l("Options"),
    "scale": _l("Answer scale"), "value": _l("Value"), "subscales": _l("Subscales"),
    "items": _l("Items"), "text": _l("Text"), "subscale": _l("Subscale"),
    "reverse": _l("Reverse scored"), "scoring": _l("Scoring"), "method": _l("Method"),
    "speaker": _l("Speaker"), "name": _l("Name"), "role": _l("Role"), "tip": _l("Tip"),
    "as_quote": _l("Show as a quotation"), "goal_hint": _l("Example goal"),
    "suggested_steps": _l("Suggested small steps"),
    "allow_own_steps": _l("The client may write their own steps"),
    "ask_date": _l("Ask for a date"), "steps": _l("Steps to summarise"),
    "closing": _l("Closing message"), "ask_mood": _l("Ask for a mood score"),
    "mood_question": _l("Mood question"), "summary": _l("Summary"),
    "languages": _l("Languages"), "audience": _l("Audience"),
    "estimated_minutes": _l("Minutes it takes"), "cover": _l("Cover image"),
}
# What one item of a list is called ("Question 2").
ITEM_LABELS: dict[str, Any] = {
    "questions": _l("Question"), "options": _l("Option"), "categories": _l("Category"),
    "suggestions": _l("Suggestion"), "follow_ups": _l("Follow-up question"),
    "items": _l("Item"), "subscales": _l("Subscale"), "scale": _l("Answer"),
    "suggested_steps": _l("Small step"),
}
CHOICE_LABELS: dict[str, Any] = {
    "qualities": _l("qualities (I am)"), "skills": _l("skills (I can)"),
    "memories": _l("memories"), "resources": _l("resources (I have)"),
    "ambitions": _l("ambitions (I want)"), "sum": _l("sum"), "mean": _l("mean"),
    "adults": _l("adults"), "youth": _l("young people"), "parents": _l("parents"),
    "nl": _l("Dutch"), "en": _l("English"),
}
OPERATOR_LABELS: dict[str, Any] = {
    "equals": _l("is"), "one_of": _l("is one of"), "contains": _l("includes"),
    "at_least": _l("is at least"), "at_most": _l("is at most"),
}


def field_label(name: str) -> str:
    """The label of a field for people, in the page's language."""
    known = FIELD_LABELS.get(name)
    return str(known) if known is not None else name.replace("_", " ").capitalize()


def item_label(list_name: str) -> str:
    known = ITEM_LABELS.get(list_name)
    return str(known) if known is not None else _("Item")


def choice_label(value: str) -> str:
    known = CHOICE_LABELS.get(value)
    return str(known) if known is not None else value


# -- the forms of the module and of a lesson --------------------------------------------------

MODULE_FIELDS: tuple[AuthoringField, ...] = (
    AuthoringField("title", "text", True, _l("The module's name, as clients see it in the "
                                             "library.")),
    AuthoringField("summary", "text", True, _l("One or two sentences: what the client will "
                                               "gain.")),
    AuthoringField("languages", "list", True, _l("The languages the module is written in; the "
                                                 "first is its main language. Every text is "
                                                 "needed in each of them."),
                   choices=EDITOR_LANGUAGES),
    AuthoringField("audience", "list", True, _l("Who the module is written for."),
                   choices=AUDIENCES),
    AuthoringField("estimated_minutes", "integer", True, _l("About how many minutes the whole "
                                                            "module takes (1-600).")),
    AuthoringField("cover", "image", True, _l("The image on the module's card, with a text "
                                              "alternative."),
                   fields=tuple(authoring_fields(ImageSchema, {}))),
)
LESSON_FIELDS: tuple[AuthoringField, ...] = (
    AuthoringField("title", "text", True, _l("The lesson's name.")),
    AuthoringField("summary", "text", False, _l("A short line about the lesson (optional).")),
)
assert frozenset(f.name for f in MODULE_FIELDS) == MODULE_MANAGED
assert frozenset(f.name for f in LESSON_FIELDS) == LESSON_MANAGED


def step_fields(step_type: str) -> list[AuthoringField]:
    """The authoring fields of a registered step type."""
    return list(_fields_of(STEP_TYPES[step_type]))


@lru_cache(maxsize=128)
def _fields_of(kind: StepType) -> tuple[AuthoringField, ...]:
    # Built from the type's schema, which does not change while the app runs: once per type
    # (a type registered later, as in a test, is another object and gets its own entry).
    return tuple(kind.authoring_fields())


def step_managed(step_type: str) -> frozenset[str]:
    """The keys of a step the editor's form speaks for: its fields and its type."""
    return frozenset(f.name for f in step_fields(step_type)) | {"type"}


# -- conditions (show_if): what an earlier step can be tested on ------------------------------

@dataclass
class Target:
    """An earlier step a condition can test: the operators and values valid for it."""

    id: str
    label: str
    operators: list[str]
    # Per operator: the item values it accepts (option or suggestion ids, with labels) …
    values: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # … or the range of numbers it accepts (a scale's points, a questionnaire's total).
    ranges: dict[str, tuple[int, int]] = field(default_factory=dict)

    def numeric(self, operator: str) -> bool:
        return operator in self.ranges

    def as_json(self) -> dict[str, Any]:
        return {"label": self.label, "operators": [
            {"op": op, "label": str(OPERATOR_LABELS.get(op, op)),
             "values": [[v, label] for v, label in self.values.get(op, [])],
             "range": list(self.ranges[op]) if op in self.ranges else None}
            for op in self.operators]}


def _loaded(raw: Any, languages: list[str]) -> dict[str, Any] | None:
    with ModuleContext(CheckContext(languages=languages, media_dir=None)):
        try:
            step = StepField().deserialize(raw)
        except ValidationError:
            return None
    return step if isinstance(step, dict) else None


def _item_labels(step: Any, language: str) -> dict[str, str]:
    """Labels of the items with ids in a loaded step (an option's label, a question's text)."""
    labels: dict[str, str] = {}

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for child in value.values():
                walk(child)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    text = next((item[k] for k in ("label", "text", "question")
                                 if isinstance(item.get(k), Text)), None)
                    labels.setdefault(item["id"], text.in_language(language) if text
                                      else item["id"])
                walk(item)

    walk(step)
    return labels


# Numbers a condition is probed with to find the range it accepts.
_PROBE = range(-100, 1001)


# What a condition's value may be by the format (ShowIfSchema): these compare with numbers.
_NUMBER_OPERATORS = frozenset({"at_least", "at_most"})


def _accepts(step_type: Any, step: dict[str, Any], operator: str, value: Any) -> bool:
    """Whether the step's type accepts a condition with this operator and value."""
    if operator in _NUMBER_OPERATORS and isinstance(value, str):
        return False
    try:
        return step_type.condition_problem(
            step, operator, [value] if operator == "one_of" else value) is None
    except (TypeError, ValueError, KeyError):
        return False  # a probe the type never expects to see (the format rules it out)


def _number_range(step_type: Any, step: dict[str, Any], operator: str) -> tuple[int, int] | None:
    low = None
    for number in _PROBE:
        ok = _accepts(step_type, step, operator, number)
        if ok and low is None:
            low = number
        elif not ok and low is not None:
            return low, number - 1
    return (low, _PROBE[-1]) if low is not None else None


def target_of(raw: Any, languages: list[str], language: str) -> Target | None:
    """What a condition on step ``raw`` may test, asking its type (``condition_problem``)."""
    if not isinstance(raw, dict) or raw.get("type") not in STEP_TYPES:
        return None
    step_type = STEP_TYPES[raw["type"]]
    if not step_type.operators or not isinstance(raw.get("id"), str):
        return None
    name = step_label_text(raw, language)
    step = _loaded(raw, languages)
    if step is None:  # it has problems of its own: offer what its type offers
        return Target(raw["id"], name, sorted(step_type.operators))
    labels = _item_labels(step, language)
    target = Target(raw["id"], name, [])
    for operator in OPERATORS:
        if operator not in step_type.operators:
            continue
        values = [(item, labels.get(item, item)) for _where, item in item_ids(step)
                  if _accepts(step_type, step, operator, item)]
        values = list(dict.fromkeys(values))
        if values:
            target.values[operator] = values
        else:
            found = _number_range(step_type, step, operator)
            if found is None:
                continue
            target.ranges[operator] = found
        target.operators.append(operator)
    return target if target.operators else None


def step_label_text(raw: Any, language: str) -> str:
    """How the editor names a step: its number-free title or question, else its id."""
    if not isinstance(raw, dict):
        return "?"
    for key in ("title", "question", "prompt"):
        value = raw.get(key)
        if isinstance(value, dict) and value:
            text = value.get(language) or next(iter(value.values()))
            if isinstance(text, str) and text.strip():
                return f"{text.strip()[:60]} ({raw.get('id')})"
        if isinstance(value, str) and value.strip():
            return f"{value.strip()[:60]} ({raw.get('id')})"
    return str(raw.get("id"))


def module_steps(content: Mapping[str, Any]) -> list[tuple[str, int, dict[str, Any]]]:
    """Every step of ``content`` in module order, as (lesson id, place in the lesson, step)."""
    module = content.get("module")
    module = module if isinstance(module, dict) else {}
    lessons = content.get("lessons")
    lessons = lessons if isinstance(lessons, dict) else {}
    order = module.get("lessons")
    order = order if isinstance(order, list) else []
    found = []
    for lesson_id in [lesson for lesson in order if isinstance(lesson, str)]:
        lesson = lessons.get(lesson_id)
        steps = lesson.get("steps") if isinstance(lesson, dict) else None
        for index, step in enumerate(steps if isinstance(steps, list) else []):
            if isinstance(step, dict):
                found.append((lesson_id, index, step))
    return found


class Conditions:
    """The conditions' context on one page: which steps lie before which, and their targets."""

    def __init__(self, content: Mapping[str, Any], languages: list[str], language: str) -> None:
        self.order = [step.get("id") for _lesson, _index, step in module_steps(content)]
        self._raw = {step.get("id"): step for _lesson, _index, step in module_steps(content)
                     if isinstance(step.get("id"), str)}
        self._answerable = [sid for sid in self.order if isinstance(sid, str)
                            and getattr(STEP_TYPES.get(str(self._raw[sid].get("type"))),
                                        "answerable", False)]
        self.languages = languages
        self.language = language
        self._targets: dict[str, Target | None] = {}

    def target(self, step_id: str) -> Target | None:
        if step_id not in self._targets:
            self._targets[step_id] = target_of(self._raw.get(step_id), self.languages,
                                               self.language)
        return self._targets[step_id]

    def earlier(self, step_id: Any) -> list[str]:
        """Ids of the steps before ``step_id`` in the module (all of them when unknown)."""
        if step_id in self.order:
            return [sid for sid in self.order[:self.order.index(step_id)]
                    if isinstance(sid, str)]
        return [sid for sid in self.order if isinstance(sid, str)]

    def earlier_targets(self, step_id: Any) -> list[Target]:
        return [t for sid in self.earlier(step_id) if (t := self.target(sid)) is not None]

    def earlier_answerable(self, step_id: Any) -> list[tuple[str, str]]:
        earlier = set(self.earlier(step_id))
        return [(sid, step_label_text(self._raw[sid], self.language))
                for sid in self._answerable if sid in earlier]

    def as_json(self) -> str:
        """Every target on the page, for author.js to rebuild the operators and values."""
        data = {sid: target.as_json() for sid, target in self._targets.items() if target}
        return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _condition_value(raw: str, target: Target | None, operator: str) -> Any:
    raw = raw.strip()
    if target is not None and operator in target.values:
        return raw
    if _INTEGER.match(raw):
        return int(raw)
    if _NUMBER.match(raw):
        return float(raw)
    return raw


# -- JSON → form --------------------------------------------------------------------------

def _scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def to_form(fields: Sequence[AuthoringField], value: Any, prefix: str,
            languages: Sequence[str]) -> FormData:
    """The form fields that show ``value`` (a step, or the module's or a lesson's details)."""
    form: FormData = {}
    _fields_to_form(fields, value, prefix, languages, form)
    return form


def _fields_to_form(fields: Sequence[AuthoringField], value: Any, prefix: str,
                    languages: Sequence[str], form: FormData) -> None:
    data = value if isinstance(value, dict) else {}
    for spec in fields:
        if spec.name in data:
            _to_form(spec, data[spec.name], f"{prefix}.{spec.name}", languages, form)
        elif spec.kind == "boolean" and spec.default is True:
            form[f"{prefix}.{spec.name}"] = ["1"]  # left out: it is on by default


def _to_form(spec: AuthoringField, value: Any, name: str, languages: Sequence[str],
             form: FormData) -> None:
    kind = spec.kind
    if kind in ("text", "markdown"):
        if isinstance(value, str):
            form[f"{name}.{languages[0] if languages else 'nl'}"] = [value]
        elif isinstance(value, dict):
            for language, text in value.items():
                if isinstance(language, str) and _LANGUAGE.match(language):
                    form[f"{name}.{language}"] = [_scalar_text(text)]
    elif kind == "boolean":
        if value is True:
            form[name] = ["1"]
    elif kind in ("object", "image", "audio", "video"):
        _fields_to_form(spec.fields, value, name, languages, form)
    elif kind == "list" and spec.fields:
        for index, item in enumerate(value if isinstance(value, list) else []):
            form[f"{name}.{index}._item"] = ["1"]
            _fields_to_form(spec.fields, item, f"{name}.{index}", languages, form)
    elif kind in ("list", "step_ids"):
        items = [_scalar_text(v) for v in (value if isinstance(value, list) else [value])]
        if kind == "list" and not spec.choices:
            form[name] = ["\n".join(items)]
        else:
            form[name] = items
    elif kind == "show_if":
        condition = value if isinstance(value, dict) else {}
        form[f"{name}.step"] = [_scalar_text(condition.get("step"))]
        operator = next((op for op in condition if op != "step"), "")
        form[f"{name}.op"] = [str(operator)]
        if operator:
            raw = condition[operator]
            form[f"{name}.value"] = ([_scalar_text(v) for v in raw] if isinstance(raw, list)
                                     else [_scalar_text(raw)])
    else:
        form[name] = [_scalar_text(value)]


# -- form → JSON --------------------------------------------------------------------------

def _first(form: Mapping[str, list[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[0].replace("\r\n", "\n")


def _number(raw: str) -> Any:
    raw = raw.strip()
    if _INTEGER.match(raw):
        return int(raw)
    if _NUMBER.match(raw):
        return float(raw)
    return raw


_MISSING = object()


def from_form(fields: Sequence[AuthoringField], form: Mapping[str, list[str]], prefix: str,
              previous: Any = None, conditions: Conditions | None = None) -> dict[str, Any]:
    """The value the form fields under ``prefix`` stand for (the inverse of ``to_form``).

    Empty fields are left out, as are optional groups left empty and switches left at their
    default. ``previous`` (the stored value) keeps the order of multiple choices and steps to
    summarise as the author had it.
    """
    result: dict[str, Any] = {}
    before = previous if isinstance(previous, dict) else {}
    for spec in fields:
        value = _from_form(spec, form, f"{prefix}.{spec.name}", before.get(spec.name),
                           conditions)
        if value is not _MISSING:
            result[spec.name] = value
    return result


def _ordered(chosen: list[str], previous: Any, known: Sequence[str]) -> list[str]:
    before = [v for v in previous if isinstance(v, str)] if isinstance(previous, list) else []
    rank = {v: i for i, v in enumerate(dict.fromkeys([*before, *known]))}
    unique = list(dict.fromkeys(chosen))
    return sorted(unique, key=lambda v: (rank.get(v, len(rank)), unique.index(v)))


def _from_form(spec: AuthoringField, form: Mapping[str, list[str]], name: str, previous: Any,
               conditions: Conditions | None) -> Any:
    kind = spec.kind
    if kind in ("text", "markdown"):
        texts = {}
        for key in form:
            language = key[len(name) + 1:]
            if key.startswith(name + ".") and _LANGUAGE.match(language):
                text = _first(form, key)
                if text.strip():
                    texts[language] = text
        ordered = {lang: texts[lang] for lang in EDITOR_LANGUAGES if lang in texts}
        ordered.update({lang: text for lang, text in sorted(texts.items())
                        if lang not in ordered})
        return ordered or _MISSING
    if kind == "boolean":
        checked = "1" in (form.get(name) or [])
        default = bool(spec.default) if isinstance(spec.default, bool) else False
        return checked if checked != default or spec.required else _MISSING
    if kind in ("integer", "number"):
        raw = _first(form, name)
        return _number(raw) if raw.strip() else _MISSING
    if kind in ("id", "string", "media", "choice"):
        raw = _first(form, name)
        if kind in ("id", "media", "choice"):
            raw = raw.strip()
        return raw if raw.strip() else _MISSING
    if kind in ("object", "image", "audio", "video"):
        value = from_form(spec.fields, form, name, previous, conditions)
        return value if value else _MISSING
    if kind == "list" and spec.fields:
        indexes = sorted({int(key[len(name) + 1:].split(".", 1)[0]) for key in form
                          if key.startswith(name + ".")
                          and key[len(name) + 1:].split(".", 1)[0].isdigit()
                          and len(key[len(name) + 1:].split(".", 1)[0]) <= 4})
        before = previous if isinstance(previous, list) else []
        items = []
        for index in indexes:
            item_name = f"{name}.{index}"
            if not form.get(f"{item_name}._item"):
                continue
            old = before[index] if index < len(before) else None
            items.append(from_form(spec.fields, form, item_name, old, conditions))
        return items or _MISSING
    if kind == "list" and spec.choices:
        chosen = [v.strip() for v in form.get(name, []) if v.strip()]
        return _ordered(chosen, previous, [str(c) for c in spec.choices]) or _MISSING
    if kind == "list":
        lines = [line.strip() for line in _first(form, name).split("\n") if line.strip()]
        return lines or _MISSING
    if kind == "step_ids":
        chosen = [v.strip() for v in form.get(name, []) if v.strip()]
        known = [sid for sid in (conditions.order if conditions else []) if isinstance(sid, str)]
        return _ordered(chosen, previous, known) or _MISSING
    if kind == "show_if":
        step = _first(form, f"{name}.step").strip()
        if not step:
            return _MISSING
        condition: dict[str, Any] = {"step": step}
        operator = _first(form, f"{name}.op").strip()
        if operator:
            target = conditions.target(step) if conditions else None
            raws = [v for v in form.get(f"{name}.value", []) if v.strip()]
            if operator == "one_of":
                condition[operator] = [_condition_value(v, target, operator) for v in raws]
            else:
                condition[operator] = _condition_value(raws[0] if raws else "", target,
                                                       operator)
        return condition
    raw = _first(form, name)
    return raw if raw.strip() else _MISSING


# -- changes to lists, from the form's buttons ------------------------------------------------

def _fresh_item_id(list_name: str, items: list[Any]) -> str:
    base = list_name.replace("_", "-")
    base = base[:-3] + "y" if base.endswith("ies") else base.removesuffix("s")
    taken = {item.get("id") for item in items if isinstance(item, dict)}
    number = len(items) + 1
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _spec_at(fields: Sequence[AuthoringField], path: list[str]) -> AuthoringField | None:
    """The field at a form path (names and item indexes), or None."""
    current: Sequence[AuthoringField] = fields
    spec = None
    for part in path:
        if part.isdigit() and spec is not None and spec.kind == "list":
            continue
        spec = next((f for f in current if f.name == part), None)
        if spec is None:
            return None
        current = spec.fields
    return spec


def apply_list_op(fields: Sequence[AuthoringField], value: dict[str, Any], op: str,
                  path: list[str]) -> str | None:
    """Add, remove or move a list item inside ``value``; the form name to focus afterwards.

    ``op`` is ``add`` (``path`` names the list), ``remove``, ``up`` or ``down`` (``path`` ends
    with the item's index). Returns None when the path names nothing.
    """
    list_path = path if op == "add" else path[:-1]
    spec = _spec_at(fields, list_path)
    if spec is None or spec.kind != "list" or not spec.fields or not list_path:
        return None
    container: Any = value
    for part in list_path[:-1]:
        if part.isdigit():
            if not isinstance(container, list) or int(part) >= len(container):
                return None
            container = container[int(part)]
        else:
            if not isinstance(container, dict):
                return None
            container = container.setdefault(part, {})
    if not isinstance(container, dict):
        return None
    items = container.setdefault(list_path[-1], [])
    if not isinstance(items, list):
        return None
    here = ".".join(list_path)
    if op == "add":
        item: dict[str, Any] = {}
        if any(child.name == "id" for child in spec.fields):
            item["id"] = _fresh_item_id(spec.name, items)
        items.append(item)
        return f"{here}.{len(items) - 1}"
    if not path[-1].isdigit() or int(path[-1]) >= len(items):
        return None
    index = int(path[-1])
    if op == "remove":
        items.pop(index)
        return f"{here}._add"
    target = index - 1 if op == "up" else index + 1
    if not 0 <= target < len(items):
        return f"{here}.{index}"
    items[index], items[target] = items[target], items[index]
    return f"{here}.{target}"


def list_size(value: Any, path: Sequence[str]) -> int:
    """How many items the list at ``path`` (names and indexes) of ``value`` holds."""
    current = value
    for part in path:
        if isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        elif isinstance(current, dict):
            current = current.get(part)
        else:
            return 0
    return len(current) if isinstance(current, list) else 0


# -- nodes: the form as the templates draw it -------------------------------------------------

def html_id(name: str) -> str:
    """The HTML id of a form name: ``s3.title.nl`` → ``ed-s3-title-nl``."""
    return "ed-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)


@dataclass
class Option:
    value: str
    label: str
    selected: bool = False


@dataclass
class Entry:
    """One language of a translated text."""

    language: str
    name: str
    id: str
    value: str
    required: bool  # a language of the module
    missing: bool  # required, empty, and the field is needed (or written in another language)
    html: str = ""  # markdown: the rendered, sanitised preview


@dataclass
class Item:
    """One item of a list."""

    index: int
    name: str
    id: str
    label: str
    children: list[Node]
    first: bool
    last: bool


@dataclass
class ConditionEditor:
    """The ``show_if`` editor: an earlier step, an operator valid for it, a value."""

    targets: list[Option]
    operators: list[Option]
    control: str  # "select", "checks", "number" or "text"
    values: list[Option]
    value: str
    low: int | None = None
    high: int | None = None


@dataclass
class Node:
    """One field of an editor form."""

    kind: str
    name: str
    id: str
    label: str
    help: str
    required: bool
    anchor: str = ""  # the element a link to this field lands on
    value: str = ""
    checked: bool = False
    placeholder: str = ""
    options: list[Option] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    item_label: str = ""
    condition: ConditionEditor | None = None
    media_kind: str = ""  # media: image, audio, video or captions (for the file picker)

    @property
    def lines(self) -> int:
        return max(3, min(12, self.value.count("\n") + 2))


@dataclass
class NodeContext:
    """What nodes need to know beyond the form: the module's languages, conditions, the step."""

    languages: list[str]
    conditions: Conditions | None = None
    step_id: Any = None
    previews: bool = True  # render Markdown previews (not needed to index another page)


def _entry_languages(form: Mapping[str, list[str]], name: str) -> list[str]:
    extra = sorted({key[len(name) + 1:] for key in form if key.startswith(name + ".")
                    and _LANGUAGE.match(key[len(name) + 1:])} - set(EDITOR_LANGUAGES))
    return [*EDITOR_LANGUAGES, *extra]


def build_nodes(fields: Sequence[AuthoringField], form: Mapping[str, list[str]], prefix: str,
                context: NodeContext) -> list[Node]:
    """The nodes of the fields under ``prefix``, showing what ``form`` holds."""
    return [_node(spec, form, f"{prefix}.{spec.name}", context) for spec in fields]


def _node(spec: AuthoringField, form: Mapping[str, list[str]], name: str,
          context: NodeContext) -> Node:
    node = Node(kind=spec.kind, name=name, id=html_id(name), label=field_label(spec.name),
                help=str(spec.help), required=spec.required)
    node.anchor = node.id
    kind = spec.kind
    if kind in ("text", "markdown"):
        values = {lang: _first(form, f"{name}.{lang}") for lang in _entry_languages(form, name)}
        needed = spec.required or any(v.strip() for v in values.values())
        for language, text in values.items():
            required = language in context.languages
            entry = Entry(language, f"{name}.{language}", html_id(f"{name}.{language}"), text,
                          required, required and needed and not text.strip())
            if kind == "markdown" and context.previews:
                entry.html = render_markdown(text) if text.strip() else ""
            node.entries.append(entry)
        first = next((e for e in node.entries if e.missing), None) or next(
            (e for e in node.entries if e.required), node.entries[0])
        node.anchor = first.id
    elif kind == "boolean":
        node.checked = "1" in (form.get(name) or [])
    elif kind == "choice":
        current = _first(form, name).strip()
        choices = [str(c) for c in spec.choices]
        if current and current not in choices:
            choices.append(current)
        empty = (_("(default: %(value)s)", value=choice_label(str(spec.default)))
                 if spec.default is not None else _("(choose)"))
        node.options = [Option("", empty, not current)] + [
            Option(c, choice_label(c), c == current) for c in choices]
    elif kind in ("object", "image", "audio", "video"):
        node.children = build_nodes(spec.fields, form, name, context)
        for child in node.children:
            if child.kind == "media" and child.name.endswith(".src") and kind != "object":
                child.media_kind = kind  # an image's, audio's or video's own file
        node.anchor = node.children[0].anchor if node.children else node.id
    elif kind == "media":
        # The authoring field does not carry its media kind: "captions" are WebVTT, any other
        # file beside a medium (a video's poster) is an image; "src" is set by its parent.
        node.value = _first(form, name)
        node.media_kind = "captions" if spec.name == "captions" else "image"
    elif kind == "list" and spec.fields:
        node.item_label = item_label(spec.name)
        indexes = sorted({int(part) for key in form if key.startswith(name + ".")
                          for part in [key[len(name) + 1:].split(".", 1)[0]]
                          if part.isdigit() and len(part) <= 4
                          and form.get(f"{name}.{part}._item")})
        for position, index in enumerate(indexes):
            item_name = f"{name}.{index}"
            node.items.append(Item(
                index, item_name, html_id(item_name), f"{node.item_label} {position + 1}",
                build_nodes(spec.fields, form, item_name, context),
                position == 0, position == len(indexes) - 1))
        node.anchor = (node.items[0].children[0].anchor if node.items and node.items[0].children
                       else html_id(f"{name}._add"))
    elif kind == "list" and spec.choices:
        picked = set(form.get(name, []))
        choices = [str(c) for c in spec.choices]
        choices += sorted(c for c in picked if c not in choices and c)
        node.options = [Option(c, choice_label(c), c in picked) for c in choices]
        node.anchor = html_id(f"{name}.{choices[0]}") if choices else node.id
    elif kind == "list":
        node.value = _first(form, name)
    elif kind == "step_ids":
        chosen = [v for v in form.get(name, []) if v]
        offered = (context.conditions.earlier_answerable(context.step_id)
                   if context.conditions else [])
        offered_ids = {sid for sid, _label in offered}
        node.options = [Option(sid, label, sid in chosen) for sid, label in offered]
        node.options += [Option(sid, _("%(id)s (not an earlier step with an answer)", id=sid),
                                True) for sid in chosen if sid not in offered_ids]
        node.anchor = html_id(f"{name}.{node.options[0].value}") if node.options else node.id
    elif kind == "show_if":
        node.condition = _condition_editor(form, name, context)
        node.anchor = html_id(f"{name}.step")
    else:
        node.value = _first(form, name)
        if spec.default is not None and not isinstance(spec.default, bool):
            node.placeholder = _("default: %(value)s", value=spec.default)
    return node


def _condition_editor(form: Mapping[str, list[str]], name: str,
                      context: NodeContext) -> ConditionEditor:
    conditions = context.conditions
    chosen = _first(form, f"{name}.step").strip()
    operator = _first(form, f"{name}.op").strip()
    raw_values = [v for v in form.get(f"{name}.value", []) if v.strip()]
    targets = conditions.earlier_targets(context.step_id) if conditions else []
    options = [Option("", _("(always show this step)"), not chosen)]
    options += [Option(t.id, t.label, t.id == chosen) for t in targets]
    target = next((t for t in targets if t.id == chosen), None)
    if chosen and target is None:
        options.append(Option(chosen, _("%(id)s (not an earlier step a condition can test)",
                                        id=chosen), True))
    operators = list(target.operators) if target else list(OPERATORS)
    if operator and operator not in operators:
        operators.append(operator)
    if target and not operator:
        operator = operators[0]
    editor = ConditionEditor(
        targets=options,
        operators=[Option(op, str(OPERATOR_LABELS.get(op, op)), op == operator)
                   for op in operators],
        control="text", values=[], value=raw_values[0] if raw_values else "")
    if target is None:
        return editor
    if operator in target.values:
        editor.control = "checks" if operator == "one_of" else "select"
        offered = target.values[operator]
        editor.values = [Option(v, label, v in raw_values) for v, label in offered]
        known = {v for v, _label in offered}
        editor.values += [Option(v, v, True) for v in raw_values if v not in known]
    elif operator in target.ranges:
        editor.low, editor.high = target.ranges[operator]
        if operator == "one_of" and editor.high - editor.low <= 20:
            editor.control = "checks"
            editor.values = [Option(str(n), str(n), str(n) in raw_values)
                             for n in range(editor.low, editor.high + 1)]
        else:
            editor.control = "number"
    return editor


# -- the page as a whole: parts, edits, problems ---------------------------------------------

def part_prefixes(form: Mapping[str, list[str]]) -> list[str]:
    """The prefixes of the parts a submitted editor form holds, in page order."""
    found = [key[:-len("._key")] for key in form if key.endswith("._key")]
    prefixes = [p for p in found if _PREFIX.match(p)]
    return sorted(prefixes, key=lambda p: (p[0] != "m", p[0], int(p[1:] or 0)))


def part_spec(content: Mapping[str, Any], key: str, type_hint: str | None = None
              ) -> tuple[Sequence[AuthoringField], frozenset[str]] | None:
    """The fields and managed keys of a part: the module's, a lesson's, or a step's."""
    if key == "module":
        return MODULE_FIELDS, MODULE_MANAGED
    if key.startswith("lesson:"):
        return LESSON_FIELDS, LESSON_MANAGED
    if key.startswith("step:") and type_hint in STEP_TYPES:
        return step_fields(type_hint), step_managed(type_hint)
    return None


def part_form(fields: Sequence[AuthoringField], managed: frozenset[str], key: str,
              value: Any, prefix: str, languages: Sequence[str],
              conditions: Conditions | None = None, step_type: str | None = None) -> FormData:
    """The form of one stored part, with the hidden fields that tell it apart on saving."""
    form = to_form(fields, value, prefix, languages)
    shown = from_form(fields, form, prefix, value, conditions)
    if step_type:
        shown["type"] = step_type
    form[f"{prefix}._key"] = [key]
    form[f"{prefix}._base"] = [fingerprint(projection(value, managed))]
    form[f"{prefix}._shown"] = [fingerprint(shown)]
    if step_type:
        form[f"{prefix}._type"] = [step_type]
    return form


def stored_part(content: Mapping[str, Any], key: str) -> Any:
    """A part as stored (a lesson with the ids of its steps)."""
    return authoring.part(content, key)


def read_part(form: Mapping[str, list[str]], prefix: str, content: Mapping[str, Any],
              conditions: Conditions | None
              ) -> tuple[str, dict[str, Any], PartEdit | None] | None:
    """One part of a submitted form: its key, its value, and the edit it makes (or None)."""
    key = _first(form, f"{prefix}._key").strip()
    step_type = _first(form, f"{prefix}._type").strip() or None
    if prefix == "m" and key != "module":
        return None
    if prefix.startswith("l") and not key.startswith("lesson:"):
        return None
    if prefix.startswith("s") and not key.startswith("step:"):
        return None
    spec = part_spec(content, key, step_type)
    if spec is None:
        return None
    fields, managed = spec
    value = from_form(fields, form, prefix, stored_part(content, key), conditions)
    if step_type:
        value["type"] = step_type
    base = _first(form, f"{prefix}._base").strip() or None
    shown = _first(form, f"{prefix}._shown").strip()
    edit = PartEdit(key, value, base, managed)
    return key, value, edit if fingerprint(value) != shown else None


def page_edits(form: Mapping[str, list[str]], content: Mapping[str, Any],
               conditions: Conditions | None) -> tuple[dict[str, tuple[str, dict[str, Any]]],
                                                       list[PartEdit]]:
    """Every part of a submitted page (prefix → key and value) and the edits the author made.

    A part counts as edited when what the form now stands for differs from what it showed
    (``_shown``): a part the author left alone is never saved, so it cannot overwrite what
    someone else saved in the meantime.
    """
    parts: dict[str, tuple[str, dict[str, Any]]] = {}
    edits: list[PartEdit] = []
    for prefix in part_prefixes(form):
        found = read_part(form, prefix, content, conditions)
        if found is None:
            continue
        key, value, edit = found
        parts[prefix] = (key, value)
        if edit is not None:
            edits.append(edit)
    return parts, edits


class FieldIndex:
    """Where each field of the pages is: a problem's place → a page and an element id.

    ``loader(page, prefix)`` adds the fields of one part when a problem asks for a part not
    added yet, so only the parts with problems are ever built for pages not on screen.
    """

    def __init__(self, loader: Callable[[FieldIndex, str, str], None] | None = None) -> None:
        self._anchors: dict[tuple[str, str], str] = {}  # (page, id) → anchor id
        self._loaded: set[tuple[str, str]] = set()
        self._loader = loader

    def loaded(self, page: str, prefix: str) -> None:
        """Say that the fields of ``prefix`` on ``page`` are in the index already."""
        self._loaded.add((page, prefix))

    def add(self, page: str, nodes: Iterable[Node]) -> None:
        for node in _walk(nodes):
            self._anchors[(page, node.id)] = node.anchor
            for entry in node.entries:
                self._anchors[(page, entry.id)] = entry.id
            for item in node.items:
                first = item.children[0].anchor if item.children else item.id
                self._anchors[(page, item.id)] = first
            if node.condition is not None:
                value_id = html_id(node.name + ".value")
                for operator in OPERATORS:
                    self._anchors[(page, html_id(f"{node.name}.{operator}"))] = value_id
                self._anchors[(page, html_id(node.name + ".step"))] = node.anchor
            for option in node.options:
                self._anchors[(page, html_id(f"{node.name}.{option.value}"))] = html_id(
                    f"{node.name}.{option.value}")

    def add_element(self, page: str, element_id: str, anchor: str | None = None) -> None:
        self._anchors[(page, element_id)] = anchor or element_id

    def locate(self, page: str, prefix: str, path: Sequence[str | int]) -> tuple[str, str]:
        """(element id where messages go, id a link lands on) for a path inside a part."""
        if (page, prefix) not in self._loaded and self._loader is not None:
            self._loaded.add((page, prefix))
            self._loader(self, page, prefix)
        for length in range(len(path), -1, -1):
            candidate = html_id(".".join([prefix, *map(str, path[:length])]))
            if (page, candidate) in self._anchors:
                return candidate, self._anchors[(page, candidate)]
        card = html_id(prefix)
        return card, self._anchors.get((page, card), card)


def _walk(nodes: Iterable[Node]) -> Iterator[Node]:
    for node in nodes:
        yield node
        yield from _walk(node.children)
        for item in node.items:
            yield from _walk(item.children)


@dataclass
class Located:
    """A problem or warning with its place in the editor."""

    message: str
    path: str  # as the checker wrote it (file: path)
    page: str  # "overview" or "lesson:<id>"
    element: str  # the element id the message is shown by
    anchor: str  # where the link lands
    warning: bool = False
    suggestion: str | None = None


def locate(problem: Problem, content: Mapping[str, Any], index: FieldIndex,
           warning: bool = False, suggestion: str | None = None) -> Located:
    """A problem's page and field, from its file and JSON path (``problem_location``)."""
    where = problem_location(problem, content)
    try:
        parts = split_path(where.field_path) if where.field_path else []
    except ValueError:
        parts = []
    shown = f"{problem.file.split('/', 1)[-1]}: {problem.path}"
    order = lesson_ids(content)
    if where.lesson_id is None:
        if parts and parts[0] == "lessons":
            element = ("ed-l" + str(parts[1])) if len(parts) > 1 else "ed-lessons"
            return Located(problem.message, shown, "overview", element, element, warning,
                           suggestion)
        element, anchor = index.locate("overview", "m", parts)
        return Located(problem.message, shown, "overview", element, anchor, warning,
                       suggestion)
    if where.step_index is None:
        if (parts and parts[0] == "steps") or where.lesson_id not in order:
            page = f"lesson:{where.lesson_id}" if where.lesson_id in order else "overview"
            element = "ed-steps" if page != "overview" else "ed-lessons"
            return Located(problem.message, shown, page, element, element, warning, suggestion)
        prefix = f"l{order.index(where.lesson_id)}"
        element, anchor = index.locate("overview", prefix, parts)
        return Located(problem.message, shown, "overview", element, anchor, warning,
                       suggestion)
    page = f"lesson:{where.lesson_id}"
    element, anchor = index.locate(page, f"s{where.step_index}", parts)
    return Located(problem.message, shown, page, element, anchor, warning, suggestion)


def lesson_ids(content: Mapping[str, Any]) -> list[str]:
    """The lesson ids in the module's order (as far as readable)."""
    return authoring.lesson_order(content)


def module_languages(content: Mapping[str, Any]) -> list[str]:
    """The module's declared languages that the editor knows (Dutch first when unreadable)."""
    module = content.get("module")
    declared = module.get("languages") if isinstance(module, dict) else None
    found = [lang for lang in declared if isinstance(lang, str)] if isinstance(
        declared, list) else []
    return found or ["nl"]


# -- the parts of a page ----------------------------------------------------------------------

@dataclass
class PartView:
    """One part of an editor page: its prefix, which part it is, its form and its nodes."""

    prefix: str
    key: str
    step_type: str | None
    form: Mapping[str, list[str]]
    nodes: list[Node]

    @property
    def id(self) -> str:
        return html_id(self.prefix)

    @property
    def part_id(self) -> str:
        return self.key.partition(":")[2]

    @property
    def hidden(self) -> list[tuple[str, str]]:
        names = ("_key", "_base", "_shown", "_type")
        return [(f"{self.prefix}.{n}", _first(self.form, f"{self.prefix}.{n}")) for n in names
                if self.form.get(f"{self.prefix}.{n}")]

    def label(self, language: str) -> str:
        """The part named for people: a step by its type and title, a lesson by its title."""
        if self.step_type:
            value = from_form(step_fields(self.step_type), self.form, self.prefix)
            return step_label_text({**value, "id": value.get("id", self.part_id)}, language)
        title = from_form(LESSON_FIELDS, self.form, self.prefix).get("title") or {}
        return str(title.get(language) or next(iter(title.values()), "") or self.part_id)


def module_view(content: Mapping[str, Any], languages: list[str],
                form: Mapping[str, list[str]] | None = None) -> PartView:
    """The module's details on the overview page (from ``form`` when re-showing a post)."""
    if form is None or not form.get("m._key"):
        form = part_form(MODULE_FIELDS, MODULE_MANAGED, "module",
                         authoring.part(content, "module"), "m", languages)
    return PartView("m", "module", None, form,
                    build_nodes(MODULE_FIELDS, form, "m", NodeContext(languages)))


def lesson_views(content: Mapping[str, Any], languages: list[str],
                 form: Mapping[str, list[str]] | None = None) -> list[PartView]:
    """Each lesson's details on the overview page, in the module's order."""
    views = []
    posted = {_first(form, f"{p}._key"): p for p in part_prefixes(form)} if form else {}
    for index, lesson_id in enumerate(lesson_ids(content)):
        key, prefix = f"lesson:{lesson_id}", f"l{index}"
        data: Mapping[str, list[str]]
        if key in posted and form is not None:
            data = {name.replace(posted[key] + ".", prefix + ".", 1): values
                    for name, values in form.items() if name.startswith(posted[key] + ".")}
        else:
            data = part_form(LESSON_FIELDS, LESSON_MANAGED, key, authoring.part(content, key),
                             prefix, languages)
        views.append(PartView(prefix, key, None, data,
                              build_nodes(LESSON_FIELDS, data, prefix, NodeContext(languages))))
    return views


def step_views(content: Mapping[str, Any], lesson_id: str, languages: list[str],
               conditions: Conditions | None, form: Mapping[str, list[str]] | None = None,
               previews: bool = True, only: int | None = None) -> list[PartView]:
    """The steps of a lesson as editor cards (from ``form`` when re-showing a post)."""
    views = []
    if form is not None and any(p.startswith("s") for p in part_prefixes(form)):
        for prefix in [p for p in part_prefixes(form) if p.startswith("s")]:
            key = _first(form, f"{prefix}._key")
            step_type = _first(form, f"{prefix}._type")
            if not key.startswith("step:") or step_type not in STEP_TYPES:
                continue
            context = NodeContext(languages, conditions, _first(form, f"{prefix}.id").strip()
                                  or key.removeprefix("step:"), previews)
            views.append(PartView(prefix, key, step_type, form,
                                  build_nodes(step_fields(step_type), form, prefix, context)))
        return views
    lessons = content.get("lessons")
    lesson = lessons.get(lesson_id) if isinstance(lessons, dict) else None
    steps = lesson.get("steps") if isinstance(lesson, dict) else None
    for index, step in enumerate(steps if isinstance(steps, list) else []):
        if only is not None and index != only:
            continue
        kind = step.get("type") if isinstance(step, dict) else None
        if not isinstance(kind, str) or kind not in STEP_TYPES:
            continue  # the JSON view shows it; the checker names what is wrong
        prefix, key = f"s{index}", f"step:{step.get('id')}"
        fields = step_fields(kind)
        data = part_form(fields, step_managed(kind), key, step, prefix, languages,
                         conditions, kind)
        context = NodeContext(languages, conditions, step.get("id"), previews)
        views.append(PartView(prefix, key, kind, data,
                              build_nodes(fields, data, prefix, context)))
    return views


def unsupported_steps(content: Mapping[str, Any], lesson_id: str) -> list[tuple[int, str]]:
    """Steps of a lesson the form cannot show (no known type): (place, id), for the JSON view."""
    lessons = content.get("lessons")
    lesson = lessons.get(lesson_id) if isinstance(lessons, dict) else None
    steps = lesson.get("steps") if isinstance(lesson, dict) else None
    return [(index, str(step.get("id") if isinstance(step, dict) else "?"))
            for index, step in enumerate(steps if isinstance(steps, list) else [])
            if not isinstance(step, dict) or step.get("type") not in STEP_TYPES]


def differences(theirs: Any, mine: Any) -> list[tuple[str, str, str]]:
    """Where two versions of a part differ, for people: (field, theirs, mine) per value."""
    left, right = dict(_flat(theirs)), dict(_flat(mine))
    rows = []
    for path in list(dict.fromkeys([*left, *right])):
        if left.get(path) != right.get(path):
            rows.append((_path_label(path), left.get(path, "—"), right.get(path, "—")))
    return rows


def _flat(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flat(item, (*path, key))
    elif isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        for index, item in enumerate(value):
            yield from _flat(item, (*path, index))
    elif value is None:
        return
    else:
        yield path, (", ".join(_scalar_text(v) for v in value) if isinstance(value, list)
                     else _scalar_text(value))


def _path_label(path: tuple[Any, ...]) -> str:
    words: list[str] = []
    for part in path:
        if isinstance(part, int):
            words[-1:] = [f"{words[-1] if words else ''} {part + 1}".strip()]
        elif isinstance(part, str) and part in LANGUAGE_NAMES:
            words.append(f"({LANGUAGE_NAMES[part]})")
        else:
            words.append(field_label(str(part)))
    return " › ".join(words).replace(" › (", " (")
