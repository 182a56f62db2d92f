"""Languages of the page: Dutch first, English too.

One page has one language, chosen once per request by ``select_locale``: the visitor's switch,
else their account's language, else the browser's preference, else Dutch. The interface
(Flask-Babel) and the module texts on the page both follow it (``page_language``,
``module_language``); a module that does not offer that language is shown in its own first
language, and the templates mark that part with ``lang``.

Translations live as ``.po`` files in ``ehealth/translations``; they are compiled to ``.mo`` at
start-up when missing or older than their source, so a fresh checkout needs no build step.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, request
from flask_babel import get_locale
from flask_login import current_user

if TYPE_CHECKING:
    from ehealth.content.loader import Module

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


def page_language() -> str:
    """The language of this page (``select_locale``'s choice, made once per request)."""
    locale = get_locale()
    return str(locale) if locale is not None else str(current_app.config["DEFAULT_LANGUAGE"])


def module_language(module: Module) -> str:
    """The language to show ``module``'s texts in on this page: the page's, when it offers it."""
    return module.language_for(page_language())
