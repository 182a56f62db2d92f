"""Error pages speak the page's language: no English status names on a Dutch page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient

from ehealth import create_app
from tests.conftest import _close_database, make_config

CODES = (403, 404, 405, 409, 410, 418, 500, 503)


@pytest.fixture
def app_with_errors(database_url: str) -> Iterator[Flask]:
    """The app, plus a page that answers with each HTTP error, and one that breaks."""
    application = create_app(make_config(database_url))

    @application.get("/__error/<int:code>")
    def _error(code: int) -> str:
        abort(code)

    @application.get("/__broken")
    def _broken() -> str:
        raise RuntimeError("a bug")

    yield application
    _close_database()


def _dutch(app: Flask) -> FlaskClient:
    test_client = app.test_client()
    test_client.set_cookie("lang", "nl")
    return test_client


def _main(page: str) -> str:
    match = re.search(r"<main.*?</main>", page, re.S)
    assert match
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0))).strip()


def _title(page: str) -> str:
    match = re.search(r"<title>(.*?)</title>", page, re.S)
    assert match
    return match.group(1)


@pytest.mark.parametrize("code", CODES)
def test_an_error_page_shows_no_english_status_name(app_with_errors: Flask, code: int) -> None:
    from werkzeug.http import HTTP_STATUS_CODES

    response = _dutch(app_with_errors).get(f"/__error/{code}")
    assert response.status_code == code
    page = response.get_data(as_text=True)
    name = HTTP_STATUS_CODES[code]
    assert name not in _main(page)
    assert name not in _title(page).replace("&#39;", "'")
    assert '<html lang="nl">' in page


@pytest.mark.parametrize(("path", "heading", "text"), [
    ("/__error/403", "Geen toegang", "Je hebt geen toegang tot deze pagina."),
    ("/__error/404", "Pagina niet gevonden", "Deze pagina bestaat niet (meer)."),
    ("/__error/405", "Dit kan zo niet", "Ga terug en gebruik de knoppen op de pagina."),
    ("/__error/500", "Er ging iets mis", "Wat je hebt ingevuld is niet verloren."),
    ("/__broken", "Er ging iets mis", "Geef dan deze code door aan je contactpersoon"),
])
def test_a_dutch_error_page_is_dutch(app_with_errors: Flask, path: str, heading: str,
                                     text: str) -> None:
    page = _dutch(app_with_errors).get(path).get_data(as_text=True)
    assert f"<h1>{heading}</h1>" in page
    assert text in _main(page)
    assert _title(page).startswith(heading)
    assert "Terug naar de modules" in page
