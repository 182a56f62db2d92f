"""Every admin page (and the client's access log): not cached, no inline script or style,
labelled tables; and every text of them has a Dutch translation with its placeholders."""

from __future__ import annotations

import json
import re

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from ehealth.database import connected
from ehealth.i18n import TRANSLATIONS_DIR
from ehealth.services import audit
from tests.admin.conftest import SignedIn
from tests.conftest import ROOT, World

PACKAGE = ROOT / "ehealth"
SOURCES = [
    *[(path, "python") for path in sorted((PACKAGE / "admin").glob("*.py"))],
    *[(PACKAGE / "services" / f"{name}.py", "python")
      for name in ("people", "library", "figures", "audit")],
    (PACKAGE / "client" / "access_log_routes.py", "python"),
    *[(path, "jinja2") for path in sorted((PACKAGE / "templates" / "admin").glob("*.html"))],
    (PACKAGE / "templates" / "client" / "access_log.html", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
PENDING = TRANSLATIONS_DIR / "pending" / "admin.json"
# The admin's menu entries live in ehealth/presentation.py; their Dutch waits here too.
MENU = ("People", "Module library", "Figures", "Access log")


def _msgids() -> set[str]:
    found: set[str] = set(MENU)
    for path, method in SOURCES:
        for _line, message, _comments, _context in extract_from_file(method, str(path),
                                                                     keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else message[0])
    return found


def _dutch() -> dict[str, object]:
    with (TRANSLATIONS_DIR / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file)
    known: dict[str, object] = {}
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and all(strings):
            known[message.id if isinstance(message.id, str) else message.id[0]] = \
                list(strings) if len(strings) > 1 else strings[0]
    known.update(json.loads(PENDING.read_text(encoding="utf-8")))
    return known


def test_every_admin_text_has_a_dutch_translation() -> None:
    dutch = _dutch()
    missing = sorted(msgid for msgid in _msgids() if not dutch.get(msgid))
    assert not missing, f"no Dutch for: {missing}"


def test_the_waiting_translations_are_all_in_use() -> None:
    pending = json.loads(PENDING.read_text(encoding="utf-8"))
    assert not set(pending) - _msgids(), "translations of texts no longer used"


def test_the_translations_keep_their_placeholders_and_say_je() -> None:
    dutch = _dutch()
    for msgid in _msgids():
        translations = dutch[msgid]
        for text in translations if isinstance(translations, list) else [translations]:
            assert sorted(PLACEHOLDER.findall(str(text))) == sorted(
                PLACEHOLDER.findall(msgid)), msgid
    for text in json.loads(PENDING.read_text(encoding="utf-8")).values():
        for line in text if isinstance(text, list) else [text]:
            assert not re.search(r"\b(u|uw)\b", line), line


def _pages(world: World) -> list[tuple[str, str]]:
    return [("admin", "/admin/"), ("admin", f"/admin/people/{world.client_a.id}"),
            ("admin", f"/admin/people/{world.therapist.id}"), ("admin", "/admin/library"),
            ("admin", "/admin/figures"), ("admin", "/admin/audit-log"),
            ("admin", "/admin/audit-log?since=not-a-date"), ("client_a", "/my-data/access-log")]


@pytest.mark.parametrize("number", range(8))
def test_every_page_is_private_has_no_inline_code_and_labels_its_tables(
    signed_in: SignedIn, world: World, number: int
) -> None:
    with connected():
        audit.record(world.therapist, audit.ANSWERS_VIEWED, client=world.client_a)
    role, path = _pages(world)[number]
    response = signed_in(role).get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, path
    assert response.headers["Cache-Control"] == "no-store", path
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), path
    assert "<style" not in page
    assert not re.search(r"\sstyle=", page), path
    assert not re.search(r"\son[a-z]+=", page), path
    tables = page.count("<table")
    assert page.count('role="region"') == tables, path  # every table scrolls in a region
    assert page.count('<th scope="col">') >= 2 * tables, path
    for field_id in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', page):
        assert f'for="{field_id}"' in page, (path, field_id)
