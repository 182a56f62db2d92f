"""Every text newcomers meet (header, welcome, due date, error pages) has Dutch, placeholders kept.

New texts wait in ``pending/newcomers.json`` until ``scripts/translations.py`` merges them.
"""

from __future__ import annotations

import json
import re

from ehealth.i18n import TRANSLATIONS_DIR
from tests.conftest import ROOT
from tests.translations_support import extracted, known_dutch

TEMPLATES = ROOT / "ehealth" / "templates"
SOURCES = [TEMPLATES / name for name in (
    "base.html", "error.html", "client/home.html", "client/player.html", "client/_due_date.html",
    "auth/second_factor_setup.html", "player/steps/scale.html", "player/steps/goal.html")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
PENDING = TRANSLATIONS_DIR / "pending" / "newcomers.json"


def _messages() -> dict[str, str | tuple[str, ...]]:
    return extracted(((path, "jinja2") for path in SOURCES), KEYWORDS)


def _dutch() -> dict[str, object]:
    return known_dutch()


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
