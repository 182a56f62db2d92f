"""Every text of the therapist area (and of the feedback the client sees) has Dutch."""

from __future__ import annotations

import json
import re

from ehealth.i18n import TRANSLATIONS_DIR
from tests.conftest import ROOT
from tests.translations_support import extracted, known_dutch

PACKAGE = ROOT / "ehealth"
SOURCES = [
    *[(path, "python") for path in sorted((PACKAGE / "therapist").glob("*.py"))],
    *[(PACKAGE / "services" / f"{name}.py", "python")
      for name in ("caseload", "client_record", "feedback", "assigning")],
    *[(path, "jinja2") for path in sorted((PACKAGE / "templates" / "therapist").glob("*.html"))],
    (PACKAGE / "templates" / "client" / "home.html", "jinja2"),
    (PACKAGE / "templates" / "client" / "player.html", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
PENDING = TRANSLATIONS_DIR / "pending" / "therapist.json"


def _messages() -> dict[str, str | tuple[str, ...]]:
    return extracted(SOURCES, KEYWORDS)


def _dutch() -> dict[str, object]:
    return known_dutch()


def test_every_therapist_text_has_a_dutch_translation() -> None:
    messages = _messages()
    assert len(messages) > 100
    dutch = _dutch()
    missing = sorted(msgid for msgid in messages if not dutch.get(msgid))
    assert not missing, f"no Dutch for: {missing}"


def test_translations_keep_their_placeholders_and_plural_forms() -> None:
    messages = _messages()
    for msgid, translation in json.loads(PENDING.read_text(encoding="utf-8")).items():
        assert msgid in messages or msgid in _dutch(), msgid
        source = messages.get(msgid, msgid)
        if isinstance(source, tuple):
            assert isinstance(translation, list), msgid
            assert len(translation) == 2, msgid
        forms = translation if isinstance(translation, list) else [translation]
        for form in forms:
            assert sorted(set(PLACEHOLDER.findall(form))) == sorted(
                set(PLACEHOLDER.findall(msgid))), msgid


def test_the_dutch_speaks_of_clienten_and_behandelaars() -> None:
    pending = json.loads(PENDING.read_text(encoding="utf-8"))
    text = " ".join(str(value) for value in pending.values())
    assert "cliënt" in text
    assert "client " not in text.lower().replace("cliënt", "")
    assert "behandelaar" in json.dumps(pending, ensure_ascii=False)
