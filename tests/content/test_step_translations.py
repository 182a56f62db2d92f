"""Every text of the step types (names, help texts, templates) has its Dutch translation."""

from __future__ import annotations

import json
import re

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from ehealth.i18n import TRANSLATIONS_DIR
from tests.conftest import ROOT

PACKAGE = ROOT / "ehealth"
TEMPLATES = PACKAGE / "templates"
SOURCES = [
    *[(path, "python") for path in sorted((PACKAGE / "content" / "steps").glob("*.py"))],
    *[(path, "jinja2") for path in sorted((TEMPLATES / "steps").rglob("*.html"))],
    *[(path, "jinja2") for path in sorted((TEMPLATES / "player").rglob("*.html"))],
]
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
PENDING = TRANSLATIONS_DIR / "pending"
OWN = PENDING / "steps.json"


def _messages() -> dict[str, str | tuple[str, ...]]:
    found: dict[str, str | tuple[str, ...]] = {}
    for path, method in SOURCES:
        for _line, message, _comments, _context in extract_from_file(method, str(path),
                                                                     keywords=KEYWORDS):
            found[message if isinstance(message, str) else message[0]] = message
    return found


def _dutch() -> dict[str, object]:
    with (TRANSLATIONS_DIR / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file)
    known: dict[str, object] = {
        (m.id if isinstance(m.id, str) else m.id[0]): m.string for m in catalog
        if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    for path in sorted(PENDING.glob("*.json")):
        known.update(json.loads(path.read_text(encoding="utf-8")))
    return known


def test_every_step_type_text_has_a_dutch_translation() -> None:
    messages = _messages()
    assert len(messages) > 100
    dutch = _dutch()
    missing = sorted(msgid for msgid in messages if not dutch.get(msgid))
    assert not missing, f"no Dutch for: {missing}"


def test_the_step_translations_keep_their_placeholders_and_plural_forms() -> None:
    messages = _messages()
    for msgid, translation in json.loads(OWN.read_text(encoding="utf-8")).items():
        assert msgid in messages, f"not used by the step types: {msgid}"
        if isinstance(messages[msgid], tuple):
            assert isinstance(translation, list), msgid
            assert len(translation) == 2, msgid
        forms = translation if isinstance(translation, list) else [translation]
        for form in forms:
            assert sorted(set(PLACEHOLDER.findall(form))) == sorted(
                set(PLACEHOLDER.findall(msgid))), msgid


def test_the_dutch_speaks_to_the_client_informally() -> None:
    text = " ".join(str(value) for value in json.loads(OWN.read_text(encoding="utf-8")).values())
    assert " je " in f" {text} "
    assert not re.search(r"\b(u|uw)\b", text), "write je/jouw, not u/uw"
