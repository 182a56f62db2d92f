"""The checks in the editor: every save runs the module checker and the writing checks; each
problem links to its field, each warning is shown beside it, and the submit button says why a
draft with problems cannot go to review yet."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import ModuleDraft, Organisation
from tests.author.editor_support import copy_of_voorbeeld, form_of, page_form, post, prefix_of
from tests.conftest import World, login


@pytest.fixture
def draft(world: World) -> ModuleDraft:
    return copy_of_voorbeeld(world.person("author"))


@pytest.fixture
def author(app: Flask, world: World) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = "https://localhost/"
    login(client, world.person("author"))
    return client


def _lesson(draft: ModuleDraft) -> str:
    return f"/author/drafts/{draft.id}/lessons/begin"


def _broken(author: FlaskClient, draft: ModuleDraft) -> tuple[str, str]:
    """Empty the English question of the scale step and the module's Dutch summary."""
    form = page_form(author, _lesson(draft))
    prefix = prefix_of(form, "step:cijfer")
    form[f"{prefix}.question.en"] = [""]
    post(author, f"/author/drafts/{draft.id}/save", form, op="save")
    overview = page_form(author, f"/author/drafts/{draft.id}")
    overview["m.summary.nl"] = [""]
    post(author, f"/author/drafts/{draft.id}/save", overview, op="save")
    return prefix, author.get(_lesson(draft)).get_data(as_text=True)


def test_each_problem_links_to_its_field_on_its_page(author: FlaskClient,
                                                     draft: ModuleDraft) -> None:
    prefix, page = _broken(author, draft)
    assert f'href="#ed-{prefix}-question-en"' in page
    # The module's problem is on the other page: the link goes there, to the field.
    assert f'href="/author/drafts/{draft.id}#ed-m-summary-nl"' in page
    overview = author.get(f"/author/drafts/{draft.id}").get_data(as_text=True)
    assert 'href="#ed-m-summary-nl"' in overview
    assert f'href="/author/drafts/{draft.id}/lessons/begin#ed-{prefix}-question-en"' in overview
    # The field itself says that a translation is missing, and is described by it.
    assert f'id="ed-{prefix}-question-en-missing"' in page
    assert re.search(rf'id="ed-{prefix}-question-en"[^>]*aria-describedby="[^"]*'
                     rf'ed-{prefix}-question-en-missing', page)


def test_a_draft_with_problems_is_saved_but_cannot_be_submitted(
        author: FlaskClient, draft: ModuleDraft) -> None:
    _prefix, page = _broken(author, draft)
    submit = page[page.index('id="ed-submit"'):]
    assert re.search(r"<button[^>]*disabled[^>]*aria-describedby=\"ed-submit-why\"", submit)
    why = re.search(r'id="ed-submit-why">([^<]*)<', submit)
    assert why
    assert "2" in why.group(1)
    assert 'action="/author/drafts/' not in submit.split("</section>")[0]


def test_a_draft_without_problems_can_be_submitted_from_the_editor(
        author: FlaskClient, draft: ModuleDraft) -> None:
    page = author.get(f"/author/drafts/{draft.id}").get_data(as_text=True)
    assert f'action="/author/drafts/{draft.id}/submit"' in page
    assert "disabled" not in page[page.index('id="ed-submit"'):].split("</section>")[0]
    form = form_of(page, "ed-submit-form")
    assert form["next"] == [f"/author/drafts/{draft.id}"]
    assert "note" in form
    form["note"] = ["Een eigen versie"]
    sent = author.post(f"/author/drafts/{draft.id}/submit", data=form)
    assert sent.status_code == 303
    with connected():
        assert ModuleDraft.get_by_id(draft.id).state == "in_review"


def test_the_autosave_answers_with_the_checks_as_they_are_now(
        author: FlaskClient, draft: ModuleDraft) -> None:
    form = page_form(author, _lesson(draft))
    prefix = prefix_of(form, "step:cijfer")
    form[f"{prefix}.question.en"] = [""]
    body = post(author, f"/author/drafts/{draft.id}/save", form, as_json=True).get_json()
    assert f"#ed-{prefix}-question-en" in body["checks_html"]
    assert "disabled" in body["submit_html"]
    form[f"{prefix}.question.en"] = ["How are you, from 0 to 10?"]
    for name, value in (("_base", body["parts"][prefix]["base"]),
                        ("_shown", body["parts"][prefix]["shown"])):
        form[f"{prefix}.{name}"] = [value]
    fixed = post(author, f"/author/drafts/{draft.id}/save", form, as_json=True).get_json()
    assert "disabled" not in fixed["submit_html"]


def test_writing_warnings_are_shown_next_to_their_field(author: FlaskClient,
                                                        draft: ModuleDraft) -> None:
    form = page_form(author, _lesson(draft))
    prefix = prefix_of(form, "step:uitleg")
    form[f"{prefix}.body.nl"] = ["Veel mensen hebben last van een klacht."]
    body = post(author, f"/author/drafts/{draft.id}/save", form, as_json=True).get_json()
    element = f"ed-{prefix}-body-nl"
    assert element in body["messages"]
    assert "klacht" in html_lib.unescape(body["messages"][element])
    page = author.get(_lesson(draft)).get_data(as_text=True)
    assert f'id="{element}-messages"' in page
    assert "writing-guide" in page


def test_the_organisations_own_words_to_avoid_are_checked(author: FlaskClient, world: World,
                                                          draft: ModuleDraft) -> None:
    with connected():
        organisation = Organisation.get_by_id(world.person("author").organisation.id)
        organisation.avoid_words = [{"language": "nl", "word": "huiswerk",
                                     "alternative": "oefening"}]
        organisation.save()
    form = page_form(author, _lesson(draft))
    prefix = prefix_of(form, "step:uitleg")
    form[f"{prefix}.body.nl"] = ["Doe je huiswerk."]
    body = post(author, f"/author/drafts/{draft.id}/save", form, as_json=True).get_json()
    assert "oefening" in html_lib.unescape(body["messages"][f"ed-{prefix}-body-nl"])


def test_markdown_is_rendered_and_sanitised_for_the_live_preview(
        author: FlaskClient, draft: ModuleDraft) -> None:
    token = page_form(author, _lesson(draft))["csrf_token"][0]
    url = f"/author/drafts/{draft.id}/markdown"
    response = author.post(url, data={"text": "**Sterk** <script>alert(1)</script> "
                                              "[x](javascript:alert(1))"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200
    rendered = response.get_json()["html"]
    assert "<strong>Sterk</strong>" in rendered
    assert "<script" not in rendered
    assert "href=\"javascript" not in rendered
    assert author.post(url, data={}, headers={"X-CSRFToken": token}).status_code == 422
    assert author.post(url, data={"text": "x" * 60_000},
                       headers={"X-CSRFToken": token}).status_code == 422


def test_the_page_shows_markdown_previews_rendered_by_the_server(
        author: FlaskClient, draft: ModuleDraft) -> None:
    page = author.get(_lesson(draft)).get_data(as_text=True)
    prefix = prefix_of(form_of(page), "step:welkom")
    preview = page[page.index(f'id="ed-{prefix}-body-nl-preview"'):]
    assert "<strong>" in preview.split("</div>")[0]


def test_the_writing_rules_open_from_the_editor(author: FlaskClient,
                                                draft: ModuleDraft) -> None:
    page = author.get(f"/author/drafts/{draft.id}").get_data(as_text=True)
    assert 'href="/author/writing-guide"' in page
    guide = author.get("/author/writing-guide").get_data(as_text=True)
    assert "Open on a positive note" in guide
    assert "<table>" in guide
    assert "<script" not in guide.split("<main")[1].split("</main>")[0]
