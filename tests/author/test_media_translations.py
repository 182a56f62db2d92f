"""Every text of the media library has Dutch, with its placeholders kept."""

from __future__ import annotations

import json
import re

from ehealth.i18n import TRANSLATIONS_DIR
from tests.conftest import ROOT
from tests.translations_support import extracted, known_dutch

SOURCES = [("python", ROOT / "ehealth" / "author" / "media_routes.py"),
           ("jinja2", ROOT / "ehealth" / "templates" / "author" / "media.html"),
           ("jinja2", ROOT / "ehealth" / "templates" / "author" / "_media.html")]
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
PENDING = TRANSLATIONS_DIR / "pending" / "author-media.json"


def _messages() -> set[str]:
    return {str(message) for message in extracted(
        ((path, method) for method, path in SOURCES), KEYWORDS).values()}


def _dutch() -> dict[str, object]:
    return known_dutch()


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
