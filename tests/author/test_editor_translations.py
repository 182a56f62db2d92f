"""Every text of the editor and the preview has Dutch, with its placeholders kept.

New texts wait in ``pending/author-editor.json`` until ``scripts/translations.py`` merges them.
"""

from __future__ import annotations

import json
import re

from ehealth.i18n import TRANSLATIONS_DIR
from tests.conftest import ROOT
from tests.translations_support import extracted, known_dutch

TEMPLATES = ROOT / "ehealth" / "templates" / "author"
SOURCES = [("python", ROOT / "ehealth" / "author" / name)
           for name in ("editor_routes.py", "editor_forms.py")] + [
    ("jinja2", TEMPLATES / name) for name in (
        "_fields.html", "_messages.html", "_checks.html", "_submit.html", "_editor_top.html",
        "_editor_form_open.html", "_savebar.html", "editor.html", "editor_lesson.html",
        "_conflict.html", "editor_conflict.html", "editor_json.html", "writing_guide.html",
        "preview.html", "preview_end.html", "preview_empty.html")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
PENDING = TRANSLATIONS_DIR / "pending" / "author-editor.json"


def _messages() -> dict[str, str | tuple[str, ...]]:
    return extracted(((path, kind) for kind, path in SOURCES), KEYWORDS)


def _dutch() -> dict[str, object]:
    return known_dutch()


def test_every_editor_text_has_a_dutch_translation() -> None:
    messages = _messages()
    assert "Missing translation" in messages
    assert "Saved at %(time)s." in messages
    dutch = _dutch()
    assert not sorted(m for m in messages if not dutch.get(m))
    assert dutch["Saved at %(time)s."] == "Opgeslagen om %(time)s."
    assert str(dutch["Not saved: %(reason)s"]).startswith("Niet opgeslagen: ")


def test_the_pending_translations_are_used_and_keep_their_placeholders() -> None:
    messages = _messages()
    for msgid, translation in json.loads(PENDING.read_text(encoding="utf-8")).items():
        assert msgid in messages, msgid
        texts = translation if isinstance(translation, list) else [translation]
        assert isinstance(messages[msgid], tuple) == isinstance(translation, list), msgid
        for text in texts:
            assert sorted(set(PLACEHOLDER.findall(text))) <= sorted(
                set(PLACEHOLDER.findall(msgid if isinstance(messages[msgid], str)
                                        else " ".join(messages[msgid])))), msgid
            assert not re.search(r"\b(u|uw)\b", text), msgid  # "je", as everywhere
