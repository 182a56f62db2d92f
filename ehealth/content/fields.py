"""marshmallow fields for the module format: translated texts, ids, strict JSON types, media.

The fields read the module being checked (its languages and the media folder) from a
marshmallow context, so a single pass over a file reports every problem with its JSON path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, TypedDict

from marshmallow import Schema, ValidationError, fields
from marshmallow.experimental.context import Context

from ehealth.content.markdown import render_markdown
from ehealth.content.problems import show_value


class CheckContext(TypedDict, total=False):
    """What the fields need to know about the module being checked."""

    languages: list[str] | None
    media_dir: Path | None
    # The organisation's uploads (``uploads/<sha256>.<ext>``) when the module is checked for an
    # organisation; None: an upload path is looked up in ``media_dir`` like any other file.
    uploads: frozenset[str] | None


ModuleContext = Context[CheckContext]

SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
LANGUAGE = re.compile(r"^[a-z]{2}$")


def current_context() -> CheckContext:
    """The context of the module being checked, or an empty one outside a check."""
    return ModuleContext.get({})


class Text(dict[str, str]):
    """A user-facing text with one entry per language, as written by the author."""

    markdown = False

    def in_language(self, language: str) -> str:
        """The text in ``language``, else in the module's first language."""
        if language in self:
            return self[language]
        return next(iter(self.values()), "")


class MarkdownText(Text):
    """A text whose entries are Markdown; rendered and sanitised once per language."""

    markdown = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._html: dict[str, str] = {}

    def html(self, language: str) -> str:
        """Sanitised HTML of the text in ``language`` (with the same fallback)."""
        key = language if language in self else next(iter(self), "")
        if key not in self._html:
            self._html[key] = render_markdown(self.in_language(language))
        return self._html[key]


class TextField(fields.Field):
    """A plain string in the module's first language, or ``{"nl": "…", "en": "…"}``."""

    text_class: type[Text] = Text
    default_error_messages = {
        "invalid": (
            "Not a valid text: expected a string or an object with one entry per language, "
            'for example {{"nl": "…", "en": "…"}}.'
        ),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {})
        kwargs["metadata"].setdefault("format", "markdown" if self.text_class.markdown else "text")
        super().__init__(**kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Text:
        languages = current_context().get("languages")
        if isinstance(value, str):
            if not value.strip():
                raise ValidationError("Text must not be empty.")
            first = languages[0] if languages else "nl"
            missing = (languages or [])[1:]
            if missing:
                example = ", ".join(f'"{lang}": "…"' for lang in languages or [])
                raise ValidationError(
                    f"Missing translation for {', '.join(repr(m) for m in missing)}: "
                    f"this module has the languages {', '.join(languages or [])}, so write "
                    f"this text as an object {{{example}}}."
                )
            return self.text_class({first: value})
        if not isinstance(value, dict) or not value:
            raise self.make_error("invalid")
        errors: dict[str, list[str]] = {}
        for key, entry in value.items():
            if languages is not None and key not in languages:
                errors[key] = [
                    f'Language "{key}" is not declared in module.json "languages" '
                    f"({', '.join(languages)})."
                ]
            elif not isinstance(entry, str):
                errors[key] = ["Not a valid string."]
            elif not entry.strip():
                errors[key] = ["Text must not be empty."]
        for lang in languages or []:
            if lang not in value:
                errors[lang] = [f'Missing translation for "{lang}".']
        if errors:
            raise ValidationError(errors)
        ordered = {lang: value[lang] for lang in (languages or list(value)) if lang in value}
        return self.text_class(ordered)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return dict(value) if isinstance(value, dict) else value


class MarkdownField(TextField):
    """A translated text that may use light Markdown."""

    text_class = MarkdownText


class StrictInteger(fields.Integer):
    """An integer written as a JSON number: no strings, no booleans, no fractions."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return super()._validated(value)


class StrictNumber(fields.Float):
    """A JSON number (integer or fraction), never a string or boolean; 4 stays 4, not 4.0."""

    def _validated(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return super()._validated(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        number = super()._deserialize(value, attr, data, **kwargs)
        return value if isinstance(value, int) and not isinstance(value, bool) else number


class StrictBoolean(fields.Boolean):
    """``true`` or ``false`` exactly, not "yes" or 1."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class StrictString(fields.String):
    """A non-empty JSON string."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        result = super()._deserialize(value, attr, data, **kwargs)
        if not result.strip():
            raise ValidationError("Must not be empty.")
        return result


class Slug(fields.String):
    """An id: lower-case letters and digits, words joined by "-" or "_"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {})["pattern"] = SLUG.pattern
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        result = super()._deserialize(value, attr, data, **kwargs)
        if len(result) > 64 or not SLUG.match(result):
            raise ValidationError(
                f'Not a valid id "{result[:64]}": use lower-case letters and digits, joined '
                'by "-" or "_", at most 64 characters (for example "my-strengths").'
            )
        return result


MEDIA_KINDS: dict[str, frozenset[str]] = {
    "image": frozenset({".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif"}),
    "audio": frozenset({".mp3", ".ogg", ".oga", ".m4a", ".wav"}),
    "video": frozenset({".mp4", ".webm"}),
    "captions": frozenset({".vtt"}),
}


UPLOADS_FOLDER = "uploads"
UPLOAD_PATH = re.compile(r"^uploads/[0-9a-f]{64}\.[a-z0-9]{2,5}$")


class MediaPath(fields.String):
    """A media file, by a relative path: a file under the media folder such as
    ``strengths/cover.svg``, or an upload of the organisation, ``uploads/<sha256>.<ext>``.

    An upload is checked against the organisation's uploads when the check context gives them
    (``CheckContext["uploads"]``); otherwise it is a file under the media folder like any other
    (a module folder unpacked from a zip keeps its uploads in ``media/uploads/``).
    """

    def __init__(self, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        kwargs.setdefault("metadata", {})["media_kind"] = kind
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        src = super()._deserialize(value, attr, data, **kwargs)
        parts = PurePosixPath(src).parts
        if (
            not src
            or any(ord(char) < 32 for char in src)
            or "\\" in src
            or src.startswith("/")
            or any(part in {"..", "."} for part in parts)
            or "//" in src
        ):
            raise ValidationError(
                f'Not a valid media path "{src}": write a path relative to the media folder, '
                'such as "my-module/cover.svg", without "..".'
            )
        suffix = PurePosixPath(src).suffix.lower()
        allowed = MEDIA_KINDS[self.kind]
        if suffix not in allowed:
            raise ValidationError(
                f'"{src}" is not a {self.kind} file: use one of {", ".join(sorted(allowed))}.'
            )
        context = current_context()
        if PurePosixPath(src).parts[0] == UPLOADS_FOLDER:
            if not UPLOAD_PATH.fullmatch(src):
                raise ValidationError(
                    f'Not a valid upload "{src}": an upload is named uploads/<sha256>.<ext>. '
                    "Choose the file from the media library."
                )
            uploads = context.get("uploads")
            if uploads is not None:
                if src not in uploads:
                    raise ValidationError(
                        f'Uploaded file "{src}" is not in this organisation\'s media library: '
                        "upload it, or choose another file."
                    )
                return src
        media_dir = context.get("media_dir")
        if media_dir is not None:
            try:
                root = media_dir.resolve()
                target = (media_dir / src).resolve()
                found = target.is_relative_to(root) and target.is_file()
            except (OSError, ValueError):
                found = False
            if not found:
                raise ValidationError(f'Media file "{src}" not found in {media_dir}.')
        return src


class ImageSchema(Schema):
    """An image with its text alternative."""

    src = MediaPath("image", required=True)
    alt = TextField(
        required=True,
        error_messages={"required": "An image needs a text alternative (alt)."},
        metadata={"description": "What the image shows, for people who cannot see it."},
    )
    caption = TextField()


class AudioSchema(Schema):
    """An audio fragment with its transcript."""

    src = MediaPath("audio", required=True)
    transcript = MarkdownField(
        required=True,
        error_messages={"required": "Audio needs a transcript."},
    )
    title = TextField()


class VideoSchema(Schema):
    """A video with its transcript and optional captions."""

    src = MediaPath("video", required=True)
    transcript = MarkdownField(
        required=True,
        error_messages={"required": "Video needs a transcript."},
    )
    captions = MediaPath("captions")
    poster = MediaPath("image")
    title = TextField()


def require_unique(items: Sequence[Any], key: str, what: str) -> dict[int, dict[str, list[str]]]:
    """Errors (by list index) for items whose ``key`` repeats an earlier item's."""
    seen: dict[Any, int] = {}
    errors: dict[int, dict[str, list[str]]] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict) or key not in item:
            continue
        value = item[key]
        if value in seen:
            errors[index] = {
                key: [f'Duplicate {what} "{show_value(value)}" (also at [{seen[value]}]).']
            }
        else:
            seen[value] = index
    return errors
