"""Every text of the account screens and mails has a Dutch translation, placeholders intact."""

from __future__ import annotations

import json
import re

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from ehealth.i18n import TRANSLATIONS_DIR
from tests.conftest import ROOT

PACKAGE = ROOT / "ehealth"
SOURCES = [
    *[(path, "python") for path in sorted((PACKAGE / "auth").glob("*.py"))],
    (PACKAGE / "services" / "accounts.py", "python"),
    (PACKAGE / "rate_limits.py", "python"),
    *[(path, "jinja2") for path in sorted((PACKAGE / "templates" / "auth").glob("*.html"))],
]
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
# The Dutch of the account area waits in these files until scripts/translations.py merges it.
PENDING = [TRANSLATIONS_DIR / "pending" / name for name in ("auth.json", "login-hardening.json")]


def _msgids() -> set[str]:
    found: set[str] = set()
    for path, method in SOURCES:
        for _line, message, _comments, _context in extract_from_file(method, str(path),
                                                                     keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else message[0])
    return found


def _dutch() -> dict[str, object]:
    with (TRANSLATIONS_DIR / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file)
    known: dict[str, object] = {
        (m.id if isinstance(m.id, str) else m.id[0]): m.string for m in catalog if m.id and m.string
    }
    for pending in PENDING:
        if pending.exists():
            known.update(json.loads(pending.read_text(encoding="utf-8")))
    return known


def test_every_account_text_has_a_dutch_translation() -> None:
    msgids = _msgids()
    assert len(msgids) > 50
    dutch = _dutch()
    missing = sorted(msgid for msgid in msgids if not dutch.get(msgid))
    assert not missing, f"no Dutch for: {missing}"


def test_translations_keep_their_placeholders() -> None:
    dutch = _dutch()
    for msgid in _msgids():
        translations = dutch[msgid]
        for translation in translations if isinstance(translations, list) else [translations]:
            assert sorted(PLACEHOLDER.findall(str(translation))) == sorted(
                PLACEHOLDER.findall(msgid)), msgid


def test_the_dutch_says_je_not_u() -> None:
    for pending in PENDING:
        if not pending.exists():
            continue
        for text in json.loads(pending.read_text(encoding="utf-8")).values():
            assert not re.search(r"\b(u|uw)\b", str(text)), text
