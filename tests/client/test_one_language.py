"""One language per page: the switch, else the account's language, else the browser's, else Dutch.

The interface and the module texts on a page follow the same choice; a module that does not offer
that language stays in its own (and the page marks that part with ``lang``).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ehealth import create_app
from ehealth.database import connected
from ehealth.models import User
from tests.conftest import (
    FIXTURE_MODULES,
    World,
    _close_database,
    csrf_token,
    login,
    make_config,
    make_world,
)

DUTCH_TITLE, ENGLISH_TITLE = "Een kleine stap", "One small step"


def _as(app: Flask, user: User, account_language: str, cookie: str | None = None,
        browser_language: str | None = None) -> FlaskClient:
    with connected():
        User.update(language=account_language).where(User.id == user.id).execute()
    test_client = app.test_client()
    test_client.environ_base["HTTP_REFERER"] = "https://localhost/"
    if browser_language:
        test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = browser_language
    if cookie:
        test_client.set_cookie("lang", cookie)
    login(test_client, user)
    return test_client


def _html_lang(page: str) -> str:
    match = re.search(r'<html lang="(\w+)">', page)
    assert match
    return match.group(1)


def _player(test_client: FlaskClient, world: World, step: str = "welkom") -> str:
    response = test_client.get(f"/assignments/{world.assignment_a.id}/steps/{step}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_switch_decides_the_module_text_too(app: Flask, world: World) -> None:
    """An English account that switched to Dutch reads the module in Dutch, not in English."""
    test_client = _as(app, world.client_a, "en", cookie="nl")
    page = _player(test_client, world)
    assert _html_lang(page) == "nl"
    assert f'<h1 class="player__module">{DUTCH_TITLE}</h1>' in page
    assert '<article class="page player">' in page  # one language: no lang of its own
    assert "Volgende" in page
    home = test_client.get("/my-modules").get_data(as_text=True)
    assert DUTCH_TITLE in home
    assert ENGLISH_TITLE not in home


def test_without_a_switch_the_account_language_decides_over_the_browser(
        app: Flask, world: World) -> None:
    test_client = _as(app, world.client_a, "en", browser_language="nl-NL,nl;q=0.9")
    page = _player(test_client, world)
    assert _html_lang(page) == "en"
    assert f'<h1 class="player__module">{ENGLISH_TITLE}</h1>' in page
    assert "Next" in page


def test_a_dutch_account_on_an_english_page_reads_the_module_in_english(
        app: Flask, world: World) -> None:
    test_client = _as(app, world.client_a, "nl", cookie="en")
    page = _player(test_client, world)
    assert _html_lang(page) == "en"
    assert f'<h1 class="player__module">{ENGLISH_TITLE}</h1>' in page
    finished = test_client.get(f"/assignments/{world.assignment_a.id}/done")
    assert ENGLISH_TITLE in finished.get_data(as_text=True)


def _without_english(data: Any) -> Any:
    """The document with every English text taken out (a module offered in Dutch only)."""
    if isinstance(data, dict):
        if set(data) == {"nl", "en"}:
            return {"nl": data["nl"]}
        return {key: _without_english(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_without_english(value) for value in data]
    return data


@pytest.fixture
def dutch_only_app(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    """The app over the voorbeeld module offered in Dutch only."""
    folder = tmp_path / "modules" / "voorbeeld"
    shutil.copytree(FIXTURE_MODULES / "voorbeeld", folder)
    for path in folder.rglob("*.json"):
        data = _without_english(json.loads(path.read_text(encoding="utf-8")))
        if path.name == "module.json":
            data["languages"] = ["nl"]
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    application = create_app(make_config(database_url, MODULES_DIR=tmp_path / "modules"))
    yield application
    _close_database()


def test_a_module_offered_only_in_dutch_stays_dutch_and_says_so(dutch_only_app: Flask) -> None:
    world = make_world()
    test_client = _as(dutch_only_app, world.client_a, "en", cookie="en")
    page = _player(test_client, world)
    assert _html_lang(page) == "en"
    assert '<article class="page player" lang="nl">' in page
    assert f'<h1 class="player__module">{DUTCH_TITLE}</h1>' in page
    home = test_client.get("/my-modules").get_data(as_text=True)
    assert '<li class="assignment-card" lang="nl">' in home
    assert "My modules" in home


def test_the_autosave_conflict_panel_is_in_the_pages_language(app: Flask, world: World) -> None:
    """The stored version the player shows next to the typed one is part of the page."""
    test_client = _as(app, world.client_a, "nl", cookie="en")
    token = csrf_token(test_client, f"/assignments/{world.assignment_a.id}/steps/terugblik")
    url = f"/api/v1/assignments/{world.assignment_a.id}/steps/terugblik/form"
    for text in ("In het andere tabblad", "In dit tabblad"):
        response = test_client.put(url, json={"fields": {"q.trots": [text]}, "revision": 0},
                                   headers={"X-CSRFToken": token})
    assert response.status_code == 409
    html = response.get_json()["current"]["html"]
    assert "What are you proud of?" in html
    assert "In het andere tabblad" in html
