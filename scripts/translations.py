"""Maintain the interface translations: extract messages and update the .po catalogs.

    python scripts/translations.py      # after adding or changing user-visible strings

Then fill in the empty Dutch entries in ehealth/translations/nl/LC_MESSAGES/messages.po.
The app compiles .po to .mo itself at start-up.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "ehealth" / "translations" / "messages.pot"


def main() -> int:
    """Extract messages into the template and merge them into every catalog."""
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "lazy_gettext", "-o", str(POT), "--no-location", "--sort-output",
         "--project", "ehealth", "ehealth"],
        check=True, cwd=ROOT,
    )
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "babel.messages.frontend", "update", "-i", str(POT),
         "-d", "ehealth/translations", "--no-fuzzy-matching"],
        check=True, cwd=ROOT,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
