"""The authoring form of a step type, generated from its definition schema.

Every field of a type's marshmallow schema becomes one ``AuthoringField``: its name in the JSON,
the kind of input the editor shows, whether it is required, its default, the choices it allows
and, for lists and objects, the fields of each item. Help texts are ``lazy_gettext`` strings (so
in both languages), looked up by field path: first the type's own ``help_texts``
(``"questions.hint"``), then ``SHARED_HELP`` by path, then ``SHARED_HELP`` by the field's own
name. A field without a help text is an error, so a new field cannot reach the editor unexplained.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from ehealth.content.fields import (
    AudioSchema,
    ImageSchema,
    MarkdownField,
    MediaPath,
    Slug,
    StrictBoolean,
    StrictInteger,
    StrictNumber,
    TextField,
    VideoSchema,
)

# What the editor shows for a field:
KINDS = (
    "id",         # an id: lower-case letters and digits joined by - or _
    "text",       # a translated text, one entry per language of the module
    "markdown",   # a translated text in light Markdown
    "string",     # a plain, untranslated string (a speaker's name)
    "boolean",    # a checkbox
    "integer",    # a whole number
    "number",     # a number, fractions allowed
    "choice",     # one of ``choices``
    "list",       # a list of items, each with ``fields``
    "object",     # one group of ``fields``
    "image", "audio", "video",  # a media file with ``fields`` (src, alt or transcript, …)
    "media",      # a path to a file in the media folder
    "show_if",    # the condition editor
    "step_ids",   # ids of other steps of the module
)

# Help texts that mean the same in every step type, by path, or by the field's own name.
SHARED_HELP: dict[str, Any] = {
    "id": _l("The step's id: lower-case letters and digits, joined by - or _. Unique in the "
             "module; answers are stored under it, so keep it when you revise the module."),
    "show_if": _l("Show this step only when the answer to an earlier step meets a condition."),
    "feedback": _l("A feedback moment: the therapist is asked to respond to this answer. Only "
                   "these answers count as awaiting feedback."),
    "title": _l("The title above the step."),
    "intro": _l("A short introduction before the question, in light Markdown."),
    "label": _l("The words the client sees."),
    "hint": _l("A short help text under the question."),
    "question": _l("The question, as the client reads it."),
    "illustration": _l("An illustration at the top: light colours, about taking steps."),
    "image": _l("An image, with a text alternative."),
    "audio": _l("An audio fragment, with a transcript."),
    "video": _l("A video, with a transcript."),
    "src": _l("The file: its path in the media folder, for example my-module/picture.svg."),
    "alt": _l("What the image shows, for people who cannot see it."),
    "caption": _l("A caption under the image."),
    "transcript": _l("Everything that is said, for people who cannot listen, in light "
                     "Markdown."),
    "captions": _l("Subtitles: a .vtt file in the media folder."),
    "poster": _l("An image shown before the video plays."),
    "audio.title": _l("A title above the fragment."),
    "video.title": _l("A title above the fragment."),
}
# The ids of items in a list (options, questions, …), whatever the list.
ITEM_ID_HELP = _l("An id for this item: lower-case letters and digits, joined by - or _. "
                  "Unique in its list.")


@dataclass(frozen=True)
class AuthoringField:
    """One field of the authoring form of a step type."""

    name: str
    kind: str
    required: bool
    help: Any  # a lazy string: str() gives it in the current language
    default: Any = None
    choices: tuple[Any, ...] = ()
    fields: tuple[AuthoringField, ...] = ()

    @property
    def translated(self) -> bool:
        """Whether the author writes this field once per language of the module."""
        return self.kind in ("text", "markdown")


_MEDIA = {ImageSchema: "image", AudioSchema: "audio", VideoSchema: "video"}


def _nested(field: fields.Nested) -> type[Schema]:
    nested = field.nested
    assert isinstance(nested, type)
    assert issubclass(nested, Schema)
    return nested


def _kind(field: fields.Field) -> tuple[str, type[Schema] | None, tuple[Any, ...]]:
    """The kind of ``field``, the schema of its items or parts, and its choices."""
    if isinstance(field, MarkdownField):
        return "markdown", None, ()
    if isinstance(field, TextField):
        return "text", None, ()
    if isinstance(field, fields.Nested):
        nested = _nested(field)
        if nested.__name__ == "ShowIfSchema":
            return "show_if", None, ()
        return _MEDIA.get(nested, "object"), nested, ()
    if isinstance(field, fields.List):
        inner = field.inner
        if isinstance(inner, fields.Nested):
            return "list", _nested(inner), ()
        if isinstance(inner, Slug):
            return "step_ids", None, ()
        return "list", None, ()
    if isinstance(field, StrictBoolean):
        return "boolean", None, ()
    if isinstance(field, StrictInteger):
        return "integer", None, ()
    if isinstance(field, StrictNumber):
        return "number", None, ()
    if isinstance(field, MediaPath):
        return "media", None, ()
    if isinstance(field, Slug):
        return "id", None, ()
    choices = next((tuple(v.choices) for v in field.validators
                    if isinstance(v, validate.OneOf)), ())
    return ("choice" if choices else "string"), None, choices


def _help(path: str, name: str, own: Mapping[str, Any]) -> Any:
    if path in own:
        return own[path]
    if path in SHARED_HELP:
        return SHARED_HELP[path]
    if name == "id":
        return ITEM_ID_HELP
    if name in SHARED_HELP:
        return SHARED_HELP[name]
    raise KeyError(f'No help text for the authoring field "{path}".')


def _default(field: fields.Field) -> Any:
    default = field.load_default
    if default is fields.missing_ or callable(default):
        return None
    return default


def authoring_fields(schema: type[Schema], help_texts: Mapping[str, Any],
                     prefix: str = "") -> list[AuthoringField]:
    """The authoring form of ``schema``: every field but ``type`` (fixed by the step type)."""
    result = []
    for name, field in schema().fields.items():
        key = field.data_key or name
        if not prefix and key == "type":
            continue
        path = f"{prefix}{key}"
        kind, nested, choices = _kind(field)
        parts: tuple[AuthoringField, ...] = ()
        if nested is not None and kind in _MEDIA.values():
            # Media keep their own help texts wherever they are used ("audio.title").
            own = {key.removeprefix(f"{kind}."): text for key, text in SHARED_HELP.items()
                   if key.startswith(f"{kind}.")}
            parts = tuple(authoring_fields(nested, own))
        elif nested is not None:
            parts = tuple(authoring_fields(nested, help_texts, f"{path}."))
        result.append(AuthoringField(
            name=key, kind=kind, required=bool(field.required),
            help=_help(path, key, help_texts), default=_default(field),
            choices=choices, fields=parts))
    return result
