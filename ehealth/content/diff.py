"""What changed between two versions of a module: for the reviewer, and for the version number.

``diff_modules`` compares stored content (``{"module": …, "lessons": {…}}``), published or a
draft that does not pass the checker yet: it never raises on content of the wrong shape. Lessons
are matched by lesson id, steps by step id across the whole module (answers are stored by step
id, so a step that keeps its id is the same step wherever it moves). A changed step lists each
changed field by its JSON path inside the step, as the checker writes paths; a translated text
lists each language with its old and new text, and ``inline_diff`` splits the two into words
kept, removed and added, as plain segments a template escapes like any other text.

``propose_version`` turns a diff into the next version number:

- **major**: a step removed or its type changed, or a change that answers given before may not
  fit (the step type decides: ``StepType.answer_shape_changes``), or a language removed;
- **minor**: anything else that is more than wording: a step or lesson added, moved or removed
  (without removing steps), an option or question added, a condition, a feedback moment, …;
- **patch**: wording only: texts, hints, media and their descriptions, the estimated time.

The author may raise it further; ``version_problem`` says when a chosen number is too low.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, NamedTuple, TypeVar

from marshmallow import ValidationError, fields

from ehealth.content.fields import (
    AudioSchema,
    CheckContext,
    ImageSchema,
    MediaPath,
    ModuleContext,
    StrictString,
    TextField,
    VideoSchema,
)
from ehealth.content.schema import (
    VERSION,
    LessonSchema,
    ModuleSchema,
    StepField,
    declared_languages,
    version_key,
)
from ehealth.content.steps import STEP_TYPES
from ehealth.content.walk import (
    Position,
    Walk,
    lesson_documents,
    lesson_order,
    module_document,
    path_text,
    schema_values,
    step_values,
)

EQUAL = "equal"  # a piece of text both versions share (inline_diff)
ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"
UNCHANGED = "unchanged"
REORDERED = "reordered"  # a list of items with ids, same items in another order

NONE, PATCH, MINOR, MAJOR = "none", "patch", "minor", "major"
LEVELS = (NONE, PATCH, MINOR, MAJOR)
FIRST_VERSION = "1.0.0"

# Keys that are not content (``$schema``) or that the diff shows in its own way.
_MODULE_SKIP = frozenset({"$schema", "lessons", "version"})
_LESSON_SKIP = frozenset({"$schema", "id", "steps"})
_STEP_SKIP = frozenset({"id"})
_MEDIA_SCHEMAS = (ImageSchema, AudioSchema, VideoSchema)
_DEFAULT_LANGUAGE = "nl"  # what a plain string counts as when a module declares no languages


class _Missing:
    """A key or item that is not there on one side."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


# -- words ---------------------------------------------------------------------------------------


class Segment(NamedTuple):
    """A piece of an inline diff: ``kind`` is "equal", "removed" or "added"; ``text`` is plain
    text, never HTML (a template escapes it)."""

    kind: str
    text: str


_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")
MAX_DIFF_TOKENS = 5_000  # beyond this the two texts are shown whole, one removed, one added


def inline_diff(old: str, new: str) -> list[Segment]:
    """Word by word: what ``old`` and ``new`` share, and what was removed and added.

    Joining the "equal" and "removed" segments gives ``old``; "equal" and "added" give ``new``.
    Spaces between two changed words belong to the change, so "the big dog" → "the small cat"
    reads as one change, "big dog" → "small cat".
    """
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    if len(a) + len(b) > MAX_DIFF_TOKENS:
        return [s for s in (Segment(REMOVED, old), Segment(ADDED, new)) if s.text]
    # Each run as (removed, added); kept text has the same words on both sides.
    runs: list[tuple[bool, str, str]] = []  # (equal?, text of old, text of new)
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        runs.append((tag == "equal", "".join(a[i1:i2]), "".join(b[j1:j2])))
    merged: list[tuple[bool, str, str]] = []
    for index, (equal, before, after) in enumerate(runs):
        between_changes = (
            equal and not before.strip() and 0 < index < len(runs) - 1
            and not runs[index - 1][0] and not runs[index + 1][0]
        )
        if merged and not merged[-1][0] and (not equal or between_changes):
            _, old_text, new_text = merged[-1]
            merged[-1] = (False, old_text + before, new_text + after)
        else:
            merged.append((equal and not between_changes, before, after))
    segments: list[Segment] = []
    for equal, before, after in merged:
        if equal:
            segments.append(Segment(EQUAL, before))
            continue
        if before:
            segments.append(Segment(REMOVED, before))
        if after:
            segments.append(Segment(ADDED, after))
    return segments


# -- what changed --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextChange:
    """One language of a translated text: the old and the new text (None: not there)."""

    language: str
    old: str | None
    new: str | None

    @property
    def kind(self) -> str:
        """"added", "removed" or "changed"."""
        if self.old is None:
            return ADDED
        return REMOVED if self.new is None else CHANGED

    @property
    def segments(self) -> list[Segment]:
        """The change word by word (see ``inline_diff``)."""
        return inline_diff(self.old or "", self.new or "")


@dataclass(frozen=True)
class FieldChange:
    """One changed field, by its JSON path inside the step (or lesson, or ``module.json``).

    ``kind`` is "added", "removed", "changed" or "reordered" (``old`` and ``new`` are then the
    item ids in their order). ``wording`` marks texts, hints, media and their descriptions.
    For a translated text, ``texts`` holds each language that differs, side by side.
    """

    path: str
    kind: str
    old: Any
    new: Any
    wording: bool = False
    texts: tuple[TextChange, ...] = ()

    @property
    def field(self) -> str:
        """The top-level field the change is in ("options" for ``options[1].label``)."""
        return re.split(r"[.\[]", self.path, maxsplit=1)[0]


@dataclass(frozen=True)
class StepDiff:
    """One step: where it was and is, and what changed in it.

    Steps without a usable id (a draft may have one) are matched by place, under the key
    ``<lesson id>#<index>``.
    """

    step_id: str
    status: str  # "added", "removed", "changed" (a field) or "unchanged" (maybe moved)
    type: str | None  # the type now (before, for a removed step)
    old_type: str | None
    lesson_id: str  # the lesson it is in now (was in, for a removed step)
    old_lesson_id: str | None
    index: int | None  # its place in that lesson now
    old_index: int | None
    moved: bool  # to another lesson, or to another place among the steps it was with
    changes: tuple[FieldChange, ...] = ()
    old: Any = None  # the step as written before (None: added)
    new: Any = None  # the step as written now (None: removed)

    @property
    def type_changed(self) -> bool:
        """Whether both versions have the step, with different types."""
        return self.status == CHANGED and self.type != self.old_type

    @property
    def touched(self) -> bool:
        """Whether anything happened to the step: added, removed, changed or moved."""
        return self.status != UNCHANGED or self.moved


@dataclass(frozen=True)
class LessonDiff:
    """One lesson: its own fields (title, summary) and its steps, in their order now.

    A removed step stands where it was, after the step it followed; a removed lesson lists the
    steps that left the module with it (a step moved to another lesson is listed there).
    """

    lesson_id: str
    status: str  # "added", "removed", "changed" (its fields or steps) or "unchanged" (maybe moved)
    index: int | None
    old_index: int | None
    moved: bool
    changes: tuple[FieldChange, ...]
    steps: tuple[StepDiff, ...]

    @property
    def renamed(self) -> bool:
        """Whether the lesson's title changed."""
        return any(change.field == "title" for change in self.changes)

    @property
    def touched(self) -> bool:
        """Whether anything happened to the lesson or one of its steps."""
        return self.status != UNCHANGED or self.moved


@dataclass(frozen=True)
class ModuleDiff:
    """Every change between two versions of a module, per lesson and per step."""

    module_id: str | None
    old_version: str | None
    new_version: str | None
    new_module: bool  # nothing to compare with: everything is added
    languages: tuple[str, ...]  # the languages to show side by side, the new ones first
    details: tuple[FieldChange, ...]  # module.json, except "lessons" and "version"
    lessons: tuple[LessonDiff, ...]  # in the new order, removed lessons where they were

    @property
    def changed(self) -> bool:
        """Whether the content differs at all (the version number aside)."""
        return bool(self.details) or any(lesson.touched for lesson in self.lessons)

    def steps(self) -> Iterator[StepDiff]:
        """Every step of both versions, lesson by lesson."""
        for lesson in self.lessons:
            yield from lesson.steps

    def steps_with(self, status: str) -> list[StepDiff]:
        """The steps with one status ("added", "removed", "changed" or "unchanged")."""
        return [step for step in self.steps() if step.status == status]

    @property
    def moved_steps(self) -> list[StepDiff]:
        """Steps that moved (whether or not they also changed)."""
        return [step for step in self.steps() if step.moved]


# -- comparing values ----------------------------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    """JSON equality: key order does not count, ``true`` is not ``1``."""
    if a is MISSING or b is MISSING:
        return a is b
    return _canonical(a) == _canonical(b)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=True, default=str)


def _is_text_shaped(value: Any) -> bool:
    return isinstance(value, str) or (
        isinstance(value, dict) and bool(value)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()))


def _looks_translated(value: Any) -> bool:
    """A value no schema describes (an unknown step type) that reads as {"nl": …, "en": …}."""
    return (isinstance(value, dict) and bool(value) and "id" not in value
            and all(isinstance(k, str) and re.fullmatch(r"[a-z]{2}", k) for k in value)
            and all(isinstance(v, str) for v in value.values()))


@dataclass
class _Shape:
    """What the schemas say about the positions in the documents being compared."""

    texts: set[Position]  # translated texts
    wording: set[Position]  # texts, plain strings, media and everything inside media
    known: set[Position]  # every position some schema describes

    @classmethod
    def of(cls, *walks: Walk) -> _Shape:
        shape = cls(set(), set(), set())
        for walk in walks:
            for path, field, _value in walk:
                shape.known.add(path)
                if isinstance(field, TextField):
                    shape.texts.add(path)
                if isinstance(field, TextField | StrictString | MediaPath) or (
                    isinstance(field, fields.Nested)
                    and isinstance(field.schema, _MEDIA_SCHEMAS)
                ):
                    shape.wording.add(path)
        return shape

    def is_wording(self, path: Position) -> bool:
        return any(path[:length] in self.wording for length in range(1, len(path) + 1))


@dataclass(frozen=True)
class _Languages:
    old: tuple[str, ...]
    new: tuple[str, ...]

    def by_language(self, value: Any, languages: tuple[str, ...]) -> dict[str, str]:
        if value is MISSING:
            return {}
        if isinstance(value, str):
            return {languages[0] if languages else _DEFAULT_LANGUAGE: value}
        return dict(value)

    def texts(self, old: Any, new: Any) -> tuple[TextChange, ...]:
        before = self.by_language(old, self.old)
        after = self.by_language(new, self.new)
        order = dict.fromkeys([*self.new, *self.old, *after, *before])
        return tuple(TextChange(language, before.get(language), after.get(language))
                     for language in order if before.get(language) != after.get(language))


def _item_ids(items: Any) -> list[str] | None:
    """The ids of a list of objects that each have a different string id, else None."""
    if not isinstance(items, list):
        return None
    ids = [item.get("id") if isinstance(item, dict) else None for item in items]
    if not all(isinstance(i, str) for i in ids) or len(set(ids)) != len(ids):
        return None
    return [i for i in ids if isinstance(i, str)]


class _Differ:
    """Collects the FieldChanges between two documents of one kind (a step, a lesson, …)."""

    def __init__(self, shape: _Shape, languages: _Languages) -> None:
        self.shape = shape
        self.languages = languages
        self.changes: list[FieldChange] = []

    def add(self, path: Position, kind: str, old: Any, new: Any,
            texts: tuple[TextChange, ...] = ()) -> None:
        self.changes.append(FieldChange(
            path_text(path), kind, None if old is MISSING else old,
            None if new is MISSING else new, self.shape.is_wording(path), texts))

    def document(self, old: Any, new: Any, skip: frozenset[str]) -> list[FieldChange]:
        old = old if isinstance(old, dict) else {}
        new = new if isinstance(new, dict) else {}
        for key in dict.fromkeys([*new, *old]):
            if key not in skip:
                self.value((key,), old.get(key, MISSING), new.get(key, MISSING))
        return self.changes

    def value(self, path: Position, old: Any, new: Any) -> None:
        if _same(old, new):
            return
        present = [v for v in (old, new) if v is not MISSING]
        is_text = all(_is_text_shaped(v) for v in present) and (
            path in self.shape.texts
            or (path not in self.shape.known and all(_looks_translated(v) for v in present)))
        kind = ADDED if old is MISSING else REMOVED if new is MISSING else CHANGED
        if is_text:
            self.add(path, kind, old, new, self.languages.texts(old, new))
        elif kind != CHANGED:
            self.add(path, kind, old, new)
        elif isinstance(old, dict) and isinstance(new, dict):
            for key in dict.fromkeys([*new, *old]):
                self.value((*path, key), old.get(key, MISSING), new.get(key, MISSING))
        elif isinstance(old, list) and isinstance(new, list):
            self.items(path, old, new)
        else:
            self.add(path, CHANGED, old, new)

    def items(self, path: Position, old: list[Any], new: list[Any]) -> None:
        old_ids, new_ids = _item_ids(old), _item_ids(new)
        if old_ids is not None and new_ids is not None:
            before = dict(zip(old_ids, old, strict=True))
            for index, (item_id, item) in enumerate(zip(new_ids, new, strict=True)):
                self.value((*path, index), before.get(item_id, MISSING), item)
            for index, item_id in enumerate(old_ids):
                if item_id not in new_ids:
                    self.add((*path, index), REMOVED, old[index], MISSING)
            kept_old = [i for i in old_ids if i in new_ids]
            kept_new = [i for i in new_ids if i in old_ids]
            if kept_old != kept_new:
                self.add(path, REORDERED, kept_old, kept_new)
            return
        # Items without ids: aligned on what stayed the same, replaced items compared in pairs.
        matcher = SequenceMatcher(None, [_canonical(v) for v in old], [_canonical(v) for v in new],
                                  autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
            for offset in range(pairs):
                self.value((*path, j1 + offset), old[i1 + offset], new[j1 + offset])
            for index in range(j1 + pairs, j2):
                self.add((*path, index), ADDED, MISSING, new[index])
            for index in range(i1 + pairs, i2):
                self.add((*path, index), REMOVED, old[index], MISSING)


# -- lessons and steps ---------------------------------------------------------------------------

T = TypeVar("T")


@dataclass(frozen=True)
class _Placed:
    """A step where it stands in one version."""

    key: str
    lesson: str
    index: int
    raw: Any


def _placed_steps(content: Any) -> dict[str, _Placed]:
    placed: dict[str, _Placed] = {}
    documents = lesson_documents(content)
    for lesson_id in lesson_order(content):
        document = documents.get(lesson_id)
        steps = document.get("steps") if isinstance(document, dict) else None
        for index, raw in enumerate(steps if isinstance(steps, list) else []):
            step_id = raw.get("id") if isinstance(raw, dict) else None
            usable = isinstance(step_id, str) and step_id and step_id not in placed
            key = step_id if usable and isinstance(step_id, str) else f"{lesson_id}#{index}"
            placed[key] = _Placed(key, lesson_id, index, raw)
    return placed


def _stable(old_keys: list[str], new_keys: list[str]) -> set[str]:
    """The keys both orders share that keep their order (the rest moved)."""
    common = set(old_keys) & set(new_keys)
    a = [key for key in old_keys if key in common]
    b = [key for key in new_keys if key in common]
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return {a[block.a + offset] for block in matcher.get_matching_blocks()
            for offset in range(block.size)}


def _interleave(kept: list[tuple[str, T]], gone: list[tuple[str, T]],
                   old_order: list[str]) -> list[T]:
    """``kept`` (in the new order) with each of ``gone`` after the item it followed before."""
    present = {key for key, _ in kept}
    after: dict[str | None, list[T]] = {}
    for key, entry in gone:
        position = old_order.index(key)
        anchor = next((k for k in reversed(old_order[:position]) if k in present), None)
        after.setdefault(anchor, []).append(entry)
    result = list(after.get(None, []))
    for key, entry in kept:
        result.append(entry)
        result.extend(after.get(key, []))
    return result


def _type_name(raw: Any) -> str | None:
    kind = raw.get("type") if isinstance(raw, dict) else None
    return kind if isinstance(kind, str) else None


def diff_modules(old_content: Any | None, new_content: Any) -> ModuleDiff:
    """Every change from ``old_content`` (None: a module never published) to ``new_content``.

    Both are stored content, ``{"module": …, "lessons": {…}}``; either may have problems.
    """
    old_module = module_document(old_content)
    new_module = module_document(new_content)
    languages = _Languages(tuple(declared_languages(old_module) or ()),
                           tuple(declared_languages(new_module) or ()))

    details = _Differ(_Shape.of(schema_values(ModuleSchema(), old_module),
                                schema_values(ModuleSchema(), new_module)),
                      languages).document(old_module, new_module, _MODULE_SKIP)

    old_steps, new_steps = _placed_steps(old_content), _placed_steps(new_content)
    old_order, new_order = lesson_order(old_content), lesson_order(new_content)
    old_docs, new_docs = lesson_documents(old_content), lesson_documents(new_content)
    stable_lessons = _stable(old_order, new_order)

    def step_diff(key: str) -> StepDiff:
        before, now = old_steps.get(key), new_steps.get(key)
        if now is None:
            assert before is not None
            return StepDiff(key, REMOVED, _type_name(before.raw), _type_name(before.raw),
                            before.lesson, before.lesson, None, before.index, False, (),
                            before.raw, None)
        if before is None:
            return StepDiff(key, ADDED, _type_name(now.raw), None, now.lesson, None, now.index,
                            None, False, (), None, now.raw)
        changes = _Differ(_Shape.of(step_values(before.raw), step_values(now.raw)),
                          languages).document(before.raw, now.raw, _STEP_SKIP)
        moved = before.lesson != now.lesson or key not in stable_steps[now.lesson]
        return StepDiff(key, CHANGED if changes else UNCHANGED, _type_name(now.raw),
                        _type_name(before.raw), now.lesson, before.lesson, now.index,
                        before.index, moved, tuple(changes), before.raw, now.raw)

    def keys_in(steps: dict[str, _Placed], lesson_id: str) -> list[str]:
        return [key for key, placed in steps.items() if placed.lesson == lesson_id]

    stable_steps = {lesson_id: _stable(keys_in(old_steps, lesson_id), keys_in(new_steps, lesson_id))
                    for lesson_id in new_order}

    def lesson_diff(lesson_id: str) -> LessonDiff:
        in_old, in_new = lesson_id in old_order, lesson_id in new_order
        old_keys = keys_in(old_steps, lesson_id)
        gone = [(key, step_diff(key)) for key in old_keys if key not in new_steps]
        if not in_new:
            return LessonDiff(lesson_id, REMOVED, None, old_order.index(lesson_id), False, (),
                              tuple(step for _, step in gone))
        kept = [(key, step_diff(key)) for key in keys_in(new_steps, lesson_id)]
        steps = tuple(_interleave(kept, gone, old_keys))
        index = new_order.index(lesson_id)
        if not in_old:
            return LessonDiff(lesson_id, ADDED, index, None, False, (), steps)
        changes = tuple(_Differ(_Shape.of(schema_values(LessonSchema(), old_docs.get(lesson_id)),
                                          schema_values(LessonSchema(), new_docs.get(lesson_id))),
                                languages)
                        .document(old_docs.get(lesson_id), new_docs.get(lesson_id), _LESSON_SKIP))
        touched = bool(changes) or any(step.touched for step in steps)
        return LessonDiff(lesson_id, CHANGED if touched else UNCHANGED, index,
                          old_order.index(lesson_id), lesson_id not in stable_lessons, changes,
                          steps)

    lessons = _interleave([(lesson_id, lesson_diff(lesson_id)) for lesson_id in new_order],
                          [(lesson_id, lesson_diff(lesson_id)) for lesson_id in old_order
                           if lesson_id not in new_order],
                          old_order)

    def version(module: dict[str, Any]) -> str | None:
        value = module.get("version")
        return value if isinstance(value, str) else None

    module_id = new_module.get("id", old_module.get("id"))
    return ModuleDiff(
        module_id=module_id if isinstance(module_id, str) else None,
        old_version=version(old_module),
        new_version=version(new_module),
        new_module=old_content is None,
        languages=tuple(dict.fromkeys([*languages.new, *languages.old])),
        details=tuple(details),
        lessons=tuple(lessons),
    )


# -- the version number --------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """Why a version level is proposed: one change, in words (English, like the checker)."""

    level: str  # "patch", "minor" or "major"
    message: str
    lesson_id: str | None = None
    step_id: str | None = None

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class VersionProposal:
    """The proposed next version: its number, its level and every reason, weightiest first."""

    version: str
    level: str  # "none" (nothing changed: the same number), "patch", "minor" or "major"
    reasons: tuple[Reason, ...]
    old_version: str | None = None

    @property
    def messages(self) -> list[str]:
        """The reasons in words."""
        return [reason.message for reason in self.reasons]


def _valid_version(version: Any) -> bool:
    return isinstance(version, str) and VERSION.fullmatch(version) is not None


def is_higher(a: str, b: str) -> bool:
    """Whether version ``a`` is higher than version ``b`` (both ``MAJOR.MINOR.PATCH``)."""
    for version in (a, b):
        if not _valid_version(version):
            raise ValueError(f"Not a version: {version!r}")
    return version_key(a) > version_key(b)


def bump(version: str, level: str) -> str:
    """``version`` raised by one ``level`` ("none" keeps it)."""
    if not _valid_version(version):
        raise ValueError(f"Not a version: {version!r}")
    major, minor, patch = version_key(version)
    if level == MAJOR:
        return f"{major + 1}.0.0"
    if level == MINOR:
        return f"{major}.{minor + 1}.0"
    if level == PATCH:
        return f"{major}.{minor}.{patch + 1}"
    if level == NONE:
        return version
    raise ValueError(f"Not a level: {level!r}")


def version_problem(chosen: Any, published: str | None,
                    proposal: VersionProposal) -> str | None:
    """Why the author's ``chosen`` version cannot be published (None: it can).

    It must be a version, higher than the ``published`` one, and at least the proposal: raising
    further is the author's choice, going lower would hide a change.
    """
    if not _valid_version(chosen):
        return 'Not a valid version: write MAJOR.MINOR.PATCH, for example "1.0.0".'
    if published is not None and not is_higher(chosen, published):
        return f"Version {chosen} is not higher than the published version {published}."
    if version_key(chosen) < version_key(proposal.version):
        because = f": {proposal.reasons[0].message}" if proposal.reasons else "."
        return (f"This is a {proposal.level} change, so the version must be at least "
                f"{proposal.version}{because}")
    return None


def _load_step(raw: Any, languages: tuple[str, ...]) -> dict[str, Any] | None:
    """The step as the checker loads it (defaults filled in), or None if it does not pass."""
    with ModuleContext(CheckContext(languages=list(languages) or None, media_dir=None)):
        try:
            loaded = StepField().deserialize(raw)
        except ValidationError:
            return None
    return loaded if isinstance(loaded, dict) else None


def _fields_of(changes: Iterable[FieldChange]) -> str:
    names = list(dict.fromkeys(change.field for change in changes))
    shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
    return shown


def _step_reasons(step: StepDiff, languages: _Languages) -> Iterator[Reason]:
    where = {"lesson_id": step.lesson_id, "step_id": step.step_id}
    name = f'Step "{step.step_id}"'
    if step.status == REMOVED:
        yield Reason(MAJOR, f'{name} removed from lesson "{step.lesson_id}".', **where)
        return
    if step.status == ADDED:
        yield Reason(MINOR, f'{name} ({step.type}) added to lesson "{step.lesson_id}".', **where)
        return
    if step.moved:
        place = (f'from lesson "{step.old_lesson_id}" to lesson "{step.lesson_id}"'
                 if step.old_lesson_id != step.lesson_id else f'in lesson "{step.lesson_id}"')
        yield Reason(MINOR, f"{name} moved {place}.", **where)
    if step.type_changed:
        yield Reason(MAJOR, f"{name} changed from a {step.old_type} step to a {step.type} "
                            "step: answers given before do not fit it.", **where)
        return
    wording = [change for change in step.changes if change.wording]
    other = [change for change in step.changes if not change.wording]
    if other:
        old = _load_step(step.old, languages.old)
        new = _load_step(step.new, languages.new)
        step_type = STEP_TYPES.get(step.type or "")
        if old is None or new is None or step_type is None:
            yield Reason(MAJOR, f"{name} does not pass the check yet, so whether answers "
                                "given before still fit cannot be told: counted as a major "
                                "change until it does.", **where)
        else:
            shape = step_type.answer_shape_changes(old, new)
            for reason in shape:
                yield Reason(MAJOR, f"{name}: {reason}.", **where)
            if not shape:
                yield Reason(MINOR, f"{name}: {_fields_of(other)} changed.", **where)
    if wording:
        yield Reason(PATCH, f"{name}: wording changed ({_fields_of(wording)}).", **where)


def _module_reasons(diff: ModuleDiff, old_module: dict[str, Any],
                    new_module: dict[str, Any]) -> Iterator[Reason]:
    old_languages = declared_languages(old_module) or []
    new_languages = declared_languages(new_module) or []
    for language in old_languages:
        if new_languages and language not in new_languages:
            yield Reason(MAJOR, f'Language "{language}" removed: clients who read the module '
                                "in it would lose it.")
    for language in new_languages:
        if old_languages and language not in old_languages:
            yield Reason(MINOR, f'Language "{language}" added.')
    changes = [change for change in diff.details if change.field != "languages"]
    if any(change.field == "id" for change in changes):
        yield Reason(MAJOR, "The module id changed.")
    other = [change for change in changes
             if not change.wording and change.field not in ("id", "estimated_minutes")]
    if other:
        yield Reason(MINOR, f"Module details changed ({_fields_of(other)}).")
    wording = [change for change in changes
               if change.wording or change.field == "estimated_minutes"]
    if wording:
        yield Reason(PATCH, f"Module details: wording changed ({_fields_of(wording)}).")


def _lesson_reasons(lesson: LessonDiff) -> Iterator[Reason]:
    name = f'Lesson "{lesson.lesson_id}"'
    if lesson.status == ADDED:
        yield Reason(MINOR, f"{name} added.", lesson_id=lesson.lesson_id)
    elif lesson.status == REMOVED:
        yield Reason(MINOR, f"{name} removed.", lesson_id=lesson.lesson_id)
    if lesson.moved:
        yield Reason(MINOR, f"{name} moved.", lesson_id=lesson.lesson_id)
    other = [change for change in lesson.changes if not change.wording]
    if other:
        yield Reason(MINOR, f"{name}: {_fields_of(other)} changed.", lesson_id=lesson.lesson_id)
    wording = [change for change in lesson.changes if change.wording]
    if wording:
        yield Reason(PATCH, f"{name}: wording changed ({_fields_of(wording)}).",
                     lesson_id=lesson.lesson_id)


def propose_version(old_version: str | None, diff: ModuleDiff, old_content: Any,
                    new_content: Any) -> VersionProposal:
    """The next version after ``old_version`` for the changes in ``diff``.

    ``diff`` is ``diff_modules(old_content, new_content)``. Without a version to start from
    (``old_version`` or ``old_content`` None) the proposal is the first version, 1.0.0. Each
    step type decides whether a change to its definition breaks answers given before
    (``StepType.answer_shape_changes``); a step that does not pass the check yet counts as a
    major change when more than its wording changed.
    """
    if old_version is None or old_content is None:
        return VersionProposal(FIRST_VERSION, MAJOR,
                               (Reason(MAJOR, "The first published version of this module."),))
    if not _valid_version(old_version):
        raise ValueError(f"Not a version: {old_version!r}")
    old_module, new_module = module_document(old_content), module_document(new_content)
    languages = _Languages(tuple(declared_languages(old_module) or ()),
                           tuple(declared_languages(new_module) or ()))
    reasons = list(_module_reasons(diff, old_module, new_module))
    for lesson in diff.lessons:
        reasons.extend(_lesson_reasons(lesson))
        for step in lesson.steps:
            reasons.extend(_step_reasons(step, languages))
    reasons.sort(key=lambda reason: -LEVELS.index(reason.level))  # stable: module order kept
    level = reasons[0].level if reasons else NONE
    return VersionProposal(bump(old_version, level), level, tuple(reasons), old_version)


__all__ = [
    "ADDED",
    "CHANGED",
    "EQUAL",
    "FIRST_VERSION",
    "LEVELS",
    "MAJOR",
    "MINOR",
    "NONE",
    "PATCH",
    "REMOVED",
    "REORDERED",
    "UNCHANGED",
    "FieldChange",
    "LessonDiff",
    "ModuleDiff",
    "Reason",
    "Segment",
    "StepDiff",
    "TextChange",
    "VersionProposal",
    "bump",
    "diff_modules",
    "inline_diff",
    "is_higher",
    "propose_version",
    "version_problem",
]
