"""What the translation tests of each area share: the texts a set of files asks to translate,
and the Dutch the product knows for them (the catalog plus every pending area file)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from ehealth.i18n import TRANSLATIONS_DIR

KEYWORDS: Mapping[str, Any] = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None,
                               "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
PENDING_DIR = TRANSLATIONS_DIR / "pending"


def extracted(sources: Iterable[tuple[Path, str]],
              keywords: Mapping[str, Any] = KEYWORDS) -> dict[str, str | tuple[str, ...]]:
    """Every message of ``sources`` ((file, "python" | "jinja2")), by its msgid (a plural by
    its singular), with the message as extracted."""
    found: dict[str, str | tuple[str, ...]] = {}
    for path, method in sources:
        for _line, message, _comments, _context in extract_from_file(
                method, str(path), keywords=dict(keywords)):
            found[message if isinstance(message, str) else message[0]] = message
    return found


def known_dutch() -> dict[str, object]:
    """The Dutch of every msgid: translated catalog entries (a plural only when every form is)
    and whatever the pending area files hold."""
    with (TRANSLATIONS_DIR / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file)
    known: dict[str, object] = {
        (m.id if isinstance(m.id, str) else m.id[0]): m.string for m in catalog
        if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    for path in sorted(PENDING_DIR.glob("*.json")):
        known.update(json.loads(path.read_text(encoding="utf-8")))
    return known
