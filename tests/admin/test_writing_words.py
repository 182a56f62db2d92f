"""The organisation's own words to avoid: kept by its admins, used by its editor only."""

from __future__ import annotations

import copy

import pytest
from flask import Flask

from ehealth.database import connected
from ehealth.models import AuditEvent, ModuleVersion, Organisation
from ehealth.services import authoring, draft_editing, writing_words
from tests.author.modules_support import browser, page, post
from tests.conftest import FIXTURE_MEDIA, World


def _organisation(world: World, role: str) -> Organisation:
    with connected():
        organisation: Organisation = Organisation.get_by_id(
            world.person(role).__data__["organisation"])
    return organisation


def test_an_admin_adds_a_word_and_the_editor_warns_about_it_in_their_organisation_only(
        app: Flask, world: World) -> None:
    admin = browser(app, world.person("admin"))
    response = post(admin, "/admin/writing-words",
                    {"language": "nl", "word": "  behandeltraject ", "alternative": "je hulp"})
    assert response.status_code == 303
    listed = page(admin, "/admin/library")
    assert "behandeltraject" in listed
    assert "je hulp" in listed
    with connected():
        assert AuditEvent.select().where(
            AuditEvent.action == "organisation.avoid_word_added").count() == 1
        version = ModuleVersion.get(ModuleVersion.module_id == "voorbeeld")
        draft = authoring.copy_module(world.person("author"), version, "eigen-voorbeeld")
        lesson = draft.content["module"]["lessons"][0]
        step = copy.deepcopy(draft.content["lessons"][lesson]["steps"][0])
        step["title"] = {"nl": "Je behandeltrajecten", "en": "Your care"}
        saved = authoring.save_draft(world.person("author"), draft.get_id(), draft.revision,
                                     {f"step:{step['id']}": step}, FIXTURE_MEDIA)
        warnings = draft_editing.check_draft(saved.draft, FIXTURE_MEDIA).warnings
        assert [w.suggestion for w in warnings if "behandeltraject" in w.message.lower()]
        # Zorg West's list is its own: the word means nothing there.
        assert writing_words.words_of(_organisation(world, "other_admin")) == []
    assert "behandeltraject" not in page(browser(app, world.person("other_admin")),
                                         "/admin/library")


@pytest.mark.parametrize(("form", "message"), [
    ({"language": "nl", "word": "", "alternative": "iets"}, "Fill in both the word"),
    ({"language": "de", "word": "Patient", "alternative": "Klient"}, "Choose Dutch or English"),
    ({"language": "nl", "word": "klacht", "alternative": "wat je last geeft"},
     "already on the list"),
    ({"language": "en", "word": "x" * 61, "alternative": "y"}, "at most 60 characters"),
    ({"language": "en", "word": "a\u0000b", "alternative": "y"}, None),
])
def test_a_word_that_cannot_be_added_says_why_and_keeps_what_was_typed(
        app: Flask, world: World, form: dict[str, str], message: str | None) -> None:
    admin = browser(app, world.person("admin"))
    response = post(admin, "/admin/writing-words", form)
    assert 400 <= response.status_code < 500
    if message is not None:
        html = response.get_data(as_text=True)
        assert message in html
        assert response.status_code == 422
    assert writing_words.words_of(_organisation(world, "admin")) == []


def test_removing_a_word_takes_it_off_the_list(app: Flask, world: World) -> None:
    admin = browser(app, world.person("admin"))
    for word in ("traject", "intake"):
        post(admin, "/admin/writing-words", {"language": "nl", "word": word,
                                             "alternative": "gesprek"})
    assert post(admin, "/admin/writing-words/0/remove").status_code == 303
    assert [w.word for w in writing_words.words_of(_organisation(world, "admin"))] == ["intake"]
    assert post(admin, "/admin/writing-words/5/remove").status_code == 404


def test_only_admins_keep_the_list(app: Flask, world: World) -> None:
    with connected(), pytest.raises(writing_words.NotAnAdmin):
        writing_words.add_word(world.person("author"), "nl", "traject", "je hulp")


def test_the_dutch_page_speaks_dutch(app: Flask, world: World) -> None:
    admin = browser(app, world.person("admin"), language="nl")
    html = page(admin, "/admin/library")
    assert "Woorden om te vermijden in je modules" in html
    response = post(admin, "/admin/writing-words", {"language": "nl", "word": "",
                                                    "alternative": ""})
    assert "Vul zowel het woord als het vriendelijkere alternatief in." in response.get_data(
        as_text=True)
