"""Reading module folders into checked modules, or into a full list of problems.

One function checks everything; the app's start-up, ``ehealth check-modules`` and stored module
versions all go through it. It never raises on bad input: every mistake becomes a Problem.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from marshmallow import ValidationError

from ehealth.content.fields import CheckContext, ModuleContext, Text
from ehealth.content.problems import (
    ROOT,
    Problem,
    flatten_errors,
    invalid_strings,
    join_path,
    split_path,
)
from ehealth.content.schema import LessonSchema, ModuleSchema, StepField, declared_languages
from ehealth.content.steps import STEP_TYPES

MODULE_FILE = "module.json"
LESSONS_DIR = "lessons"


@dataclass
class Lesson:
    """A checked lesson: its id, title and steps (dicts as loaded by the step schemas)."""

    id: str
    title: Text
    summary: Text | None
    steps: list[dict[str, Any]]


@dataclass
class Module:
    """A checked module, ready to show, with the author's content it was built from."""

    id: str
    version: str
    languages: list[str]
    title: Text
    summary: Text
    audience: list[str]
    estimated_minutes: int
    cover: dict[str, Any]
    lessons: list[Lesson]
    content: dict[str, Any]
    content_hash: str
    source: str = ""
    steps_by_id: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.steps_by_id = {step["id"]: step for lesson in self.lessons for step in lesson.steps}

    @property
    def step_count(self) -> int:
        """How many steps the module has in all."""
        return len(self.steps_by_id)

    def language_for(self, preferred: str) -> str:
        """The language to show this module in: the preferred one if offered, else the first."""
        return preferred if preferred in self.languages else self.languages[0]


@dataclass
class LoadResult:
    """A module, or the problems that stopped it loading (never both empty)."""

    module: Module | None
    problems: list[Problem]


class _ObjectWithDuplicates(dict[str, Any]):
    """A parsed JSON object that remembers keys the file gave more than once."""

    duplicates: list[str]


def _pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = _ObjectWithDuplicates()
    result.duplicates = []
    for key, value in pairs:
        if key in result:
            result.duplicates.append(key)
        result[key] = value
    return result if result.duplicates else dict(result)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed in JSON")


def _duplicate_keys(file: str, data: Any, path: str = ROOT) -> Iterator[Problem]:
    if isinstance(data, _ObjectWithDuplicates):
        for key in data.duplicates:
            yield Problem(
                file, join_path(path, key), "Duplicate key: only the last value would count."
            )
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _duplicate_keys(file, value, join_path(path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _duplicate_keys(file, value, join_path(path, index))


def parse_json(file: str, raw: bytes) -> tuple[Any, list[Problem]]:
    """Parse one JSON file; syntax errors are reported with line and column."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return None, [Problem(file, ROOT, f"Not valid UTF-8 (byte {error.start}).")]
    try:
        data = json.loads(text, object_pairs_hook=_pairs_hook, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        return None, [Problem(
            file, ROOT, f"Invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}."
        )]
    except ValueError as error:
        return None, [Problem(file, ROOT, f"Invalid JSON: {error}.")]
    except RecursionError:
        return None, [Problem(file, ROOT, "Invalid JSON: nested too deeply.")]
    problems = list(_duplicate_keys(file, data))
    if not isinstance(data, dict):
        problems.append(Problem(file, ROOT, "Expected a JSON object {…} at the top level."))
        return None, problems
    return data, problems


def _author_content(data: dict[str, Any]) -> dict[str, Any]:
    """The document as the author wrote it, minus the editor hint ``$schema``."""
    return {key: value for key, value in data.items() if key != "$schema"}


def content_hash(content: dict[str, Any]) -> str:
    """A stable hash of a module's content: formatting and key order do not change it."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_module(
    folder_label: str,
    folder_name: str | None,
    module_doc: Any,
    lesson_docs: dict[str, Any],
    media_dir: Path | None,
    unreadable: frozenset[str] = frozenset(),
    uploads: frozenset[str] | None = None,
) -> LoadResult:
    """Check a module given as parsed documents.

    ``lesson_docs`` maps each lesson file present (by its id, the file name without ``.json``)
    to its parsed content. ``unreadable`` names lesson files that are present but could not be
    parsed (their problems are already reported). ``folder_name`` is the folder the module
    lives in, or None for stored content. ``uploads``: the organisation's uploads
    (``uploads/<sha256>.<ext>``) its media paths may name; None looks them up in ``media_dir``.
    """
    module_file = f"{folder_label}/{MODULE_FILE}"

    def lesson_file(lesson_id: str) -> str:
        return f"{folder_label}/{LESSONS_DIR}/{lesson_id}.json"

    problems: list[Problem] = list(invalid_strings(module_file, module_doc))
    for lesson_id, raw in lesson_docs.items():
        problems.extend(invalid_strings(lesson_file(lesson_id), raw))
    if problems:
        return LoadResult(None, problems)
    context = CheckContext(languages=declared_languages(module_doc), media_dir=media_dir,
                           uploads=uploads)
    with ModuleContext(context):
        meta: dict[str, Any] | None = None
        try:
            meta = ModuleSchema().load(module_doc)
        except ValidationError as error:
            problems.extend(flatten_errors(module_file, error.messages))
        if meta is not None and folder_name is not None and meta["id"] != folder_name:
            problems.append(Problem(
                module_file, "id",
                f'Module id "{meta["id"]}" does not match its folder name "{folder_name}".',
            ))

        listed = _listed_lessons(module_doc)
        for index, lesson_id in enumerate(listed):
            if lesson_id not in lesson_docs:
                problems.append(Problem(
                    module_file, f"lessons[{index}]",
                    f"Lesson file {LESSONS_DIR}/{lesson_id}.json is missing.",
                ))
        for lesson_id in sorted(set(lesson_docs) - set(listed)):
            problems.append(Problem(
                lesson_file(lesson_id), ROOT,
                f'This lesson file is not listed in {MODULE_FILE} "lessons": add "{lesson_id}" '
                "there, or remove the file.",
            ))

        lessons: list[Lesson] = []
        for lesson_id in [lesson for lesson in listed if lesson in lesson_docs]:
            raw = lesson_docs[lesson_id]
            file = lesson_file(lesson_id)
            if lesson_id in unreadable:
                continue
            if not isinstance(raw, dict):
                problems.append(Problem(file, ROOT, "Expected a JSON object {…} at the top level."))
                continue
            try:
                loaded = LessonSchema().load(raw)
            except ValidationError as error:
                problems.extend(flatten_errors(file, error.messages))
                continue
            if loaded["id"] != lesson_id:
                problems.append(Problem(
                    file, "id",
                    f'Lesson id "{loaded["id"]}" does not match its file name '
                    f'(expected "{lesson_id}").',
                ))
            lessons.append(Lesson(loaded["id"], loaded["title"], loaded.get("summary"),
                                  loaded["steps"]))

        # Steps of loaded lessons, plus those valid on their own in a lesson with mistakes
        # elsewhere, so that references to and from them are still checked.
        valid_steps = {step["id"]: step for lesson in lessons for step in lesson.steps}
        loaded_ids = {lesson.id for lesson in lessons}
        for step_id, step in _valid_steps(
            lesson_docs[lesson_id] for lesson_id in listed
            if lesson_id in lesson_docs and lesson_id not in loaded_ids
        ).items():
            valid_steps.setdefault(step_id, step)
    # A listed lesson that could not be read (its syntax error is reported) or is missing hides
    # its step ids: a reference to an id found nowhere may point into it, so it is not reported
    # as unknown until that lesson can be read.
    unseen = bool({lesson for lesson in listed
                   if lesson in unreadable or not isinstance(lesson_docs.get(lesson), dict)})
    problems.extend(_check_references(listed, lesson_docs, valid_steps, lesson_file, unseen))
    if problems or meta is None or unreadable & set(listed):
        return LoadResult(None, sorted(set(problems), key=problems.index))
    content = {
        "module": _author_content(module_doc),
        "lessons": {lesson_id: _author_content(lesson_docs[lesson_id]) for lesson_id in listed},
    }
    module = Module(
        id=meta["id"],
        version=meta["version"],
        languages=meta["languages"],
        title=meta["title"],
        summary=meta["summary"],
        audience=meta["audience"],
        estimated_minutes=meta["estimated_minutes"],
        cover=meta["cover"],
        lessons=lessons,
        content=content,
        content_hash=content_hash(content),
        source=folder_label,
    )
    return LoadResult(module, [])


def _valid_steps(lesson_docs: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """Each step that passes its own schema, by id (the first of any duplicates)."""
    field = StepField()
    valid: dict[str, dict[str, Any]] = {}
    for raw in lesson_docs:
        steps = raw.get("steps") if isinstance(raw, dict) else None
        for raw_step in steps if isinstance(steps, list) else []:
            try:
                step = field.deserialize(raw_step)
            except ValidationError:
                continue
            assert isinstance(step, dict)
            valid.setdefault(step["id"], step)
    return valid


def _listed_lessons(module_doc: Any) -> list[str]:
    lessons = module_doc.get("lessons") if isinstance(module_doc, dict) else None
    if not isinstance(lessons, list):
        return []
    listed: list[str] = []
    for lesson in lessons:
        if isinstance(lesson, str) and lesson not in listed:
            listed.append(lesson)
    return listed


@dataclass
class _Placed:
    """Where a step id first appears in module order."""

    order: int
    file: str
    path: str
    step: dict[str, Any] | None


def _check_references(
    listed: list[str],
    lesson_docs: dict[str, Any],
    loaded: dict[str, dict[str, Any]],
    lesson_file: Any,
    unseen: bool = False,
) -> Iterator[Problem]:
    """Module-wide checks: unique step ids, and show_if/summary refer to earlier answers.

    With ``unseen`` (a listed lesson could not be read), references to ids found nowhere are
    left alone: they may be steps of that lesson.
    """
    placed: dict[str, _Placed] = {}
    order = 0
    references: list[tuple[int, str, str, dict[str, Any]]] = []
    for lesson_id in listed:
        raw = lesson_docs.get(lesson_id)
        steps = raw.get("steps") if isinstance(raw, dict) else None
        if not isinstance(steps, list):
            continue
        file = lesson_file(lesson_id)
        for index, raw_step in enumerate(steps):
            step_id = raw_step.get("id") if isinstance(raw_step, dict) else None
            if not isinstance(step_id, str):
                continue
            path = f"steps[{index}]"
            if step_id in placed:
                first = placed[step_id]
                yield Problem(
                    file, f"{path}.id",
                    f'Duplicate step id "{step_id}" (first used in {first.file} at {first.path}).',
                )
                continue
            placed[step_id] = _Placed(order, file, path, loaded.get(step_id))
            if step_id in loaded:
                references.append((order, file, path, loaded[step_id]))
            order += 1

    for position, file, path, step in references:
        condition = step.get("show_if")
        if condition and not (unseen and condition["step"] not in placed):
            yield from _check_condition(position, file, path, condition, placed)
        if step["type"] == "summary":
            for index, ref in enumerate(step["steps"]):
                if unseen and ref not in placed:
                    continue
                problem = _earlier_answer(ref, position, placed, "summarise")
                if problem:
                    yield Problem(file, f"{path}.steps[{index}]", problem)


def _earlier_answer(ref: str, position: int, placed: dict[str, _Placed], verb: str) -> str | None:
    target = placed.get(ref)
    if target is None:
        return f'Unknown step "{ref}": no step in this module has that id.'
    if target.order >= position:
        return (
            f'Step "{ref}" is not earlier in the module ({target.file} at {target.path}); '
            f"you can only {verb} earlier steps."
        )
    if target.step is not None and not STEP_TYPES[target.step["type"]].answerable:
        return f'Step "{ref}" ({target.step["type"]}) has no answer to {verb}.'
    return None


def _check_condition(
    position: int, file: str, path: str, condition: dict[str, Any], placed: dict[str, _Placed]
) -> Iterator[Problem]:
    ref = condition["step"]
    problem = _earlier_answer(ref, position, placed, "test")
    if problem:
        yield Problem(file, f"{path}.show_if.step", problem)
        return
    target = placed[ref].step
    if target is None:
        return  # the referenced step has its own problems, reported where it stands
    operator = next(op for op in condition if op != "step")
    problem = STEP_TYPES[target["type"]].condition_problem(target, operator, condition[operator])
    if problem:
        yield Problem(file, f"{path}.show_if.{operator}", problem)


def load_module_folder(folder: Path, media_dir: Path | None) -> LoadResult:
    """Read and check one module folder."""
    label = str(folder)
    module_path = folder / MODULE_FILE
    problems: list[Problem] = []
    if not module_path.is_file():
        return LoadResult(None, [Problem(
            f"{label}/{MODULE_FILE}", ROOT, "Missing module.json: every module folder needs one."
        )])
    module_doc, parse_problems = parse_json(f"{label}/{MODULE_FILE}", module_path.read_bytes())
    problems.extend(parse_problems)
    lesson_docs: dict[str, Any] = {}
    unreadable: set[str] = set()
    lessons_dir = folder / LESSONS_DIR
    if lessons_dir.is_dir():
        for path in sorted(lessons_dir.glob("*.json")):
            if not path.is_file():
                continue
            data, parse_problems = parse_json(f"{label}/{LESSONS_DIR}/{path.name}",
                                              path.read_bytes())
            problems.extend(parse_problems)
            lesson_docs[path.stem] = data
            if data is None:
                unreadable.add(path.stem)
    if module_doc is None:
        return LoadResult(None, problems)
    result = check_module(label, folder.name, module_doc, lesson_docs, media_dir,
                          frozenset(unreadable))
    listed = _listed_lessons(module_doc)
    rank = {f"{label}/{MODULE_FILE}": -1}
    rank.update({f"{label}/{LESSONS_DIR}/{lesson}.json": i for i, lesson in enumerate(listed)})
    ordered = sorted(problems + result.problems, key=lambda p: rank.get(p.file, len(rank)))
    return LoadResult(result.module if not problems else None, ordered)


def load_module_content(
    content: dict[str, Any], media_dir: Path | None = None, label: str | None = None,
    uploads: frozenset[str] | None = None,
) -> LoadResult:
    """Check a module's stored content (as kept in a ModuleVersion) and build the module.

    ``uploads`` as for ``check_module``.
    """
    module_doc = content.get("module") if isinstance(content, dict) else None
    lessons = content.get("lessons") if isinstance(content, dict) else None
    module_id = module_doc.get("id") if isinstance(module_doc, dict) else None
    name = label or (module_id if isinstance(module_id, str) else "module")
    if not isinstance(module_doc, dict) or not isinstance(lessons, dict):
        return LoadResult(None, [Problem(name, ROOT, "Stored content is not a module.")])
    return check_module(name, None, module_doc, lessons, media_dir, uploads=uploads)


class ProblemLocation(NamedTuple):
    """Where a problem belongs in the editor: the lesson, the step and the field in it."""

    lesson_id: str | None  # None: module.json, or the module as a whole
    step_index: int | None  # the step's place in the lesson; None: the lesson's own fields
    step_id: str | None  # the id of that step, when the content at hand has one there
    field_path: str  # JSON path inside the step (else the lesson, module.json); "": all of it


_LESSON_FILE = re.compile(rf"(?:^|/){LESSONS_DIR}/([^/]+)\.json$")


def problem_location(problem: Problem, content: Any = None) -> ProblemLocation:
    """Where ``problem`` (as the checker reports it) belongs, to link it to its form field.

    The lesson comes from the problem's file (``<label>/lessons/<id>.json``), the step from a
    path that starts ``steps[<n>]``; ``content`` (stored content, the draft being edited)
    gives the step's id. A problem about anything else (module.json, the zip, a media file)
    keeps its path as the field path.
    """
    match = _LESSON_FILE.search(problem.file)
    if match is None:
        return ProblemLocation(None, None, None, "" if problem.path == ROOT else problem.path)
    lesson_id = match[1]
    try:
        parts = split_path(problem.path)
    except ValueError:
        return ProblemLocation(lesson_id, None, None, problem.path)
    if len(parts) < 2 or parts[0] != "steps" or not isinstance(parts[1], int):
        return ProblemLocation(lesson_id, None, None, "" if not parts else problem.path)
    index = parts[1]
    field_path = ROOT
    for key in parts[2:]:
        field_path = join_path(field_path, key)
    lessons = content.get("lessons") if isinstance(content, dict) else None
    lesson = lessons.get(lesson_id) if isinstance(lessons, dict) else None
    steps = lesson.get("steps") if isinstance(lesson, dict) else None
    step = steps[index] if isinstance(steps, list) and index < len(steps) else None
    step_id = step.get("id") if isinstance(step, dict) else None
    return ProblemLocation(lesson_id, index, step_id if isinstance(step_id, str) else None,
                           "" if field_path == ROOT else field_path)


def module_folders(path: Path) -> list[Path] | None:
    """The module folders at ``path``: itself if it holds module.json, else its sub-folders.

    Returns None when ``path`` is not a folder.
    """
    if not path.is_dir():
        return None
    if (path / MODULE_FILE).exists() or (path / LESSONS_DIR).is_dir():
        return [path]
    return sorted(
        child for child in path.iterdir()
        if child.is_dir() and not child.name.startswith((".", "_"))
    )


@dataclass
class Library:
    """Every module found, and every problem, from one or more paths."""

    modules: list[Module]
    problems: list[Problem]
    folders: int = 0
    failed_folders: int = 0


def load_library(
    paths: Iterable[Path], media_dir: Path | None, allow_empty: bool = False
) -> Library:
    """Load every module under ``paths``; collect every problem rather than stopping."""
    library = Library([], [])
    seen: dict[str, str] = {}
    for path in paths:
        folders = module_folders(path)
        if folders is None:
            library.problems.append(Problem(str(path), ROOT, "No such folder."))
            continue
        if not folders and not allow_empty:
            library.problems.append(Problem(str(path), ROOT, "No module folders found here."))
        for folder in folders:
            library.folders += 1
            result = load_module_folder(folder, media_dir)
            library.problems.extend(result.problems)
            library.failed_folders += bool(result.problems)
            if result.module is None:
                continue
            if result.module.id in seen:
                library.problems.append(Problem(
                    f"{folder}/{MODULE_FILE}", "id",
                    f'Module id "{result.module.id}" is also used by {seen[result.module.id]}.',
                ))
                library.failed_folders += 1
                continue
            seen[result.module.id] = str(folder)
            library.modules.append(result.module)
    return library
