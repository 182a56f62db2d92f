"""Every text of the author's module pages (list, review, history, zips) and of the admin's
four-eyes setting has Dutch, with the same placeholders and plural forms."""

from __future__ import annotations

import json
import re

from ehealth.i18n import TRANSLATIONS_DIR
from tests.conftest import ROOT
from tests.translations_support import extracted, known_dutch

PACKAGE = ROOT / "ehealth"
TEMPLATES = PACKAGE / "templates" / "author"
SOURCES = [
    *[(PACKAGE / "author" / name, "python")
      for name in ("modules_routes.py", "forms.py", "review_view.py")],
    *[(TEMPLATES / name, "jinja2") for name in (
        "_parts.html", "_diff.html", "modules.html", "new.html", "copy.html", "review.html",
        "history.html", "compare.html", "import.html")],
    (PACKAGE / "admin" / "library_routes.py", "python"),
    (PACKAGE / "services" / "audit.py", "python"),
    (PACKAGE / "templates" / "admin" / "library.html", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
PENDING = TRANSLATIONS_DIR / "pending" / "author-modules.json"


def _messages() -> dict[str, str | tuple[str, ...]]:
    return extracted(SOURCES, KEYWORDS)


def _dutch() -> dict[str, object]:
    return known_dutch()


def test_every_text_of_the_module_pages_has_dutch() -> None:
    messages = _messages()
    assert len(messages) > 150
    dutch = _dutch()
    missing = sorted(msgid for msgid in messages if not dutch.get(msgid))
    assert not missing, f"no Dutch for: {missing}"


def test_the_dutch_keeps_placeholders_and_plural_forms() -> None:
    messages = _messages()
    for msgid, translation in json.loads(PENDING.read_text(encoding="utf-8")).items():
        assert msgid in messages, f"not used any more: {msgid}"
        source = messages[msgid]
        if isinstance(source, tuple):
            assert isinstance(translation, list), msgid
            assert len(translation) == 2, msgid
        forms = translation if isinstance(translation, list) else [translation]
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) <= set(PLACEHOLDER.findall(msgid)), msgid


def test_the_dutch_speaks_of_concepten_and_beheerders() -> None:
    pending = json.loads(PENDING.read_text(encoding="utf-8"))
    values = " ".join(" ".join(v) if isinstance(v, list) else v for v in pending.values())
    assert "concept" in values
    assert "beheerder" in values
    assert not re.search(r"\b(draft|admin|review)\b", values.lower())
