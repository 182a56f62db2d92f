"""The author's module list, new modules and copies of library modules, through the pages."""

from __future__ import annotations

import re

from flask import Flask

from ehealth.database import connected
from ehealth.models import AuditEvent, ModuleDraft
from ehealth.presentation import home_endpoint
from ehealth.services import authoring
from tests.author.modules_support import (
    browser,
    copy_of_voorbeeld,
    follow,
    library_version,
    page,
    post,
    published,
    retitle,
    submitted,
)
from tests.conftest import World, login


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def _item(html: str, module_id: str) -> str:
    """The list item of one module."""
    match = re.search(rf'<li class="author-list__item[^"]*" id="module-{module_id}">(.*?)</li>',
                      html, re.S)
    assert match, module_id
    return _text(match.group(1))


def test_the_list_shows_each_module_of_the_organisation_with_its_state(
        app: Flask, world: World) -> None:
    author, admin = world.person("author"), world.person("admin")
    copy_of_voorbeeld(author, "oost-concept")
    waiting = copy_of_voorbeeld(author, "oost-wacht")
    submitted(author, waiting.get_id())
    version = published(author, admin, "oost-eigen")
    published(author, admin, "oost-ander")
    with connected():
        changing = authoring.edit_published(author, "oost-ander")
    retitle(author, changing.get_id(), "welkom", "Hallo", "Hello")

    html = page(browser(app, author), "/author/")
    assert "<strong>Draft</strong>" in _item(html, "oost-concept")
    assert "<strong>In review</strong>" in _item(html, "oost-wacht")
    own = _item(html, "oost-eigen")
    assert "<strong>Published</strong> · version 1.0.0 of" in own
    assert f'href="/author/versions/{version.get_id()}/export"' in own
    assert "<strong>Published, with unpublished changes</strong>" in _item(html, "oost-ander")
    assert "Copied from</dt><dd><code>voorbeeld 1.0.0</code>" in _item(html, "oost-concept")
    # Waiting for review, with a link to read it.
    assert f'href="/author/drafts/{waiting.get_id()}/review"' in html
    # The shipped library, to copy from.
    library = re.search(r'id="library-voorbeeld">(.*?)</li>', html, re.S)
    assert library
    assert 'href="/author/copy/voorbeeld"' in library.group(1)
    # Zorg West's admin sees none of it in their own list.
    west = page(browser(app, world.person("other_admin")), "/author/")
    assert "oost-" not in west
    assert 'href="/author/copy/voorbeeld"' in west


def test_a_new_blank_module_is_made_from_an_id_a_title_and_languages(
        app: Flask, world: World) -> None:
    author = browser(app, world.person("author"))
    form = page(author, "/author/new")
    assert 'id="languages" name="languages" value="nl" checked' in form
    response = post(author, "/author/new", {"module_id": "slapen", "title": "Beter slapen",
                                            "languages": ["nl"]})
    assert response.status_code == 303
    with connected():
        draft = ModuleDraft.get(ModuleDraft.module_id == "slapen")
        assert draft.content["module"]["languages"] == ["nl"]
        assert draft.content["module"]["title"] == {"nl": "Beter slapen"}
        assert draft.organisation.name == "Zorg Oost"
        assert AuditEvent.select().where(AuditEvent.action == "module.draft_created",
                                         AuditEvent.object_id == "slapen").exists()
    assert "The module “Beter slapen” is a draft of your organisation now." in follow(
        author, response)


def test_a_new_module_with_mistakes_is_explained_and_nothing_is_stored(
        app: Flask, world: World) -> None:
    author = browser(app, world.person("author"))
    response = post(author, "/author/new", {"module_id": "Mijn Module!", "title": " "})
    html = _text(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "Lower-case letters and digits, joined by - or _" in html
    assert "Give the module a title." in html
    assert "Choose at least one language." in html
    assert '<a href="#module_id">' in html
    taken = post(author, "/author/new", {"module_id": "voorbeeld", "title": "Nog een",
                                         "languages": ["nl", "en"]})
    assert taken.status_code == 422
    assert "The id “voorbeeld” is already used by another module or draft." in taken.get_data(
        as_text=True)
    with connected():
        assert ModuleDraft.select().count() == 0


def test_a_library_module_is_copied_into_the_organisation_with_its_origin(
        app: Flask, world: World) -> None:
    author = browser(app, world.person("author"))
    form = page(author, "/author/copy/voorbeeld")
    assert 'value="zorg-oost-voorbeeld"' in form  # a suggested id that is free
    response = post(author, "/author/copy/voorbeeld", {"module_id": "onze-stap"})
    assert response.status_code == 303
    with connected():
        draft = ModuleDraft.get(ModuleDraft.module_id == "onze-stap")
        assert draft.__data__["origin_version"] == library_version().get_id()
        assert draft.content["module"]["id"] == "onze-stap"
    assert "Copied from</dt><dd><code>voorbeeld 1.0.0</code>" in _item(
        page(author, "/author/"), "onze-stap")
    assert "voorbeeld 1.0.0" in page(author, f"/author/drafts/{draft.get_id()}/review")
    # The copy's id is now in use; copying an unknown or another organisation's module is 404.
    again = post(author, "/author/copy/voorbeeld", {"module_id": "onze-stap"})
    assert again.status_code == 422
    page(author, "/author/copy/bestaat-niet", 404)


def test_authors_start_on_their_modules_and_admins_find_them_in_the_menu(
        app: Flask, world: World) -> None:
    with app.test_request_context():
        assert home_endpoint("author") == "author.modules"
        assert home_endpoint("admin") == "admin.people"
    for role in ("author", "admin"):
        test_client = browser(app)
        login(test_client, world.person(role))
        html = page(test_client, "/author/")
        assert '<a href="/author/" aria-current="page">Write modules</a>' in html
    therapist = page(browser(app, world.person("own_therapist")), "/therapist/")
    assert 'href="/author/"' not in therapist
