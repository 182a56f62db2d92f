"""Every text of the media library has Dutch, with its placeholders kept."""

from __future__ import annotations

import json
import re

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from ehealth.i18n import TRANSLATIONS_DIR
from tests.conftest import ROOT

SOURCES = [("python", ROOT / "ehealth" / "author" / "media_routes.py"),
           ("jinja2", ROOT / "ehealth" / "templates" / "author" / "media.html"),
           ("jinja2", ROOT / "ehealth" / "templates" / "author" / "_media.html")]
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
PENDING = TRANSLATIONS_DIR / "pending" / "author-media.json"


def _messages() -> set[str]:
    return {str(message) for method, path in SOURCES
            for _line, message, _comments, _context in extract_from_file(
                method, str(path), keywords=KEYWORDS)}


def _dutch() -> dict[str, object]:
    with (TRANSLATIONS_DIR / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file)
    known: dict[str, object] = {str(m.id): m.string for m in catalog if m.id and m.string}
    for path in sorted((TRANSLATIONS_DIR / "pending").glob("*.json")):
        known.update(json.loads(path.read_text(encoding="utf-8")))
    return known


def test_every_media_library_text_has_dutch() -> None:
    messages = _messages()
    assert "Media library" in messages
    assert len(messages) > 40
    dutch = _dutch()
    assert sorted(m for m in messages if not dutch.get(m)) == []


def test_the_dutch_keeps_every_placeholder() -> None:
    messages = _messages()
    for msgid, translation in json.loads(PENDING.read_text(encoding="utf-8")).items():
        assert msgid in messages, msgid
        assert sorted(PLACEHOLDER.findall(str(translation))) == sorted(
            PLACEHOLDER.findall(msgid)), msgid
