"""Problems found in module files, and turning marshmallow's nested errors into them.

Every problem names the file, the JSON path inside it and what is wrong, so the command-line
checker, the start-up loader and (later) the authoring screens all read the same.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")
ROOT = "$"


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in one file: ``file: path: message``."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        text = f"{self.file}: {self.path}: {self.message}"
        # Printable whatever the author wrote: lone surrogates become \udXXX escapes.
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def show_value(value: Any) -> str:
    """An author's value for a message: short, and safe for any size of number."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return "a very large number"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def invalid_strings(file: str, data: Any, path: str = ROOT) -> Iterator[Problem]:
    """Strings and keys that are not valid Unicode (a JSON escape like \\ud800 alone)."""
    if isinstance(data, str):
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            yield Problem(file, path, "Contains an invalid character (a lone surrogate escape).")
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from invalid_strings(file, key, join_path(path, key))
            yield from invalid_strings(file, value, join_path(path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from invalid_strings(file, value, join_path(path, index))


def join_path(path: str, key: str | int) -> str:
    """Extend a JSON path (``steps[2].title``) by one object key or list index."""
    if isinstance(key, int):
        return f"{'' if path == ROOT else path}[{key}]"
    if not _IDENTIFIER.match(key):
        return f'{"" if path == ROOT else path}[{json.dumps(key)}]'
    return key if path == ROOT else f"{path}.{key}"


_PATH_PART = re.compile(r'\.?([A-Za-z_$][A-Za-z0-9_$-]*)|\[([0-9]+)\]|\[("(?:[^"\\]|\\.)*")\]')


def split_path(path: str) -> list[str | int]:
    """The keys and indexes of a JSON path that ``join_path`` wrote: the reverse of it.

    ``"steps[2].title.en"`` gives ``["steps", 2, "title", "en"]``; ``"$"`` gives ``[]``.
    Raises ValueError for a string that is not such a path.
    """
    if path == ROOT:
        return []
    parts: list[str | int] = []
    position = 0
    while position < len(path):
        match = _PATH_PART.match(path, position)
        # A key after the first is written ".key"; the first one without the dot.
        if match is None or (match[1] is not None and match[0].startswith(".") != (position > 0)):
            raise ValueError(f"Not a JSON path: {path!r}")
        name, index, quoted = match.groups()
        parts.append(name if name is not None else int(index) if index is not None
                     else json.loads(quoted))
        position = match.end()
    return parts


def flatten_errors(file: str, messages: Any, path: str = ROOT) -> Iterator[Problem]:
    """Yield one Problem per message in a marshmallow ``ValidationError.messages`` tree."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            child = path if key == "_schema" else join_path(path, key)
            yield from flatten_errors(file, value, child)
    elif isinstance(messages, list | tuple):
        for value in messages:
            yield from flatten_errors(file, value, path)
    else:
        yield Problem(file, path, str(messages))
