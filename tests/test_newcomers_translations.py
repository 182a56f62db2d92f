"""Every text newcomers meet (header, welcome, due date, error pages) has Dutch, placeholders kept.

New texts wait in ``pending/newcomers.json`` until ``scripts/translations.py`` merges them.
"""

from __future__ import annotations

import json
import re

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from ehealth.i18n import TRANSLATIONS_DIR
from tests.conftest import ROOT

TEMPLATES = ROOT / "ehealth" / "templates"
SOURCES = [TEMPLATES / name for name in (
    "base.html", "error.html", "client/home.html", "client/player.html", "client/_due_date.html",
    "auth/second_factor_setup.html", "player/steps/scale.html", "player/steps/goal.html")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
PENDING = TRANSLATIONS_DIR / "pending" / "newcomers.json"


def _messages() -> dict[str, str | tuple[str, ...]]:
    found: dict[str, str | tuple[str, ...]] = {}
    for path in SOURCES:
        for _line, message, _comments, _context in extract_from_file(
                "jinja2", str(path), keywords=KEYWORDS):
            key = message if isinstance(message, str) else message[0]
            found[key] = message
    return found


def _dutch() -> dict[str, object]:
    with (TRANSLATIONS_DIR / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file)
    known: dict[str, object] = {m.id if isinstance(m.id, str) else m.id[0]: m.string
                                for m in catalog if m.id and m.string}
    for path in sorted((TRANSLATIONS_DIR / "pending").glob("*.json")):
        known.update(json.loads(path.read_text(encoding="utf-8")))
    return known


def test_every_newcomer_text_has_a_dutch_translation() -> None:
    messages = _messages()
    assert "Menu" in messages
    assert "Welcome!" in messages
    dutch = _dutch()
    assert not sorted(m for m in messages if not dutch.get(m))


def test_the_pending_translations_are_used_warm_informal_and_keep_their_placeholders() -> None:
    messages = _messages()
    for msgid, translation in json.loads(PENDING.read_text(encoding="utf-8")).items():
        assert msgid in messages, msgid
        message = messages[msgid]
        if isinstance(message, tuple):  # a plural: one and other
            assert isinstance(translation, list), msgid
            assert len(translation) == 2, msgid
            texts = translation
        else:
            assert isinstance(translation, str), msgid
            texts = [translation]
        for text in texts:
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(msgid))
            assert not re.search(r"\b(u|uw)\b", text), msgid  # "je", as everywhere
