"""What the module editor does to a draft, over ``services.authoring``'s part-based save.

The editor shows parts of a draft (the module's details, each lesson's details, each step) as
forms. Saving sends ``PartEdit``s: the fields of one part the form speaks for (``managed``), as
the author left them, and a fingerprint of those fields as the form showed them (``base``).
A part whose stored fields no longer match its base was changed by someone else since the page
was built: that is a ``DraftConflict`` with both versions, and nothing of the save is applied.
Every other part is left as it is, so two authors working on different steps both keep their
work, and a part the page merely shows is never written back.

Structural changes (add, move, duplicate, remove and restore steps and lessons) are
``Operation``s: they work on the draft as it is now, by id, never on a page's stale picture of
it, and are saved together with the edits of the same request.

The preview builds the module the way the player needs it (``preview_module``), as far as the
draft can be read: steps with problems are left out and named. Nothing here touches the request
or stores anything but the draft.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from ehealth.content.fields import CheckContext, ModuleContext, Text
from ehealth.content.loader import Lesson, Module, load_module_content
from ehealth.content.problems import Problem
from ehealth.content.schema import StepField, declared_languages
from ehealth.content.steps import STEP_TYPES
from ehealth.content.steps.authoring import AuthoringField
from ehealth.content.writing import AvoidWord, WritingWarning, writing_warnings
from ehealth.models import MediaFile, ModuleDraft, Organisation, User
from ehealth.services import authoring, writing_words
from ehealth.services.authoring import (
    LESSON_PREFIX,
    MODULE_PART,
    STEP_PREFIX,
    DraftConflict,
    InvalidChange,
    PartConflict,
    SavedDraft,
    parts_of,
)
from ehealth.services.progress import Place, Progress, find_place, visible_places

# The fields of the module's and a lesson's details that the editor's forms speak for; the
# rest (id, version, the order of lessons and steps) only changes through operations.
MODULE_MANAGED = frozenset({"title", "summary", "languages", "audience", "estimated_minutes",
                            "cover"})
LESSON_MANAGED = frozenset({"title", "summary"})
_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
MAX_JSON_CHARACTERS = 500_000


def fingerprint(value: Any) -> str:
    """A short, stable fingerprint of a JSON value (key order and formatting do not count)."""
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()[:32]


def projection(value: Any, managed: frozenset[str]) -> dict[str, Any] | None:
    """The ``managed`` fields of a part (None when the part does not exist)."""
    if not isinstance(value, dict):
        return None
    return {key: item for key, item in value.items() if key in managed}


@dataclass(frozen=True)
class PartEdit:
    """The fields of one part as the author left them in a form.

    ``key`` is the part as the page knew it (``"step:<id>"`` with the id it had then);
    ``base`` the fingerprint of the projection the page showed (None: a part the page added).
    For a step, ``lesson`` and ``index`` say where the page showed it, to put it back there if
    the author keeps their version of a step someone else removed.
    """

    key: str
    value: dict[str, Any]
    base: str | None
    managed: frozenset[str]
    lesson: str | None = None
    index: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "value": self.value, "base": self.base,
                "managed": sorted(self.managed), "lesson": self.lesson, "index": self.index}

    @classmethod
    def from_json(cls, data: Any) -> PartEdit:
        """An edit carried through a page (the conflict form); InvalidChange when malformed."""
        if (not isinstance(data, dict) or not isinstance(data.get("key"), str)
                or not isinstance(data.get("value"), dict)
                or not isinstance(data.get("managed"), list)
                or not all(isinstance(k, str) for k in data["managed"])
                or not isinstance(data.get("base"), str | None)
                or not isinstance(data.get("lesson"), str | None)
                or not (data.get("index") is None or (isinstance(data.get("index"), int)
                                                      and not isinstance(data["index"], bool)))):
            raise InvalidChange("The saved form could not be read: reload the page.")
        return cls(data["key"], data["value"], data["base"], frozenset(data["managed"]),
                   data.get("lesson"), data.get("index"))


# --- operations ----------------------------------------------------------------------------

@dataclass(frozen=True)
class AddStep:
    """A new step of a registered type at the end of a lesson (or after ``after``)."""

    lesson: str
    step_type: str
    after: str | None = None


@dataclass(frozen=True)
class MoveStep:
    """A step one place up (-1) or down (+1) in its lesson."""

    step: str
    offset: int


@dataclass(frozen=True)
class DuplicateStep:
    """A copy of a step, with a fresh id, right after it."""

    step: str


@dataclass(frozen=True)
class RemoveStep:
    step: str


@dataclass(frozen=True)
class RestoreStep:
    """A removed step back in its lesson (undo); a fresh id if its own was taken meanwhile."""

    lesson: str
    index: int
    step: dict[str, Any]


@dataclass(frozen=True)
class AddLesson:
    """A new lesson at the end of the module, opening with an opening step."""

    lesson: str
    title: dict[str, str]


@dataclass(frozen=True)
class MoveLesson:
    lesson: str
    offset: int


@dataclass(frozen=True)
class RemoveLesson:
    lesson: str


@dataclass(frozen=True)
class RestoreLesson:
    """A removed lesson, with its steps, back in its place (undo)."""

    index: int
    lesson: dict[str, Any]


Operation = (AddStep | MoveStep | DuplicateStep | RemoveStep | RestoreStep | AddLesson
             | MoveLesson | RemoveLesson | RestoreLesson)


@dataclass
class Removed:
    """What an operation removed, to undo it: a step (in a lesson) or a lesson."""

    kind: str  # "step" or "lesson"
    index: int
    value: dict[str, Any]
    lesson: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "index": self.index, "value": self.value,
                "lesson": self.lesson}


@dataclass
class EditOutcome:
    """A save of the editor: the draft now, its problems, and what the save did."""

    draft: ModuleDraft
    problems: list[Problem]
    saved: bool  # a new revision was made
    renamed: dict[str, str] = field(default_factory=dict)  # old part key → new part key
    focus: str | None = None  # the step or lesson id an operation added or moved
    removed: Removed | None = None


# --- the content, by hand ------------------------------------------------------------------

def _lessons(content: dict[str, Any]) -> dict[str, Any]:
    lessons = content.get("lessons")
    if not isinstance(lessons, dict):
        raise InvalidChange("This draft has no readable lessons.")
    return lessons


def _order(content: dict[str, Any]) -> list[Any]:
    module = content.get("module")
    if not isinstance(module, dict):
        raise InvalidChange("This draft has no readable module details.")
    order = module.get("lessons")
    if not isinstance(order, list):
        order = module["lessons"] = []
    return order


def _steps(content: dict[str, Any], lesson_id: str) -> list[Any]:
    lesson = _lessons(content).get(lesson_id)
    if not isinstance(lesson, dict):
        raise InvalidChange(f'There is no lesson "{lesson_id}" in this draft.')
    steps = lesson.get("steps")
    if not isinstance(steps, list):
        steps = lesson["steps"] = []
    return steps


def _find_step(content: dict[str, Any], step_id: str) -> tuple[str, int, dict[str, Any]]:
    for lesson_id, lesson in _lessons(content).items():
        steps = lesson.get("steps") if isinstance(lesson, dict) else None
        for index, step in enumerate(steps if isinstance(steps, list) else []):
            if isinstance(step, dict) and step.get("id") == step_id:
                return lesson_id, index, step
    raise InvalidChange(f'There is no step "{step_id}" in this draft (any more).')


def step_ids(content: Mapping[str, Any]) -> set[str]:
    """Every step id of the draft, in any lesson."""
    found = set()
    lessons = content.get("lessons")
    for lesson in (lessons.values() if isinstance(lessons, dict) else []):
        steps = lesson.get("steps") if isinstance(lesson, dict) else None
        for step in steps if isinstance(steps, list) else []:
            if isinstance(step, dict) and isinstance(step.get("id"), str):
                found.add(step["id"])
    return found


def fresh_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``…: the first that is not ``taken``."""
    plain = unicodedata.normalize("NFKD", base.lower()).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9_-]+", "-", plain).strip("-_")[:56] or "step"
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def module_languages(content: Mapping[str, Any]) -> list[str]:
    """The languages the draft declares (Dutch when it declares none it can use)."""
    return declared_languages(content.get("module")) or ["nl"]


def _keep_languages(fields: Sequence[AuthoringField], value: Any,
                    languages: Sequence[str]) -> None:
    """Drop the translations of ``value``'s texts in languages the module does not have."""
    if not isinstance(value, dict):
        return
    for spec in fields:
        item = value.get(spec.name)
        if spec.translated and isinstance(item, dict):
            kept = {lang: text for lang, text in item.items() if lang in languages}
            if kept:
                value[spec.name] = kept
            else:
                value.pop(spec.name)
        elif spec.fields and isinstance(item, dict):
            _keep_languages(spec.fields, item, languages)
        elif spec.fields and isinstance(item, list):
            for child in item:
                _keep_languages(spec.fields, child, languages)


def new_step(content: Mapping[str, Any], step_type: str, position_ids: Sequence[str]) -> dict:
    """A new step of ``step_type``: its type's example (``sample_step``) in the module's
    languages, with a fresh id. ``position_ids`` are the ids of the steps before it, for types
    that refer to earlier answers (the summary)."""
    if step_type not in STEP_TYPES:
        raise InvalidChange(f'There is no step type "{step_type}".')
    kind = STEP_TYPES[step_type]
    raw = {step.get("id"): step for step in _all_steps(content)}
    answered = [sid for sid in position_ids if isinstance(sid, str)
                and getattr(STEP_TYPES.get(str(raw.get(sid, {}).get("type"))), "answerable",
                            False)]
    step = copy.deepcopy(kind.sample_step(answered))
    _keep_languages(kind.authoring_fields(), step, module_languages(content))
    step["id"] = fresh_id(step_type, step_ids(content))
    step["type"] = step_type
    return step


def _all_steps(content: Mapping[str, Any]) -> list[dict[str, Any]]:
    found = []
    lessons = content.get("lessons")
    for lesson in (lessons.values() if isinstance(lessons, dict) else []):
        steps = lesson.get("steps") if isinstance(lesson, dict) else None
        found += [s for s in (steps if isinstance(steps, list) else []) if isinstance(s, dict)]
    return found


def _rename_references(content: dict[str, Any], old: str, new: str) -> None:
    """Conditions and summaries that name step ``old`` name ``new`` instead."""
    for step in _all_steps(content):
        condition = step.get("show_if")
        if isinstance(condition, dict) and condition.get("step") == old:
            condition["step"] = new
        kind = STEP_TYPES.get(str(step.get("type")))
        for spec in kind.authoring_fields() if kind else []:
            listed = step.get(spec.name)
            if spec.kind == "step_ids" and isinstance(listed, list):
                step[spec.name] = [new if item == old else item for item in listed]


def _merged(current: Any, edit: PartEdit) -> dict[str, Any]:
    kept = {k: v for k, v in current.items() if k not in edit.managed} if isinstance(
        current, dict) else {}
    return {**kept, **copy.deepcopy(edit.value)}


def _apply_edit(content: dict[str, Any], edit: PartEdit, renamed: dict[str, str]) -> None:
    if edit.key == MODULE_PART:
        content["module"] = _merged(content.get("module"), edit)
        return
    if edit.key.startswith(LESSON_PREFIX):
        lesson_id = edit.key.removeprefix(LESSON_PREFIX)
        lessons = _lessons(content)
        if lesson_id not in lessons:  # removed by someone else; the author keeps theirs
            _order(content).append(lesson_id)
            lessons[lesson_id] = {"id": lesson_id, **copy.deepcopy(edit.value), "steps": []}
            return
        merged = _merged(lessons[lesson_id], edit)
        merged["steps"] = lessons[lesson_id].get("steps", [])
        lessons[lesson_id] = merged
        return
    if not edit.key.startswith(STEP_PREFIX):
        raise InvalidChange(f'Unknown part "{edit.key}".')
    step_id = edit.key.removeprefix(STEP_PREFIX)
    new_id = edit.value.get("id")
    if not isinstance(new_id, str) or not new_id.strip():
        raise InvalidChange("Every step needs an id: lower-case letters and digits, joined "
                            "by - or _.")
    try:
        lesson_id, index, current = _find_step(content, step_id)
    except InvalidChange:
        if edit.lesson is None or edit.lesson not in _lessons(content):
            raise InvalidChange(f'The step "{step_id}" and its lesson were removed '
                                "meanwhile: there is nowhere to put it back.") from None
        lesson_id, current = edit.lesson, None
        index = min(edit.index or 0, len(_steps(content, lesson_id)))
        _steps(content, lesson_id).insert(index, {})
    if new_id != step_id and new_id in step_ids(content):
        raise InvalidChange(f'Another step already has the id "{new_id}": choose another.')
    _steps(content, lesson_id)[index] = _merged(current, edit)
    if new_id != step_id:
        renamed[edit.key] = STEP_PREFIX + new_id
        _rename_references(content, step_id, new_id)


def _move(items: list[Any], index: int, offset: int) -> int:
    target = index + offset
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
        return target
    return index


def _apply_operation(content: dict[str, Any], operation: Operation,
                     renamed: dict[str, str], outcome: EditOutcome) -> None:
    def current_id(step_id: str) -> str:
        return renamed.get(STEP_PREFIX + step_id, STEP_PREFIX + step_id).removeprefix(
            STEP_PREFIX)

    if isinstance(operation, AddStep):
        steps = _steps(content, operation.lesson)
        index = len(steps)
        if operation.after is not None:
            _lesson, place, _step = _find_step(content, current_id(operation.after))
            index = place + 1
        before: list[Any] = []
        for lesson_id in authoring.lesson_order(content):
            if lesson_id == operation.lesson:
                break
            before += [s.get("id") for s in _steps(content, lesson_id) if isinstance(s, dict)]
        before += [s.get("id") for s in steps[:index] if isinstance(s, dict)]
        step = new_step(content, operation.step_type, before)
        steps.insert(index, step)
        outcome.focus = step["id"]
    elif isinstance(operation, MoveStep):
        lesson_id, index, step = _find_step(content, current_id(operation.step))
        _move(_steps(content, lesson_id), index, operation.offset)
        outcome.focus = step["id"]
    elif isinstance(operation, DuplicateStep):
        lesson_id, index, step = _find_step(content, current_id(operation.step))
        copied = copy.deepcopy(step)
        copied["id"] = fresh_id(f"{step['id']}-copy", step_ids(content))
        _steps(content, lesson_id).insert(index + 1, copied)
        outcome.focus = copied["id"]
    elif isinstance(operation, RemoveStep):
        lesson_id, index, step = _find_step(content, current_id(operation.step))
        _steps(content, lesson_id).pop(index)
        outcome.removed = Removed("step", index, copy.deepcopy(step), lesson_id)
    elif isinstance(operation, RestoreStep):
        if not isinstance(operation.step, dict) or operation.step.get("type") not in STEP_TYPES:
            raise InvalidChange("This step cannot be put back: it is not a step.")
        steps = _steps(content, operation.lesson)
        step = copy.deepcopy(operation.step)
        step["id"] = fresh_id(str(step.get("id") or step["type"]), step_ids(content))
        steps.insert(max(0, min(operation.index, len(steps))), step)
        outcome.focus = step["id"]
    elif isinstance(operation, AddLesson):
        lesson_id = operation.lesson.strip()
        if not _SLUG.match(lesson_id) or len(lesson_id) > 64:
            raise InvalidChange("A lesson id is lower-case letters and digits joined by - or "
                                "_ (at most 64 characters), for example les-2.")
        if lesson_id in _lessons(content) or lesson_id in _order(content):
            raise InvalidChange(f'There is already a lesson "{lesson_id}".')
        languages = module_languages(content)
        title = {lang: text for lang, text in operation.title.items()
                 if lang in languages and text.strip()}
        opening = new_step(content, "opening", [])
        lesson: dict[str, Any] = {"id": lesson_id, "steps": [opening]}
        if title:
            lesson = {"id": lesson_id, "title": title, "steps": [opening]}
        _lessons(content)[lesson_id] = lesson
        _order(content).append(lesson_id)
        outcome.focus = lesson_id
    elif isinstance(operation, MoveLesson):
        order = _order(content)
        if operation.lesson not in order:
            raise InvalidChange(f'There is no lesson "{operation.lesson}" in this draft.')
        _move(order, order.index(operation.lesson), operation.offset)
        outcome.focus = operation.lesson
    elif isinstance(operation, RemoveLesson):
        order = _order(content)
        if operation.lesson not in _lessons(content):
            raise InvalidChange(f'There is no lesson "{operation.lesson}" in this draft.')
        index = order.index(operation.lesson) if operation.lesson in order else len(order)
        if operation.lesson in order:
            order.remove(operation.lesson)
        lesson = _lessons(content).pop(operation.lesson)
        outcome.removed = Removed("lesson", index, copy.deepcopy(lesson))
    elif isinstance(operation, RestoreLesson):
        lesson = copy.deepcopy(operation.lesson)
        if not isinstance(lesson, dict) or not isinstance(lesson.get("id"), str):
            raise InvalidChange("This lesson cannot be put back: it is not a lesson.")
        lesson_id = lesson["id"]
        if lesson_id in _lessons(content):
            raise InvalidChange(f'There is a lesson "{lesson_id}" again: it cannot be put back '
                                "under the same id.")
        taken = step_ids(content)
        listed = lesson.get("steps")
        for step in listed if isinstance(listed, list) else []:
            if isinstance(step, dict) and step.get("id") in taken:
                step["id"] = fresh_id(str(step["id"]), taken)
            if isinstance(step, dict) and isinstance(step.get("id"), str):
                taken.add(step["id"])
        order = _order(content)
        order.insert(max(0, min(operation.index, len(order))), lesson_id)
        _lessons(content)[lesson_id] = lesson
        outcome.focus = lesson_id


# --- saving ----------------------------------------------------------------------------------

def _changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    before, after = parts_of(old), parts_of(new)
    changes: dict[str, Any] = {key: None for key in before if key not in after}
    changes.update({key: value for key, value in after.items() if before.get(key) != value})
    return changes


def _conflicts(content: Mapping[str, Any], edits: Sequence[PartEdit]) -> list[PartConflict]:
    """The edits whose part someone else changed since the author's page showed it."""
    found = []
    for edit in edits:
        current = authoring.part(content, edit.key)
        if fingerprint(projection(current, edit.managed)) != (
                edit.base if edit.base is not None else fingerprint(None)):
            found.append(PartConflict(edit.key, _merged(current, edit), current))
    return found


def save_edits(author: User, draft_id: int, edits: Sequence[PartEdit],
               operation: Operation | None = None,
               media_dir: Path | None = None) -> EditOutcome:
    """Save the author's edits and then ``operation`` (if any) as one new revision.

    Raises DraftConflict (nothing applied) when a part someone else changed since the page
    showed it is among the edits, InvalidChange for a change that cannot be made (an id used
    twice, a step or lesson that is gone), and what ``authoring.save_draft`` raises.
    """
    draft = authoring.draft_of(author, draft_id)
    content = draft.content
    conflicts = _conflicts(content, edits)
    if conflicts:
        raise DraftConflict(conflicts, draft)
    changed = copy.deepcopy(content)
    renamed: dict[str, str] = {}
    for edit in edits:
        _apply_edit(changed, edit, renamed)
    outcome = EditOutcome(draft, [], False, renamed)
    if operation is not None:
        _apply_operation(changed, operation, renamed, outcome)
    changes = _changes(content, changed)
    revision = draft.revision
    # Based on the revision read above: anyone saving the same parts between that read and
    # this save makes it a DraftConflict in save_draft, so nothing is lost in that gap either.
    saved: SavedDraft = authoring.save_draft(author, draft_id, revision, changes, media_dir)
    outcome.draft, outcome.problems = saved.draft, saved.problems
    outcome.saved = saved.draft.revision != revision
    return outcome


def resolve(edits: Sequence[PartEdit], chosen: Mapping[str, str | None]) -> list[PartEdit]:
    """The edits of a conflicting save after the author chose, per part, whose version to keep.

    ``chosen`` maps each part in conflict to the fingerprint of the other version (as the
    author was shown it) when the author keeps their own, or to None when they keep the other
    version; edits of other parts stay as they were.
    """
    resolved = []
    for edit in edits:
        if edit.key not in chosen:
            resolved.append(edit)
        elif chosen[edit.key] is not None:
            resolved.append(replace(edit, base=chosen[edit.key]))
    return resolved


def conflict_base(conflict: PartConflict, managed: frozenset[str]) -> str:
    """The fingerprint an author's edit needs to replace ``conflict.theirs`` knowingly."""
    return fingerprint(projection(conflict.theirs, managed))


# --- a lesson as JSON ------------------------------------------------------------------------

def lesson_document(content: Mapping[str, Any], lesson_id: str) -> dict[str, Any]:
    """A lesson as its file holds it: its details and its steps."""
    lessons = content.get("lessons")
    lesson = lessons.get(lesson_id) if isinstance(lessons, dict) else None
    if not isinstance(lesson, dict):
        raise InvalidChange(f'There is no lesson "{lesson_id}" in this draft.')
    return copy.deepcopy(lesson)


def lesson_json(content: Mapping[str, Any], lesson_id: str) -> str:
    """The lesson as the JSON view shows it: two-space indents, non-ASCII as written."""
    return json.dumps(lesson_document(content, lesson_id), indent=2, ensure_ascii=False) + "\n"


def lesson_base(content: Mapping[str, Any], lesson_id: str) -> str:
    """The fingerprint of a lesson and its steps (the JSON view's revision check)."""
    return fingerprint(lesson_document(content, lesson_id))


def duplicate_ids(document: dict[str, Any], content: Mapping[str, Any],
                  lesson_id: str) -> list[str]:
    """Why the step ids of a lesson document cannot be saved: one message per clash."""
    messages = []
    steps = document.get("steps")
    seen: dict[str, int] = {}
    others: dict[str, str] = {}
    for other_id, other in (content.get("lessons") or {}).items():
        if other_id == lesson_id or not isinstance(other, dict):
            continue
        listed = other.get("steps")
        for step in listed if isinstance(listed, list) else []:
            if isinstance(step, dict) and isinstance(step.get("id"), str):
                others[step["id"]] = other_id
    for index, step in enumerate(steps if isinstance(steps, list) else []):
        step_id = step.get("id") if isinstance(step, dict) else None
        if not isinstance(step_id, str):
            messages.append(f'steps[{index}] has no "id": every step needs one.')
            continue
        if step_id in seen:
            messages.append(f'The step id "{step_id}" is used twice in this lesson: at '
                            f"steps[{seen[step_id]}] and steps[{index}].")
        elif step_id in others:
            messages.append(f'The step id "{step_id}" (steps[{index}]) is already used in the '
                            f'lesson "{others[step_id]}".')
        seen.setdefault(step_id, index)
    return messages


def replace_lesson(author: User, draft_id: int, lesson_id: str, document: Any, base: str,
                   media_dir: Path | None = None) -> SavedDraft:
    """Save a lesson written as JSON (the JSON view): its details and all its steps.

    ``base`` is ``lesson_base`` of the lesson as the view showed it; a lesson changed since is a
    DraftConflict with both versions. A document that is not a lesson with unique step ids is
    refused with InvalidChange saying why; anything else is saved, problems and all.
    """
    draft = authoring.draft_of(author, draft_id)
    content = draft.content
    if not isinstance(document, dict):
        raise InvalidChange("A lesson is a JSON object {…} with its id, title and steps.")
    if document.get("id", lesson_id) != lesson_id:
        raise InvalidChange(f'Keep "id": "{lesson_id}": a lesson\'s id is set in the module '
                            "(its lessons list).")
    if not isinstance(document.get("steps"), list):
        raise InvalidChange('A lesson needs "steps": a list of steps [{…}, …].')
    if not all(isinstance(step, dict) for step in document["steps"]):
        raise InvalidChange("Every step in \"steps\" is a JSON object {…}.")
    clashes = duplicate_ids(document, content, lesson_id)
    if clashes:
        raise InvalidChange(" ".join(clashes))
    current = lesson_document(content, lesson_id)
    if fingerprint(current) != base:
        raise DraftConflict([PartConflict(LESSON_PREFIX + lesson_id, document, current)], draft)
    changed = copy.deepcopy(content)
    changed["lessons"][lesson_id] = {"id": lesson_id, **copy.deepcopy(document)}
    return authoring.save_draft(author, draft_id, draft.revision, _changes(content, changed),
                                media_dir)


# --- checks --------------------------------------------------------------------------------

def avoid_words(organisation: Organisation) -> list[AvoidWord]:
    """The organisation's own words to avoid (kept by its admins: ``services.writing_words``)."""
    return writing_words.words_of(organisation)


@dataclass
class Checked:
    """What the checks say about a draft: problems (to fix) and writing warnings (advice)."""

    problems: list[Problem]
    warnings: list[WritingWarning]


def check_draft(draft: ModuleDraft, media_dir: Path | None,
                problems: list[Problem] | None = None) -> Checked:
    """The checker's problems (``problems`` when a save just computed them) and the writing
    warnings, with the organisation's own words to avoid."""
    organisation: Organisation = draft.organisation
    if problems is None:
        problems = authoring.check_content(draft.content, media_dir,
                                           uploads=MediaFile.paths_of(organisation))
    return Checked(problems, writing_warnings(draft.content, avoid_words(organisation)))


# --- the preview ---------------------------------------------------------------------------

@dataclass
class Skipped:
    """A step the preview leaves out, and why (in English, as the checker says it)."""

    lesson: str
    step: str
    reason: str


@dataclass
class PreviewModule:
    """The draft as the player shows it: the steps that can be read; the rest left out."""

    module: Module | None
    skipped: list[Skipped]
    complete: bool  # the whole draft loads (no problems)


def _text(value: Any, languages: list[str], fallback: str) -> Text:
    if isinstance(value, dict):
        texts = {k: v for k, v in value.items() if k in languages and isinstance(v, str)
                 and v.strip()}
        if texts:
            return Text(texts)
    if isinstance(value, str) and value.strip():
        return Text({languages[0]: value})
    return Text({languages[0]: fallback})


def preview_module(content: Mapping[str, Any], media_dir: Path | None,
                   uploads: frozenset[str] | None = None) -> PreviewModule:
    """The module the preview plays: the whole draft when it has no problems, else every step
    that passes its own checks (and whose condition can work), with the others named."""
    result = load_module_content(dict(content), media_dir, uploads=uploads)
    if result.module is not None:
        return PreviewModule(result.module, [], True)
    found = content.get("module")
    module_doc: dict[str, Any] = found if isinstance(found, dict) else {}
    languages = module_languages(content)
    field = StepField()
    lessons: list[Lesson] = []
    skipped: list[Skipped] = []
    kept: dict[str, dict[str, Any]] = {}
    with ModuleContext(CheckContext(languages=languages, media_dir=None)):
        for lesson_id in authoring.lesson_order(content):
            raw_lesson = content["lessons"][lesson_id]
            steps = []
            for raw in raw_lesson.get("steps") if isinstance(raw_lesson.get("steps"),
                                                             list) else []:
                label = str(raw.get("id")) if isinstance(raw, dict) else "?"
                try:
                    step = field.deserialize(raw)
                except ValidationError as error:
                    skipped.append(Skipped(lesson_id, label, _first_message(error.messages)))
                    continue
                if step["id"] in kept:
                    skipped.append(Skipped(lesson_id, label, "Its id is used twice."))
                    continue
                reason = _reference_problem(step, kept)
                if reason:
                    skipped.append(Skipped(lesson_id, label, reason))
                    continue
                kept[step["id"]] = step
                steps.append(step)
            if steps:
                lessons.append(Lesson(lesson_id, _text(raw_lesson.get("title"), languages,
                                                       lesson_id), None, steps))
    if not lessons:
        return PreviewModule(None, skipped, False)
    module = Module(
        id=str(module_doc.get("id", "draft")), version=str(module_doc.get("version", "0.0.0")),
        languages=languages, title=_text(module_doc.get("title"), languages, "?"),
        summary=_text(module_doc.get("summary"), languages, ""),
        audience=["adults"], estimated_minutes=1, cover={}, lessons=lessons,
        content=dict(content), content_hash=fingerprint(dict(content)))
    return PreviewModule(module, skipped, False)


def _first_message(messages: Any, path: str = "") -> str:
    if isinstance(messages, dict):
        for key, value in messages.items():
            return _first_message(value, f"{path}.{key}" if path else str(key))
    if isinstance(messages, list) and messages:
        return _first_message(messages[0], path)
    return f"{path}: {messages}" if path else str(messages)


def _reference_problem(step: dict[str, Any], kept: dict[str, dict[str, Any]]) -> str | None:
    condition = step.get("show_if")
    if condition:
        target = kept.get(condition["step"])
        if target is None:
            return f'Its condition tests step "{condition["step"]}", which is not shown before it.'
        operator = next(op for op in condition if op != "step")
        problem = STEP_TYPES[target["type"]].condition_problem(target, operator,
                                                               condition[operator])
        if problem:
            return problem
    if step["type"] == "summary":
        step["steps"] = [ref for ref in step["steps"] if ref in kept]
    return None


# --- playing the preview -------------------------------------------------------------------

@dataclass
class PreviewView:
    """What the player's page reads of an assignment, for a preview: no assignment at all."""

    module: Module
    places: list[Place]
    progress: Progress
    answers: dict[str, Any]


@dataclass
class PreviewStep:
    """Where the preview goes after the author pressed Back, Save or Next on a step."""

    view: PreviewView
    place: Place | None  # None: past the last step (the end of the module)
    errors: Any = None  # the answer does not fit the step: stay, with these messages
    missing: int = 0  # the step asks for this many more items first


def preview_answers(module: Module, raw: str) -> dict[str, Any]:
    """The preview's answers from the form's hidden field, each checked against its step.

    What does not parse, or does not fit its step, is left out: the field travels through the
    author's browser, and the preview must not break on what comes back.
    """
    try:
        data = json.loads(raw) if raw and len(raw) <= MAX_JSON_CHARACTERS else {}
    except (ValueError, RecursionError):
        data = {}
    answers: dict[str, Any] = {}
    for step_id, value in (data.items() if isinstance(data, dict) else []):
        step = module.steps_by_id.get(step_id) if isinstance(step_id, str) else None
        if step is None or not STEP_TYPES[step["type"]].answerable:
            continue
        try:
            answers[step_id] = STEP_TYPES[step["type"]].validate_answer(step, value)
        except ValidationError:
            continue
    return answers


def _preview_view(module: Module, answers: dict[str, Any], at: str | None) -> PreviewView:
    places = visible_places(module, answers)
    index = next((p.index for p in places if p.step["id"] == at), 0)
    return PreviewView(module, places, Progress(index, len(places)), answers)


def preview_start(module: Module, step_id: str | None,
                  answers: dict[str, Any] | None = None) -> PreviewStep:
    """The preview at ``step_id`` (the first visible step when it is hidden or unknown)."""
    answers = answers or {}
    view = _preview_view(module, answers, step_id)
    place = find_place(view.places, step_id) or (view.places[0] if view.places else None)
    return PreviewStep(_preview_view(module, answers, place.step["id"] if place else None),
                       place)


def preview_submit(module: Module, answers: dict[str, Any], step_id: str, action: str,
                   form: Mapping[str, list[str]]) -> PreviewStep:
    """The player's Back, Save and Next in the preview, with the answers kept in the page.

    As ``services.assignments.submit_step`` does for a client, except that nothing is stored:
    the answer is validated by its step type and kept in ``answers``; conditions follow it.
    """
    answers = dict(answers)
    view = _preview_view(module, answers, step_id)
    place = find_place(view.places, step_id)
    if place is None:
        return preview_start(module, None, answers)
    step = place.step
    step_type = STEP_TYPES[step["type"]]
    stays = False
    if step_type.answerable:
        value = step_type.from_form(step, dict(form))
        try:
            data = step_type.validate_answer(step, value)
        except ValidationError as error:
            return PreviewStep(view, place, errors=error.messages)
        data.pop("private", None)
        if step_type.is_answered(data):
            answers[step["id"]] = data
        else:
            answers.pop(step["id"], None)
        shown = form.get("shown_value") or [""]
        stays = step_type.shows_more_after_save(step, data, {"shown_value": list(shown)})
    view = _preview_view(module, answers, step["id"])
    place = find_place(view.places, step["id"]) or place
    if action == "save" or stays:
        return PreviewStep(view, place)
    if action == "back":
        target = view.places[place.index - 1] if place.index > 0 else place
        return PreviewStep(_preview_view(module, answers, target.step["id"]), target)
    missing = step_type.shortfall(step, answers.get(step["id"]))
    if missing:
        return PreviewStep(view, place, missing=missing)
    if place.index + 1 < len(view.places):
        target = view.places[place.index + 1]
        return PreviewStep(_preview_view(module, answers, target.step["id"]), target)
    return PreviewStep(PreviewView(module, view.places, Progress(len(view.places),
                                                                 len(view.places)), answers),
                       None)
