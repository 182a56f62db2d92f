"""The preview: the real player in preview mode, nothing stored, conditions as the client sees
them, in Dutch and English, at phone width; a link that the organisation's reviewers open."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import (
    Answer,
    AnswerSave,
    Assignment,
    AuditEvent,
    Goal,
    GoalStep,
    ModuleDraft,
    Strength,
)
from tests.author.editor_support import copy_of_voorbeeld, form_of, stored
from tests.conftest import World, login


@pytest.fixture
def draft(world: World) -> ModuleDraft:
    return copy_of_voorbeeld(world.person("author"))


def _client(app: Flask, world: World, role: str, language: str | None = None) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = "https://localhost/"
    if language:
        client.set_cookie("lang", language)
    login(client, world.person(role))
    return client


@pytest.fixture
def author(app: Flask, world: World) -> FlaskClient:
    return _client(app, world, "author")


def _play(draft: ModuleDraft) -> str:
    return f"/author/drafts/{draft.id}/preview/play"


def _step_of(page: str) -> str:
    match = re.search(r'name="__step" value="([^"]+)"', page)
    assert match, "no step in the page"
    return match.group(1)


def _next(client: FlaskClient, draft: ModuleDraft, page: str, action: str = "next",
          **fields: Any) -> Any:
    form = form_of(page, ".player__form")
    for name, value in fields.items():
        form[name.replace("__", ".")] = value if isinstance(value, list) else [value]
    form["action"] = [action]
    return client.post(_play(draft), data=form)


def _counts() -> tuple[int, ...]:
    with connected():
        return tuple(model.select().count() for model in (
            Answer, AnswerSave, Assignment, Goal, GoalStep, Strength, AuditEvent))


def test_the_preview_page_frames_the_player_at_phone_width(author: FlaskClient,
                                                          draft: ModuleDraft) -> None:
    page = author.get(f"/author/drafts/{draft.id}/preview").get_data(as_text=True)
    assert "preview-frame--phone" in page
    assert re.search(rf'<iframe src="{_play(draft)}" title="[^"]+"', page)
    assert re.search(rf">https?://localhost/author/drafts/{draft.id}/preview</a>", page)
    wide = author.get(f"/author/drafts/{draft.id}/preview?width=wide").get_data(as_text=True)
    assert "preview-frame--wide" in wide


def test_the_framed_player_may_be_framed_by_its_own_site_only(author: FlaskClient,
                                                              draft: ModuleDraft) -> None:
    response = author.get(_play(draft))
    assert response.status_code == 200
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    # Every other page still refuses to be framed.
    editor = author.get(f"/author/drafts/{draft.id}")
    assert editor.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in editor.headers["Content-Security-Policy"]


def test_the_preview_is_the_real_player(author: FlaskClient, draft: ModuleDraft) -> None:
    page = author.get(_play(draft)).get_data(as_text=True)
    assert 'class="step step--opening player__form' in page
    assert "player.js" in page
    assert 'class="player__progress"' in page
    assert "data-autosave" not in page  # nothing is saved, so nothing autosaves
    assert 'class="site-nav"' not in page  # the author's menu is outside the frame
    assert _step_of(page) == "welkom"


def test_a_walk_through_the_preview_stores_nothing_and_follows_the_conditions(
        author: FlaskClient, draft: ModuleDraft) -> None:
    before = _counts()
    revision = stored(draft.id).revision
    page = author.get(_play(draft)).get_data(as_text=True)
    page = _next(author, draft, page).get_data(as_text=True)  # welkom → uitleg
    page = _next(author, draft, page).get_data(as_text=True)  # uitleg → cijfer
    assert _step_of(page) == "cijfer"
    response = _next(author, draft, page, value="7")
    page = response.get_data(as_text=True)
    # A score with follow-up questions not seen yet: the player stays, as for a client.
    assert _step_of(page) == "cijfer"
    assert 'name="f.waarom"' in page
    page = _next(author, draft, page, value="7", **{"f.waarom": "Omdat het lukt"}).get_data(
        as_text=True)
    assert _step_of(page) == "hulp"
    answers = json.loads(form_of(page, ".player__form")["__answers"][0])
    assert answers["cijfer"]["value"] == 7
    with_no = _next(author, draft, page, selected="nee").get_data(as_text=True)
    assert _step_of(with_no) == "krachten"  # the tip is shown only to those who said yes
    back = _next(author, draft, with_no, action="back").get_data(as_text=True)
    assert _step_of(back) == "hulp"
    with_yes = _next(author, draft, back, selected="ja").get_data(as_text=True)
    assert _step_of(with_yes) == "tip"
    assert _counts() == before
    assert stored(draft.id).revision == revision


def test_an_answer_that_does_not_fit_is_shown_as_the_player_shows_it(
        author: FlaskClient, draft: ModuleDraft) -> None:
    page = author.get(_play(draft) + "?step=cijfer").get_data(as_text=True)
    assert _step_of(page) == "cijfer"
    response = _next(author, draft, page, value="99")
    assert response.status_code == 422
    assert 'id="error-summary"' in response.get_data(as_text=True)


def test_answers_that_come_back_broken_are_left_out(author: FlaskClient,
                                                    draft: ModuleDraft) -> None:
    page = author.get(_play(draft) + "?step=hulp").get_data(as_text=True)
    form = form_of(page, ".player__form")
    form["__answers"] = ['{"cijfer": {"value": "veel"}, "nope": 1, "hulp": [1]']
    form["selected"] = ["ja"]
    response = author.post(_play(draft), data=form)
    assert response.status_code == 200
    assert _step_of(response.get_data(as_text=True)) == "tip"
    kept = json.loads(form_of(response.get_data(as_text=True), ".player__form")["__answers"][0])
    assert kept == {"hulp": {"selected": ["ja"]}}


def test_the_preview_speaks_the_page_language(app: Flask, world: World,
                                              draft: ModuleDraft) -> None:
    english = _client(app, world, "author", "en")
    page = english.get(_play(draft) + "?step=hulp").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Would you like a tip from someone who has been there?" in page
    assert ">Next<" in page
    dutch = _client(app, world, "author", "nl")
    page = dutch.get(_play(draft) + "?step=hulp").get_data(as_text=True)
    assert '<html lang="nl">' in page
    assert "Wil je een tip van iemand die dit kent?" in page


def test_the_end_of_the_preview_shows_what_was_filled_in(author: FlaskClient,
                                                         draft: ModuleDraft) -> None:
    page = author.get(_play(draft) + "?step=samenvatting").get_data(as_text=True)
    end = _next(author, draft, page).get_data(as_text=True)
    assert "restart" not in end
    assert f'href="{_play(draft)}"' in end
    assert _counts()[0] == 0


def test_a_draft_with_problems_is_previewed_as_far_as_it_can_be_read(
        author: FlaskClient, draft: ModuleDraft) -> None:
    with connected():
        row = ModuleDraft.get_by_id(draft.id)
        content = copy.deepcopy(row.content)
        del content["lessons"]["begin"]["steps"][3]["options"]  # hulp: a choice without options
        row.content = content
        row.save()
    outer = author.get(f"/author/drafts/{draft.id}/preview").get_data(as_text=True)
    assert "<code>hulp</code>" in outer
    assert "<code>tip</code>" in outer
    page = author.get(_play(draft) + "?step=cijfer").get_data(as_text=True)
    page = _next(author, draft, page, value="0").get_data(as_text=True)  # its follow-up first
    page = _next(author, draft, page, value="0").get_data(as_text=True)
    assert _step_of(page) == "krachten"


def test_reviewers_of_the_organisation_open_the_preview_and_others_do_not(
        app: Flask, world: World, draft: ModuleDraft) -> None:
    for role, status in (("admin", 200), ("author", 200), ("other_admin", 404),
                         ("own_therapist", 403), ("client_a", 403)):
        client = _client(app, world, role)
        for path in (f"/author/drafts/{draft.id}/preview", _play(draft)):
            assert client.get(path).status_code == status, (role, path)
