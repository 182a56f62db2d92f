"""Languages of the interface: Dutch first, English too.

Translations live as ``.po`` files in ``ehealth/translations``; they are compiled to ``.mo`` at
start-up when missing or older than their source, so a fresh checkout needs no build step.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, request
from flask_login import current_user

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}
LANGUAGE_COOKIE = "lang"


def compile_translations() -> None:
    """Compile every ``.po`` file whose ``.mo`` is missing or stale."""
    for po_path in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        temporary = mo_path.with_suffix(".mo.tmp")
        with temporary.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        temporary.replace(mo_path)


def select_locale() -> str:
    """The visitor's choice (cookie), else their account's language, else the browser's
    preference, else Dutch."""
    languages: list[str] = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return str(chosen)
    account_language = getattr(current_user, "language", None)
    if account_language in languages:
        return str(account_language)
    best = request.accept_languages.best_match(languages)
    return best or current_app.config["DEFAULT_LANGUAGE"]
