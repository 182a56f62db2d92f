"""A lesson as JSON: saved with the same checks as the form, and nothing typed is lost when it
cannot be saved."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import ModuleDraft, Role, User
from tests.author.editor_support import (
    copy_of_voorbeeld,
    form_of,
    page_form,
    post,
    prefix_of,
    stored,
)
from tests.conftest import World, login


@pytest.fixture
def draft(world: World) -> ModuleDraft:
    return copy_of_voorbeeld(world.person("author"))


def _client(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = "https://localhost/"
    login(client, user)
    return client


@pytest.fixture
def author(app: Flask, world: World) -> FlaskClient:
    return _client(app, world.person("author"))


def _url(draft: ModuleDraft, lesson: str = "begin") -> str:
    return f"/author/drafts/{draft.id}/lessons/{lesson}/json"


def _form(author: FlaskClient, draft: ModuleDraft, lesson: str = "begin") -> dict[str, list[str]]:
    return page_form(author, _url(draft, lesson), "ed-json-form")


def test_the_json_view_shows_the_lesson_as_its_file_holds_it(author: FlaskClient,
                                                            draft: ModuleDraft) -> None:
    form = _form(author, draft)
    assert json.loads(form["json"][0]) == draft.content["lessons"]["begin"]


def test_a_valid_lesson_is_saved_problems_and_all(author: FlaskClient,
                                                  draft: ModuleDraft) -> None:
    form = _form(author, draft)
    lesson = json.loads(form["json"][0])
    lesson["steps"][1]["body"] = {"nl": "Nieuw in JSON"}  # no English: a problem, still saved
    form["json"] = [json.dumps(lesson, indent=2)]
    response = author.post(_url(draft), data=form)
    assert response.status_code == 303
    assert stored(draft.id).content["lessons"]["begin"]["steps"][1]["body"] == {
        "nl": "Nieuw in JSON"}
    page = author.get(_url(draft)).get_data(as_text=True)
    assert "steps[1].body" in page
    assert "Missing translation" in page


def test_a_syntax_error_names_its_line_and_column_and_keeps_the_text(
        author: FlaskClient, draft: ModuleDraft) -> None:
    form = _form(author, draft)
    broken = form["json"][0].replace('"welkom"', '"welkom",,', 1)
    form["json"] = [broken]
    response = author.post(_url(draft), data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    line = broken[:broken.index('"welkom",,')].count("\n") + 1
    assert f"Invalid JSON at line {line}, column" in page
    assert form_of(page, "ed-json-form")["json"] == [broken]
    assert stored(draft.id).revision == 1


def test_duplicate_keys_are_refused_rather_than_silently_dropped(author: FlaskClient,
                                                                  draft: ModuleDraft) -> None:
    form = _form(author, draft)
    form["json"] = ['{"id": "begin", "id": "begin", "title": {"nl": "x", "en": "y"}, '
                    '"steps": []}']
    response = author.post(_url(draft), data=form)
    assert response.status_code == 422
    assert "Duplicate key" in response.get_data(as_text=True)


def test_step_ids_used_twice_are_refused_with_a_clear_message(author: FlaskClient,
                                                              draft: ModuleDraft) -> None:
    form = _form(author, draft)
    lesson = json.loads(form["json"][0])
    lesson["steps"][2]["id"] = "uitleg"
    form["json"] = [json.dumps(lesson)]
    twice = author.post(_url(draft), data=form).get_data(as_text=True)
    assert "is used twice in this lesson: at steps[1] and steps[2]" in twice.replace(
        "&#34;", '"').replace("&quot;", '"')
    lesson["steps"][2]["id"] = "krachten"  # a step of the other lesson
    form["json"] = [json.dumps(lesson)]
    elsewhere = author.post(_url(draft), data=form)
    assert elsewhere.status_code == 422
    assert "already used in the lesson" in elsewhere.get_data(as_text=True)
    assert stored(draft.id).revision == 1
    assert json.loads(form_of(elsewhere.get_data(as_text=True), "ed-json-form")["json"][0]) == (
        lesson)


def test_what_is_not_a_lesson_is_refused(author: FlaskClient, draft: ModuleDraft) -> None:
    form = _form(author, draft)
    for text in ('["a list"]', '{"id": "anders", "steps": []}', '{"id": "begin"}',
                 '{"id": "begin", "steps": [5]}'):
        form["json"] = [text]
        assert author.post(_url(draft), data=form).status_code == 422, text
    assert stored(draft.id).revision == 1


def test_removing_a_step_in_json_removes_it(author: FlaskClient, draft: ModuleDraft) -> None:
    form = _form(author, draft)
    lesson = json.loads(form["json"][0])
    lesson["steps"] = lesson["steps"][:2]
    form["json"] = [json.dumps(lesson)]
    assert author.post(_url(draft), data=form).status_code == 303
    assert [s["id"] for s in stored(draft.id).content["lessons"]["begin"]["steps"]] == [
        "welkom", "uitleg"]


def test_a_lesson_changed_meanwhile_shows_both_versions(app: Flask, world: World,
                                                        author: FlaskClient,
                                                        draft: ModuleDraft) -> None:
    form = _form(author, draft)
    with connected():
        other: User = User.create(organisation=world.person("author").organisation,
                                  email="sanne@oost.example", role=Role.AUTHOR, name="Sanne")
    theirs = _client(app, other)
    lesson_form = page_form(theirs, f"/author/drafts/{draft.id}/lessons/begin")
    lesson_form[f"{prefix_of(lesson_form, 'step:uitleg')}.body.nl"] = ["Hun tekst"]
    post(theirs, f"/author/drafts/{draft.id}/save", lesson_form, op="save")
    mine = json.loads(form["json"][0])
    mine["steps"][1]["body"]["nl"] = "Mijn tekst"
    form["json"] = [json.dumps(mine, indent=2)]
    response = author.post(_url(draft), data=form)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Hun tekst" in page
    assert "Mijn tekst" in page
    again = form_of(page, "ed-json-form")
    assert author.post(_url(draft), data=again).status_code == 303  # "save mine anyway"
    assert stored(draft.id).content["lessons"]["begin"]["steps"][1]["body"]["nl"] == "Mijn tekst"
