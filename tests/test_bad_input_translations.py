"""Every text of the bad-input guards and the error pages has Dutch, placeholders kept."""

from __future__ import annotations

import json
import re

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from ehealth.i18n import TRANSLATIONS_DIR
from tests.conftest import ROOT

PACKAGE = ROOT / "ehealth"
SOURCES = [
    (PACKAGE / "input_guard.py", "python"),
    (PACKAGE / "admin" / "filters.py", "python"),
    (PACKAGE / "templates" / "error.html", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
PENDING = TRANSLATIONS_DIR / "pending" / "bad-input.json"


def _messages() -> set[str]:
    found = set()
    for path, method in SOURCES:
        for _line, message, _comments, _context in extract_from_file(method, str(path),
                                                                     keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else message[0])
    return found


def _dutch() -> dict[str, object]:
    with (TRANSLATIONS_DIR / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file)
    known: dict[str, object] = {m.id: m.string for m in catalog
                                if isinstance(m.id, str) and m.string}
    for path in sorted((TRANSLATIONS_DIR / "pending").glob("*.json")):
        known.update(json.loads(path.read_text(encoding="utf-8")))
    return known


def test_every_bad_input_and_error_page_text_has_a_dutch_translation() -> None:
    messages = _messages()
    assert len(messages) > 20
    dutch = _dutch()
    assert not sorted(m for m in messages if not dutch.get(m))


def test_the_pending_translations_are_used_and_keep_their_placeholders() -> None:
    messages = _messages()
    for msgid, translation in json.loads(PENDING.read_text(encoding="utf-8")).items():
        assert msgid in messages, msgid
        assert isinstance(translation, str), msgid
        assert sorted(PLACEHOLDER.findall(translation)) == sorted(PLACEHOLDER.findall(msgid))
        assert not re.search(r"\b(u|uw)\b", translation), msgid  # "je", as everywhere
