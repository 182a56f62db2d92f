"""Reading a module's raw content alongside its schemas, whatever state it is in.

A module's stored content is ``{"module": <module.json>, "lessons": {lesson id: <lesson>}}``.
A draft may not pass the checker, so nothing here assumes it does: a part of the wrong shape is
skipped, never an error. The diff (``diff.py``) asks which fields are texts or media, the zip
export and import (``package.py``) which media files a module uses; both ask the same schemas
the checker uses, so a new step type or field is found without code here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from marshmallow import Schema, ValidationError, fields

from ehealth.content.fields import CheckContext, MediaPath, ModuleContext
from ehealth.content.problems import ROOT, join_path
from ehealth.content.schema import LessonSchema, ModuleSchema, StepField
from ehealth.content.steps import STEP_TYPES

# A position in a document: object keys and list indexes from its top, e.g. ("steps", 2, "title").
Position = tuple[str | int, ...]
# What the walk yields: each position, the schema field that describes it, and its raw value.
Walk = Iterator[tuple[Position, fields.Field, Any]]


def path_text(path: Position) -> str:
    """A position as the checker writes it: ``steps[2].title`` (``$`` for the top)."""
    text = ROOT
    for key in path:
        text = join_path(text, key)
    return text


@cache
def _schema(schema_class: type[Schema]) -> Schema:
    return schema_class()


def schema_values(schema: Schema, raw: Any, path: Position = ()) -> Walk:
    """Every (position, field, value) of ``raw`` that ``schema`` describes, depth first.

    Containers come before their parts. A step is described by its type's schema (an unknown
    type by nothing), a value of the wrong shape ends the walk there, and keys the schema does
    not know are skipped.
    """
    if not isinstance(raw, dict):
        return
    for name, field in schema.fields.items():
        key = field.data_key or name
        if key in raw:
            yield from field_values(field, raw[key], (*path, key))


def field_values(field: fields.Field, value: Any, path: Position = ()) -> Walk:
    """(position, field, value) for ``value`` itself and everything inside it."""
    yield path, field, value
    if isinstance(field, StepField):
        kind = value.get("type") if isinstance(value, dict) else None
        step_type = STEP_TYPES.get(kind) if isinstance(kind, str) else None
        if step_type is not None:
            yield from schema_values(_schema(step_type.schema), value, path)
    elif isinstance(field, fields.Nested):
        nested = field.schema
        if isinstance(nested, Schema):
            yield from schema_values(nested, value, path)
    elif isinstance(field, fields.List) and isinstance(value, list):
        for index, item in enumerate(value):
            yield from field_values(field.inner, item, (*path, index))


def step_values(raw_step: Any) -> Walk:
    """(position, field, value) inside one step, with positions relative to the step."""
    for path, field, value in field_values(_STEP_FIELD, raw_step):
        if path:
            yield path, field, value


_STEP_FIELD = StepField()


def module_document(content: Any) -> dict[str, Any]:
    """The ``module.json`` part of stored content ({} when there is none)."""
    module = content.get("module") if isinstance(content, dict) else None
    return module if isinstance(module, dict) else {}


def lesson_documents(content: Any) -> dict[str, Any]:
    """The lessons of stored content by id ({} when there are none)."""
    lessons = content.get("lessons") if isinstance(content, dict) else None
    return lessons if isinstance(lessons, dict) else {}


def lesson_order(content: Any) -> list[str]:
    """Lesson ids in module order: those ``module.json`` lists, then any other lesson kept.

    A listed lesson without a document is included (a draft may be missing it); a repeated or
    non-string entry is not.
    """
    listed: list[str] = []
    entries = module_document(content).get("lessons")
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, str) and entry not in listed:
            listed.append(entry)
    return listed + [lesson for lesson in lesson_documents(content) if lesson not in listed]


@dataclass(frozen=True)
class MediaReference:
    """A media file the content names: where (lesson, JSON path), which file and what kind."""

    lesson_id: str | None  # None: in module.json
    path: str  # e.g. "steps[3].image.src"
    src: str  # relative to the media folder, as written
    kind: str  # "image", "audio", "video" or "captions"

    @property
    def valid(self) -> bool:
        """Whether ``src`` is a well-formed media path of its kind (as the checker demands)."""
        # Outside any module's check: the path's form only, not whether the file exists.
        with ModuleContext(CheckContext(languages=None, media_dir=None)):
            try:
                MediaPath(self.kind).deserialize(self.src)
            except ValidationError:
                return False
        return True


def media_references(content: Any) -> list[MediaReference]:
    """Every media file named in ``module.json`` and the lessons, in module order."""
    found: list[MediaReference] = []

    def collect(lesson_id: str | None, values: Walk) -> None:
        for path, field, value in values:
            if isinstance(field, MediaPath) and isinstance(value, str):
                found.append(MediaReference(lesson_id, path_text(path), value, field.kind))

    collect(None, schema_values(_schema(ModuleSchema), module_document(content)))
    documents = lesson_documents(content)
    for lesson_id in lesson_order(content):
        collect(lesson_id, schema_values(_schema(LessonSchema), documents.get(lesson_id)))
    return found
