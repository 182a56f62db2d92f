"""Maintain the interface translations: extract messages and update the .po catalogs.

    python scripts/translations.py      # after adding or changing user-visible strings

Dutch translations waiting in ehealth/translations/pending/*.json ({"msgid": "Dutch"}, plurals
as ["one", "other"]) are merged into nl/LC_MESSAGES/messages.po (delete each file once its
merge is committed).
Whatever is still untranslated afterwards is listed. The app compiles .po to .mo at start-up.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "ehealth" / "translations" / "messages.pot"
DUTCH = ROOT / "ehealth" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
PENDING = ROOT / "ehealth" / "translations" / "pending"


def merge_pending() -> list[str]:
    """Fill the Dutch catalog from pending/*.json; return the msgids still untranslated."""
    with DUTCH.open("rb") as handle:
        catalog = read_po(handle, locale="nl")
    for path in sorted(PENDING.glob("*.json")):
        for msgid, translation in json.loads(path.read_text(encoding="utf-8")).items():
            message = catalog.get(msgid)
            if message is None:
                continue
            message.string = tuple(translation) if isinstance(translation, list) else translation
            message.flags.discard("fuzzy")
    with DUTCH.open("wb") as handle:
        write_po(handle, catalog, width=100, no_location=True, ignore_obsolete=True)
    return [str(m.id) for m in catalog
            if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]


def main() -> int:
    """Extract messages into the template and merge them into every catalog."""
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "lazy_gettext", "-k", "_l", "-o", str(POT), "--no-location", "--sort-output",
         "--project", "ehealth", "ehealth"],
        check=True, cwd=ROOT,
    )
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "babel.messages.frontend", "update", "-i", str(POT),
         "-d", "ehealth/translations", "--no-fuzzy-matching"],
        check=True, cwd=ROOT,
    )
    missing = merge_pending()
    for msgid in missing:
        print(f"untranslated: {msgid}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
