"""Every text of the step types (names, help texts, templates) has its Dutch translation."""

from __future__ import annotations

import json
import re

from ehealth.i18n import TRANSLATIONS_DIR
from tests.conftest import ROOT
from tests.translations_support import extracted, known_dutch

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
    return extracted(SOURCES, KEYWORDS)


def _dutch() -> dict[str, object]:
    return known_dutch()


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
